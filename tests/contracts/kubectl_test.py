#!/usr/bin/env python3
"""The Kubernetes API simulator (tests/fixtures/kube_api_simulator.py) held to kubectl, which
nobody here wrote: the commands an SRE runs during a drill, each checked against the simulator's
own state (its /_sim/state), so kubectl and the simulator have to agree on what the cluster is.

kubectl needs what a real API server gives it before it sends a single request for an object:
/version, discovery (/api, /apis and each group version, aggregated or legacy), server-side
printing (the meta.k8s.io Table of `kubectl get`), watches (`rollout status`, `delete --wait`),
the policy/v1 eviction subresource (`drain`), strategic-merge patches (`patch`, `set image`,
`cordon`) and the scale subresource (`scale`).

Usage: kubectl_test.py SOURCE_DIR FIREDRILL_BINARY (run with /usr/bin/python3; needs kubectl on
PATH). FIREDRILL_KUBE_SIMULATOR names another simulator script to run it against.
"""

import json
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE = sys.argv[1]
sys.path.insert(0, os.path.join(SOURCE, "tests", "contracts"))
from kube_sim import (Results, Simulator, deployment, hpa, live_pods, namespace,  # noqa: E402
                      node, pod_ready, ready_pods)

NS = "shop"
results = Results()
expect = results.expect


def kubectl_runner(sim, home):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "KUBECONFIG": sim.kubeconfig, "KUBECACHEDIR": os.path.join(home, "cache")}

    def kubectl(*args, timeout=90):
        try:
            r = subprocess.run(["kubectl", *args], env=env, capture_output=True, text=True,
                               timeout=timeout)
        except subprocess.TimeoutExpired:
            return 124, "", "kubectl %s did not finish in %ds" % (" ".join(args), timeout)
        return r.returncode, r.stdout, r.stderr
    return kubectl


def ran(what, result):
    code, out, err = result
    expect(code == 0, "kubectl %s exits 0" % what, "exit %d\n%s\n%s" % (code, out, err))
    return out


def parsed(text):
    try:
        return json.loads(text)
    except ValueError:
        return {}


def table(text):
    """`kubectl get` output as rows of cells (the header row first), cut where the header's
    columns start, since a cell may hold a space ("cpu: 10%/50%")."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        return []
    starts = [i for i, ch in enumerate(lines[0]) if ch != " " and (i == 0 or
                                                                  lines[0][i - 1] == " ")]
    bounds = list(zip(starts, starts[1:] + [None]))
    return [[line[a:b].strip() for a, b in bounds] for line in lines]


def column(rows, name):
    index = rows[0].index(name)
    return {r[0]: r[index] for r in rows[1:]}


def main():
    seed = {"objects": [namespace(NS), node("node-a"), node("node-b"),
                        deployment("web", NS, 2), hpa("web", NS, 2, 5),
                        deployment("api", NS, 1)]}
    home = tempfile.mkdtemp(prefix="kubectl-home-")
    try:
        with Simulator(SOURCE, seed) as sim:
            kubectl = kubectl_runner(sim, home)
            try:
                drill(sim, kubectl)
            finally:
                if results.failed:
                    print("simulator log (end):\n" + sim.log()[-3000:])
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return results.finish()


def drill(sim, kubectl):
    version = ran("version", kubectl("version", "-o", "json"))
    if not version:
        return
    expect(parsed(version).get("serverVersion", {}).get("gitVersion") == "v1.30.0",
           "kubectl version reads the server's /version", version)
    resources = ran("api-resources", kubectl("api-resources", "--no-headers"))
    for short, name in (("po", "pods"), ("deploy", "deployments"),
                        ("hpa", "horizontalpodautoscalers"), ("no", "nodes"), ("ev", "events")):
        expect(any(line.split()[:2] == [name, short] for line in resources.splitlines()),
               "discovery lists %s with its short name %s" % (name, short), resources)

    web = ready_pods(sim, NS, "web", 2)
    expect(len(web) == 2, "the simulator runs the two web pods")
    if not web:
        return
    get_pods(sim, kubectl)
    get_nodes_hpa_events(sim, kubectl, web)
    describe(sim, kubectl, web[0])
    logs(sim, kubectl, web[0])
    changes(sim, kubectl)
    node_maintenance(sim, kubectl)
    delete_pod(sim, kubectl)


def get_pods(sim, kubectl):
    rows = table(ran("get pods", kubectl("get", "pods", "-n", NS, "-o", "wide")))
    pods = {p["metadata"]["name"]: p for p in live_pods(sim, NS)}
    expect(rows and rows[0][:3] == ["NAME", "READY", "STATUS"],
           "kubectl get pods prints the server's Table columns", rows[:1])
    expect(set(r[0] for r in rows[1:]) == set(pods),
           "kubectl get pods lists exactly the simulator's pods", (rows, sorted(pods)))
    if rows:
        nodes, statuses, ready = column(rows, "NODE"), column(rows, "STATUS"), \
            column(rows, "READY")
        for name, p in pods.items():
            expect(nodes.get(name) == p["spec"].get("nodeName"),
                   "kubectl shows %s on the node the simulator scheduled it to" % name,
                   (nodes.get(name), p["spec"].get("nodeName")))
            expect(statuses.get(name) == p["status"]["phase"] == "Running" and
                   ready.get(name) == "1/1", "kubectl shows %s Running and 1/1" % name, rows)
    listed = parsed(ran("get pods -o json", kubectl("get", "pods", "-n", NS, "-o", "json")))
    expect(sorted(i["metadata"]["uid"] for i in listed.get("items", [])) ==
           sorted(p["metadata"]["uid"] for p in pods.values()),
           "kubectl get -o json gives the simulator's objects (same uids)")
    selected = table(ran("get pods -l", kubectl("get", "pods", "-n", NS, "-l", "app=api")))
    expect([r[0] for r in selected[1:]] ==
           [p["metadata"]["name"] for p in live_pods(sim, NS, "api")],
           "a label selector picks only the api pod", selected)


def get_nodes_hpa_events(sim, kubectl, web):
    rows = table(ran("get nodes", kubectl("get", "nodes")))
    expect(column(rows, "STATUS") == {"node-a": "Ready", "node-b": "Ready"} if rows else False,
           "kubectl get nodes shows both nodes Ready", rows)
    expect(all(v == "v1.30.0" for v in column(rows, "VERSION").values()) if rows else False,
           "kubectl get nodes shows the kubelet version", rows)
    rows = table(ran("get hpa", kubectl("get", "hpa", "-n", NS)))
    state = sim.find("horizontalpodautoscalers", NS, "web")
    expect(rows and rows[1][:2] == ["web", "Deployment/web"] and
           column(rows, "MINPODS")["web"] == str(state["spec"]["minReplicas"]) and
           column(rows, "MAXPODS")["web"] == str(state["spec"]["maxReplicas"]),
           "kubectl get hpa shows the target and bounds", rows)
    name = web[0]["metadata"]["name"]
    out = ran("get events --field-selector", kubectl(
        "get", "events", "-n", NS, "--field-selector",
        "involvedObject.kind=Pod,involvedObject.name=" + name, "-o", "json"))
    events = parsed(out).get("items", [])
    reasons = {e["reason"] for e in events}
    expect({"Scheduled", "Started"} <= reasons and
           all(e["involvedObject"]["name"] == name for e in events),
           "the events of one pod, picked by field selector, are its own", reasons)


def describe(sim, kubectl, pod):
    name = pod["metadata"]["name"]
    out = ran("describe pod", kubectl("describe", "pod", name, "-n", NS))
    node_name = pod["spec"]["nodeName"]
    expect("Node:             %s/" % node_name in out and "Status:           Running" in out,
           "kubectl describe pod shows its node and phase", out[:800])
    expect("Successfully assigned %s/%s to %s" % (NS, name, node_name) in out,
           "kubectl describe pod lists the scheduler's event", out[-1200:])
    out = ran("describe node", kubectl("describe", "node", node_name))
    on_node = [p for p in sim.objects("pods") if p["spec"].get("nodeName") == node_name and
               p["status"].get("phase") not in ("Succeeded", "Failed")]
    expect("Non-terminated Pods:          (%d in total)" % len(on_node) in out,
           "kubectl describe node counts the node's pods as the simulator has them",
           (len(on_node), out[-1500:]))
    expect("Architecture:               amd64" in out, "describe node shows the system info",
           out)
    out = ran("describe hpa", kubectl("describe", "hpa", "web", "-n", NS))
    expect("Min replicas:" in out and "Deployment/web" in out and "ScalingActive" in out,
           "kubectl describe hpa shows the target and conditions", out)


def logs(sim, kubectl, pod):
    name = pod["metadata"]["name"]
    line = "GET /checkout 500 drill-marker-7"
    sim.sim("log", {"namespace": NS, "pod": name, "line": line})
    out = ran("logs", kubectl("logs", "-n", NS, name))
    expect(line in out.splitlines(), "kubectl logs prints the container's line", out)
    out = ran("logs --timestamps", kubectl("logs", "-n", NS, name, "--timestamps"))
    stamped = [l for l in out.splitlines() if l.endswith(line)]
    expect(bool(stamped) and stamped[0].split(" ", 1)[0].endswith("Z"),
           "kubectl logs --timestamps prefixes the kubelet's RFC 3339 time", out)


def changes(sim, kubectl):
    ran("scale", kubectl("scale", "deployment/api", "-n", NS, "--replicas=3"))
    expect(sim.find("deployments", NS, "api")["spec"]["replicas"] == 3,
           "kubectl scale sets the deployment's spec.replicas")
    expect(len(ready_pods(sim, NS, "api", 3)) == 3, "the scaled deployment runs three pods")

    patch = {"spec": {"template": {"metadata": {"annotations": {"drill/run": "r1"}}}}}
    ran("patch", kubectl("patch", "deployment", "api", "-n", NS, "-p", json.dumps(patch)))
    template = sim.find("deployments", NS, "api")["spec"]["template"]
    expect(template["metadata"].get("annotations", {}).get("drill/run") == "r1" and
           template["spec"]["containers"][0]["image"] == "nginx:1.25",
           "a strategic-merge patch adds the annotation and keeps the containers", template)

    ran("set image", kubectl("set", "image", "deployment/api", "-n", NS, "api=nginx:1.27"))
    ran("rollout status", kubectl("rollout", "status", "deployment/api", "-n", NS,
                                  "--timeout=60s"))
    pods = live_pods(sim, NS, "api")
    expect(len(pods) == 3 and all(p["spec"]["containers"][0]["image"] == "nginx:1.27" and
                                  pod_ready(p) for p in pods),
           "after rollout status returns, every api pod runs the new image and is ready",
           [(p["metadata"]["name"], p["spec"]["containers"][0]["image"]) for p in pods])

    ran("set a bad image", kubectl("set", "image", "deployment/api", "-n", NS,
                                   "api=registry.invalid/shop/api:missing"))
    code, out, err = kubectl("rollout", "status", "deployment/api", "-n", NS, "--timeout=4s")
    expect(code != 0 and "timed out" in err,
           "rollout status of an image that cannot be pulled does not report success",
           (code, out, err))
    out = ran("get pods after a bad image", kubectl("get", "pods", "-n", NS, "-l", "app=api"))
    expect("ErrImagePull" in out or "ImagePullBackOff" in out,
           "kubectl shows the new pod failing to pull", out)
    ran("set the image back", kubectl("set", "image", "deployment/api", "-n", NS,
                                      "api=nginx:1.27"))
    ran("rollout status after the fix", kubectl("rollout", "status", "deployment/api", "-n", NS,
                                                "--timeout=60s"))
    pods = live_pods(sim, NS, "api")
    expect(len(pods) == 3 and all(p["spec"]["containers"][0]["image"] == "nginx:1.27"
                                  for p in pods),
           "the rollout back to the good image replaces the pod that could not pull", pods)


def node_maintenance(sim, kubectl):
    ran("cordon", kubectl("cordon", "node-a"))
    expect(sim.find("nodes", "", "node-a")["spec"].get("unschedulable") is True,
           "kubectl cordon marks the node unschedulable")
    rows = table(ran("get nodes", kubectl("get", "nodes")))
    expect(rows and column(rows, "STATUS").get("node-a") == "Ready,SchedulingDisabled",
           "kubectl get nodes shows the cordon", rows)
    out = ran("drain", kubectl("drain", "node-a", "--ignore-daemonsets",
                               "--delete-emptydir-data", "--timeout=60s"))
    expect("node/node-a drained" in out, "kubectl drain reports the node drained", out)
    left = [p["metadata"]["name"] for p in live_pods(sim, NS)
            if p["spec"].get("nodeName") == "node-a"]
    expect(not left, "after drain no pod of the namespace is left on node-a", left)
    evictions = [r for r in sim.requests() if r["path"].endswith("/eviction")]
    expect(evictions and all(r["status"] == 201 for r in evictions),
           "drain evicts through the eviction subresource", evictions[:3])
    moved = ready_pods(sim, NS, "web", 2)
    expect(moved and all(p["spec"]["nodeName"] == "node-b" for p in moved),
           "the evicted web pods are recreated on node-b", moved)
    ran("uncordon", kubectl("uncordon", "node-a"))
    expect(not sim.find("nodes", "", "node-a")["spec"].get("unschedulable"),
           "kubectl uncordon makes the node schedulable again")


def delete_pod(sim, kubectl):
    victim = live_pods(sim, NS, "web")[0]["metadata"]["name"]
    out = ran("delete pod", kubectl("delete", "pod", victim, "-n", NS, "--wait=true",
                                    "--timeout=60s"))
    expect('pod "%s" deleted' % victim in out, "kubectl delete pod reports the deletion", out)
    expect(sim.find("pods", NS, victim) is None,
           "once delete --wait returns, the pod is gone from the simulator")
    replacement = ready_pods(sim, NS, "web", 2)
    expect(len(replacement) == 2 and victim not in [p["metadata"]["name"] for p in replacement],
           "the ReplicaSet replaces the deleted pod", replacement)
    code, _, err = kubectl("get", "pod", victim, "-n", NS)
    expect(code != 0 and 'pods "%s" not found' % victim in err,
           "kubectl get of the deleted pod says NotFound", err)


if __name__ == "__main__":
    sys.exit(main())

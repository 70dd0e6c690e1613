#!/usr/bin/env python3
"""batch/v1 Jobs of the Kubernetes API simulator (tests/fixtures/kube_api_simulator.py) held to
kubectl, with containers run as real local processes (--run-image): an Indexed Job of /bin/sh
workers created, waited for, listed, logged and deleted the way an SRE does it, each checked
against the simulator's own state (/_sim/state) and against what the processes themselves saw.

A worker process gets JOB_COMPLETION_INDEX, a service-account token the server takes (RBAC of a
RoleBinding to its ServiceAccount applies to it), and its stdout is the container log. When its
pod or Job goes, or the simulator itself is SIGKILLed, no process of it is left behind.

Usage: kube_jobs_test.py SOURCE_DIR FIREDRILL_BINARY (run with /usr/bin/python3; needs kubectl on
PATH). FIREDRILL_KUBE_SIMULATOR names another simulator script to run it against.
"""

import json
import os
import shutil
import signal
import sys
import tempfile

SOURCE = sys.argv[1]
sys.path.insert(0, os.path.join(SOURCE, "tests", "contracts"))
from kube_sim import Results, Simulator, namespace, node  # noqa: E402
from kubectl_test import column, kubectl_runner, table  # noqa: E402

NS = "drill"
RUN_IMAGES = {"test/sh": "/bin/sh", "test/python": sys.executable}
INDEX_KEY = "batch.kubernetes.io/job-completion-index"
results = Results()
expect = results.expect

# Run by the pod's service account: which of two requests its RBAC lets through.
PROBE = r"""
import os, ssl, urllib.error, urllib.request
d = os.environ["FIREDRILL_TEST_SERVICE_ACCOUNT_DIR"]
namespace, token = open(d + "/namespace").read(), open(d + "/token").read()
base = "https://%s:%s" % (os.environ["KUBERNETES_SERVICE_HOST"],
                          os.environ["KUBERNETES_SERVICE_PORT"])
context = ssl.create_default_context(cafile=d + "/ca.crt")
for path in ("/api/v1/namespaces/%s/pods" % namespace, "/api/v1/nodes"):
    request = urllib.request.Request(base + path, headers={"Authorization": "Bearer " + token})
    try:
        code = urllib.request.urlopen(request, context=context, timeout=5).status
    except urllib.error.HTTPError as e:
        code = e.code
    print(path, code, flush=True)
"""


def job(name, script, completions=3, backoff_limit=6, image="test/sh", account=None,
        restart_policy="Never", **spec):
    command = ["sh", "-c", script] if image == "test/sh" else ["python3", "-c", script]
    pod_spec = {"restartPolicy": restart_policy, "terminationGracePeriodSeconds": 5,
                "containers": [{"name": "worker", "image": image, "command": command}]}
    if account:
        pod_spec["serviceAccountName"] = account
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": NS},
            "spec": dict({"completionMode": "Indexed", "completions": completions,
                          "parallelism": completions, "backoffLimit": backoff_limit,
                          "template": {"spec": pod_spec}}, **spec)}


def main():
    seed = {"objects": [
        namespace(NS), node("node-a"),
        {"apiVersion": "v1", "kind": "ServiceAccount",
         "metadata": {"name": "worker", "namespace": NS}},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
         "metadata": {"name": "pod-reader", "namespace": NS},
         "rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list"]}]},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
         "metadata": {"name": "worker-reads-pods", "namespace": NS},
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role",
                     "name": "pod-reader"},
         "subjects": [{"kind": "ServiceAccount", "name": "worker", "namespace": NS}]}]}
    home = tempfile.mkdtemp(prefix="kubectl-home-")
    try:
        with Simulator(SOURCE, seed, run_images=RUN_IMAGES) as sim:
            kubectl = kubectl_runner(sim, home)
            create = creator(kubectl, home)
            try:
                drill(sim, kubectl, create)
            finally:
                if results.failed:
                    print("simulator log (end):\n" + sim.log()[-3000:])
        killed_simulator(seed)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return results.finish()


def creator(kubectl, home):
    """kubectl create -f of a manifest. The simulator serves no OpenAPI documents, which kubectl's
    client-side schema validation needs: --validate=false leaves validation to the server."""
    def create(manifest):
        path = os.path.join(home, manifest["metadata"]["name"] + ".json")
        with open(path, "w") as f:
            json.dump(manifest, f)
        return kubectl("create", "--validate=false", "-f", path)
    return create


def ran(what, result):
    code, out, err = result
    expect(code == 0, "kubectl %s exits 0" % what, "exit %d\n%s\n%s" % (code, out, err))
    return out


def job_pods(sim, name):
    return sorted((p for p in sim.objects("pods", NS)
                   if p["metadata"].get("labels", {}).get("batch.kubernetes.io/job-name") == name),
                  key=lambda p: p["metadata"]["name"])


def condition(job_state, type_):
    return next((c for c in (job_state or {}).get("status", {}).get("conditions") or []
                 if c["type"] == type_ and c["status"] == "True"), None)


def group_members(pgid):
    """The processes of a process group, from /proc (zombies are as good as gone)."""
    members = []
    for entry in os.listdir("/proc"):
        try:
            with open("/proc/%s/stat" % entry) as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry))
    return members


def drill(sim, kubectl, create):
    resources = ran("api-resources", kubectl("api-resources", "--api-group=batch",
                                             "--no-headers"))
    expect(any(line.split()[:3] == ["jobs", "batch/v1", "true"] for line in
               resources.splitlines()), "discovery lists batch/v1 jobs, namespaced", resources)
    indexed_job(sim, kubectl, create)
    failing_job(sim, kubectl, create)
    refused_job(create)
    service_account(sim, kubectl, create)
    deleted_job(sim, kubectl, create)
    killed_pod(sim, create)
    deadline_and_ttl(sim, kubectl, create)
    volumes(sim, kubectl, create)


def indexed_job(sim, kubectl, create):
    out = ran("create -f an Indexed Job", create(job(
        "workers", "echo index=$JOB_COMPLETION_INDEX host=$HOSTNAME; "
        "test -f $FIREDRILL_TEST_SERVICE_ACCOUNT_DIR/token")))
    expect("job.batch/workers created" in out, "kubectl create reports the Job", out)
    ran("wait --for=condition=complete", kubectl("wait", "--for=condition=complete",
                                                 "job/workers", "-n", NS, "--timeout=20s"))
    state = sim.find("jobs", NS, "workers")
    status = state["status"]
    expect(status.get("completedIndexes") == "0-2" and status.get("succeeded") == 3 and
           status.get("completionTime") and condition(state, "Complete"),
           "the Job completes with completedIndexes 0-2", status)
    uid = state["metadata"]["uid"]
    expect(state["spec"]["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": uid}}
           and state["spec"]["template"]["metadata"]["labels"].get("job-name") == "workers",
           "the API server generates the selector and the template's labels", state["spec"])
    pods = job_pods(sim, "workers")
    indexes = [p["metadata"]["annotations"].get(INDEX_KEY) for p in pods]
    expect(sorted(indexes) == ["0", "1", "2"], "one pod per index", indexes)
    for p in pods:
        index = p["metadata"]["annotations"].get(INDEX_KEY)
        name = p["metadata"]["name"]
        terminated = p["status"]["containerStatuses"][0]["state"].get("terminated") or {}
        expect(name.startswith("workers-%s-" % index) and
               p["spec"]["hostname"] == "workers-" + index and
               p["metadata"]["labels"].get(INDEX_KEY) == index and
               p["metadata"]["ownerReferences"][0]["kind"] == "Job" and
               p["metadata"]["ownerReferences"][0]["controller"] is True,
               "pod %s is named, labelled and owned as the Job controller does it" % name, p)
        expect(p["status"]["phase"] == "Succeeded" and terminated.get("exitCode") == 0 and
               terminated.get("reason") == "Completed",
               "pod %s Succeeded with its process's exit code 0" % name, p["status"])
        out = ran("logs of a worker pod", kubectl("logs", "-n", NS, name))
        expect(out.splitlines() == ["index=%s host=workers-%s" % (index, index)],
               "the process's stdout is the log of %s" % name, out)
    out = ran("logs job/workers", kubectl("logs", "-n", NS, "job/workers"))
    expect(out.startswith("index="), "kubectl logs job/NAME prints one worker's log", out)
    rows = table(ran("get jobs", kubectl("get", "jobs", "-n", NS)))
    expect(rows and rows[0] == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"],
           "kubectl get jobs prints the server's columns", rows)
    expect(rows and column(rows, "STATUS").get("workers") == "Complete" and
           column(rows, "COMPLETIONS").get("workers") == "3/3",
           "kubectl get jobs shows the Job Complete, 3/3", rows)


def failing_job(sim, kubectl, create):
    ran("create a Job whose worker exits 1", create(job("breaks", "echo failing; exit 1",
                                                        completions=1, backoff_limit=0)))
    ran("wait --for=condition=failed", kubectl("wait", "--for=condition=failed", "job/breaks",
                                               "-n", NS, "--timeout=20s"))
    state = sim.find("jobs", NS, "breaks")
    failed = condition(state, "Failed") or {}
    expect(failed.get("reason") == "BackoffLimitExceeded" and state["status"].get("failed") == 1
           and not condition(state, "Complete"),
           "a failed pod with backoffLimit 0 fails the Job (BackoffLimitExceeded)", state["status"])
    pods = job_pods(sim, "breaks")
    terminated = pods[0]["status"]["containerStatuses"][0]["state"].get("terminated", {}) \
        if pods else {}
    expect(len(pods) == 1 and pods[0]["status"]["phase"] == "Failed" and
           terminated.get("exitCode") == 1 and terminated.get("reason") == "Error",
           "the pod is Failed with exit code 1, and not replaced", pods)
    rows = table(ran("get job", kubectl("get", "job", "breaks", "-n", NS)))
    expect(rows and column(rows, "STATUS").get("breaks") == "Failed" and
           column(rows, "COMPLETIONS").get("breaks") == "0/1",
           "kubectl get job shows it Failed, 0/1", rows)


def refused_job(create):
    code, out, err = create(job("restarts", "true", completions=1, restart_policy="Always"))
    expect(code != 0 and "spec.template.spec.restartPolicy: Required value" in err and
           'valid values: "OnFailure", "Never"' in err,
           "a Job with restartPolicy Always is refused (422 naming the field)", (code, err))


def service_account(sim, kubectl, create):
    ran("create a Job run by a ServiceAccount", create(job(
        "probe", PROBE, completions=1, image="test/python", account="worker")))
    ran("wait for the probe", kubectl("wait", "--for=condition=complete", "job/probe", "-n", NS,
                                      "--timeout=20s"))
    pods = job_pods(sim, "probe")
    out = ran("logs of the probe", kubectl("logs", "-n", NS, pods[0]["metadata"]["name"])) \
        if pods else ""
    expect(out.splitlines() == ["/api/v1/namespaces/%s/pods 200" % NS, "/api/v1/nodes 403"],
           "the pod's token is its ServiceAccount's: its RoleBinding allows pods, not nodes", out)


def running_pids(sim, name):
    """The pids of the Job's running processes and of their process groups, once it runs."""
    def running():
        pods = job_pods(sim, name)
        if not pods or pods[0]["status"].get("phase") != "Running":
            return None
        listed = [p for p in sim.processes() if p["pod"] == pods[0]["metadata"]["name"]]
        pids = [m for p in listed for m in group_members(p["pid"])]
        return pids if len(pids) >= 2 else None
    return sim.eventually(running, limit=10) or []


def deleted_job(sim, kubectl, create):
    ran("create a Job that sleeps", create(job("sleeper", "sleep 60 & wait", completions=1)))
    pids = running_pids(sim, "sleeper")
    expect(len(pids) >= 2, "the sleeping worker runs (sh and its sleep)", pids)
    out = ran("delete job", kubectl("delete", "job", "sleeper", "-n", NS, "--timeout=20s"))
    expect('job.batch "sleeper" deleted' in out, "kubectl delete job reports the deletion", out)
    expect(sim.eventually(lambda: not job_pods(sim, "sleeper"), limit=10),
           "deleting the Job deletes its pod", job_pods(sim, "sleeper"))
    expect(sim.eventually(lambda: not any(group_members(pid) for pid in pids), limit=10),
           "no process of the deleted Job is left", pids)


def mounting_job(name, volumes, paths):
    """A Job whose worker prints the files at `paths`, which are under its volumes' mounts."""
    manifest = job(name, "", completions=1, backoff_limit=0)
    container = manifest["spec"]["template"]["spec"]["containers"][0]
    container["command"] = ["cat"] + paths
    container["volumeMounts"] = [{"name": v["name"], "mountPath": "/mnt/" + v["name"]}
                                 for v in volumes]
    manifest["spec"]["template"]["spec"]["volumes"] = volumes
    return manifest


def container_state(sim, name):
    pods = job_pods(sim, name)
    statuses = (pods[0].get("status") or {}).get("containerStatuses") if pods else None
    return (statuses or [{}])[0].get("state", {})


def volumes(sim, kubectl, create):
    """configMap and secret volumes as the kubelet mounts them (keys as files, items renaming
    them, a secret's data decoded); a missing source holds the container in ContainerCreating
    until it exists."""
    ran("create a ConfigMap", create({"apiVersion": "v1", "kind": "ConfigMap",
                                      "metadata": {"name": "conf", "namespace": NS},
                                      "data": {"drill.yaml": "steps: []\n"}}))
    ran("create a Secret", create({"apiVersion": "v1", "kind": "Secret",
                                   "metadata": {"name": "tok", "namespace": NS},
                                   "data": {"token": "czNjcjN0LXRva2Vu"}}))
    ran("create a Job that reads its volumes", create(mounting_job("mounts", [
        {"name": "conf", "configMap": {"name": "conf"}},
        {"name": "tok", "secret": {"secretName": "tok",
                                   "items": [{"key": "token", "path": "sub/t"}]}}],
        ["/mnt/conf/drill.yaml", "/mnt/tok/sub/t"])))
    ran("wait for the reader", kubectl("wait", "--for=condition=complete", "job/mounts", "-n", NS,
                                       "--timeout=20s"))
    pods = job_pods(sim, "mounts")
    out = ran("logs of the reader", kubectl("logs", "-n", NS, pods[0]["metadata"]["name"])) \
        if pods else ""
    expect(out.splitlines() == ["steps: []", "s3cr3t-token"], "the worker reads the configMap's key and the "
           "secret's item at their mount paths, the secret decoded", out)

    ran("create a Job whose configMap is missing", create(mounting_job("waits", [
        {"name": "late", "configMap": {"name": "late"}}], ["/mnt/late/x"])))
    waiting = sim.eventually(lambda: container_state(sim, "waits").get("waiting"), limit=10) or {}
    expect(waiting.get("reason") == "ContainerCreating" and
           'MountVolume.SetUp failed for volume "late" : configmap "late" not found' in
           waiting.get("message", ""), "a missing configMap holds the container in "
           "ContainerCreating with the kubelet's FailedMount message", waiting)
    expect(not [p for p in sim.processes() if p["pod"].startswith("waits-")],
           "no process runs before its volume can be mounted", sim.processes())
    ran("create the missing ConfigMap", create({"apiVersion": "v1", "kind": "ConfigMap",
                                                "metadata": {"name": "late", "namespace": NS},
                                                "data": {"x": "here"}}))
    ran("wait once the configMap exists", kubectl("wait", "--for=condition=complete", "job/waits",
                                                  "-n", NS, "--timeout=20s"))

def killed_pod(sim, create):
    ran("create a Job to kill", create(job("victim", "sleep 60", completions=1,
                                           backoff_limit=0)))
    expect(bool(running_pids(sim, "victim")), "the worker to kill runs")
    pods = job_pods(sim, "victim")
    if not pods:
        return
    killed = sim.sim("kill", {"namespace": NS, "pod": pods[0]["metadata"]["name"]})
    expect(killed.get("pids"), "/_sim/kill names the killed process", killed)
    state = sim.eventually(lambda: condition(sim.find("jobs", NS, "victim"), "Failed") and
                           sim.find("jobs", NS, "victim"), limit=10)
    pod = sim.find("pods", NS, pods[0]["metadata"]["name"]) or {}
    terminated = ((pod.get("status") or {}).get("containerStatuses") or [{}])[0].get(
        "state", {}).get("terminated", {})
    expect(state and terminated.get("exitCode") == 137 and terminated.get("reason") == "Error",
           "a SIGKILLed worker exits 137 and fails its Job", (state, pod.get("status")))


def deadline_and_ttl(sim, kubectl, create):
    ran("create a Job with a deadline", create(job("slow", "sleep 60 & wait", completions=2,
                                                   activeDeadlineSeconds=1)))
    pids = running_pids(sim, "slow")
    ran("wait for the deadline", kubectl("wait", "--for=condition=failed", "job/slow", "-n", NS,
                                         "--timeout=20s"))
    failed = condition(sim.find("jobs", NS, "slow"), "Failed") or {}
    expect(failed.get("reason") == "DeadlineExceeded",
           "activeDeadlineSeconds fails the Job with DeadlineExceeded", failed)
    expect(sim.eventually(lambda: not any(group_members(pid) for pid in pids), limit=10),
           "the deadline kills the running workers", pids)
    ran("create a Job with a TTL", create(job("brief", "true", completions=2,
                                              ttlSecondsAfterFinished=1)))
    expect(sim.eventually(lambda: condition(sim.find("jobs", NS, "brief"), "Complete"),
                          limit=10), "the Job with a TTL completes")
    expect(sim.eventually(lambda: sim.find("jobs", NS, "brief") is None and
                          not job_pods(sim, "brief"), limit=10),
           "ttlSecondsAfterFinished deletes the finished Job and its pods")


def killed_simulator(seed):
    """A SIGKILLed simulator cannot clean up: its watchdog must."""
    with Simulator(SOURCE, seed, run_images=RUN_IMAGES) as sim:
        code, out, err = creator(kubectl_runner(sim, sim.dir), sim.dir)(
            job("orphan", "sleep 60 & wait", completions=1))
        expect(code == 0, "create a Job on a simulator about to be killed", err)
        pids = running_pids(sim, "orphan")
        expect(len(pids) >= 2, "its worker runs", pids)
        os.kill(sim.process.pid, signal.SIGKILL)
        sim.process.wait(timeout=10)
        expect(sim.eventually(lambda: not any(group_members(pid) for pid in pids), limit=10),
               "no process outlives a SIGKILLed simulator", pids)


if __name__ == "__main__":
    sys.exit(main())

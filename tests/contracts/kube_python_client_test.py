#!/usr/bin/env python3
"""The Kubernetes API simulator (tests/fixtures/kube_api_simulator.py) held to the official
Kubernetes Python client (Debian's python3-kubernetes), which nobody here wrote: every answer the
client asks for is deserialized into its typed models with client-side validation on, so a
required field the simulator leaves out (a node's NodeSystemInfo, a container status's imageID,
an HPA status's desiredReplicas) or a wrong type fails here as it would fail a real client.
Requests the client builds as a real API server takes them (an Eviction without apiVersion and
kind, which the server defaults) must be accepted.

Usage: kube_python_client_test.py SOURCE_DIR FIREDRILL_BINARY (run with /usr/bin/python3).
FIREDRILL_KUBE_SIMULATOR names another simulator script to run it against.
"""

import json
import os
import sys

SOURCE = sys.argv[1]
sys.path.insert(0, os.path.join(SOURCE, "tests", "contracts"))
from kube_sim import (Results, Simulator, deployment, hpa, namespace, node, pdb,  # noqa: E402
                      ready_pods)

try:
    import kubernetes  # noqa: E402
    from kubernetes import client, config, watch  # noqa: E402
except ImportError:
    sys.exit("the official Kubernetes Python client is missing: apt-get install python3-kubernetes")

NS = "shop"
results = Results()
expect = results.expect


def typed(what, call, *args, **kwargs):
    """Calls the client; its typed answer, or None after recording why it could not be had."""
    try:
        return call(*args, **kwargs)
    except (ValueError, TypeError) as e:  # the models' validation
        expect(False, "%s deserializes into the client's models" % what, repr(e))
    except client.ApiException as e:
        expect(False, "%s is answered" % what, "%s %s" % (e.status, e.body))
    except Exception as e:  # noqa: BLE001  (anything else the client raises is a failure too)
        expect(False, "%s works" % what, repr(e))
    return None


def answered(what, call, *args, **kwargs):
    value = typed(what, call, *args, **kwargs)
    if value is not None:
        expect(True, what)
    return value


def main():
    seed = {"objects": [namespace(NS), node("node-a"), node("node-b", {"pool": "spot"}),
                        deployment("web", NS, 2), hpa("web", NS, 2, 5),
                        deployment("api", NS, 1), deployment("db", NS, 1),
                        pdb("db", NS, "db", 1)]}
    with Simulator(SOURCE, seed) as sim:
        cfg = client.Configuration()
        config.load_kube_config(config_file=sim.kubeconfig, client_configuration=cfg)
        cfg.client_side_validation = True
        with client.ApiClient(cfg) as api:
            try:
                drill(sim, api)
            finally:
                if results.failed:
                    print("simulator log (end):\n" + sim.log()[-3000:])
    print("kubernetes client", kubernetes.__version__)
    return results.finish()


def drill(sim, api):
    core, apps = client.CoreV1Api(api), client.AppsV1Api(api)
    version = answered("GET /version", client.VersionApi(api).get_code)
    expect(version is not None and version.git_version == "v1.30.0", "the server is a 1.30",
           version)
    groups = answered("GET /apis", client.ApisApi(api).get_api_versions)
    expect(groups is not None and {"apps", "autoscaling", "policy"} <=
           {g.name for g in groups.groups}, "/apis lists the groups firedrill calls", groups)
    answered("GET /api", client.CoreApi(api).get_api_versions)
    resources = answered("GET /api/v1", core.get_api_resources)
    expect(resources is not None and "pods/eviction" in {r.name for r in resources.resources},
           "/api/v1 lists the eviction subresource", resources)
    answered("GET /apis/apps/v1", apps.get_api_resources)

    expect(len(ready_pods(sim, NS, "web", 2)) == 2, "the simulator runs the web pods")
    nodes = answered("list nodes", core.list_node)
    if nodes is not None:
        expect({n.metadata.name for n in nodes.items} == {"node-a", "node-b"},
               "the nodes are the seeded ones", nodes.items)
        info = nodes.items[0].status.node_info
        expect(info.architecture == "amd64" and info.operating_system == "linux",
               "a node's system info is filled as a kubelet fills it", info)
    answered("read a node", core.read_node, "node-b")
    answered("list nodes by label", core.list_node, label_selector="pool=spot")
    answered("list namespaces", core.list_namespace)

    pods = answered("list pods", core.list_namespaced_pod, NS, label_selector="app=web")
    if pods is not None and pods.items:
        name = pods.items[0].metadata.name
        pod = answered("read a pod", core.read_namespaced_pod, name, NS)
        if pod is not None:
            expect(pod.status.container_statuses[0].ready is True,
                   "the pod's container status says ready", pod.status)
        answered("read a pod's status", core.read_namespaced_pod_status, name, NS)
        sim.sim("log", {"namespace": NS, "pod": name, "line": "python client log line"})
        text = answered("read a pod's log", core.read_namespaced_pod_log, name, NS)
        expect(text is not None and "python client log line" in text,
               "the log API answers the container's lines", text)
        answered("list pods across namespaces by node", core.list_pod_for_all_namespaces,
                 field_selector="spec.nodeName=" + pods.items[0].spec.node_name)
        events = answered("list events", core.list_namespaced_event, NS,
                          field_selector="involvedObject.name=" + name)
        expect(events is not None and all(e.involved_object.name == name for e in events.items)
               and events.items, "the pod's events are picked by field selector", events)
        # Only events recorded through events.k8s.io/v1 (the scheduler's) have an eventTime,
        # which that API's model requires: a real server answers the kubelet's core/v1 events
        # there with eventTime null, which this client cannot read either.
        scheduled = answered("list events.k8s.io/v1 events",
                             client.EventsV1Api(api).list_namespaced_event, NS,
                             field_selector="reportingController=default-scheduler")
        expect(scheduled is not None and scheduled.items and
               all(e.reason == "Scheduled" and e.regarding.kind == "Pod" and e.event_time
                   for e in scheduled.items),
               "the scheduler's events read as events.k8s.io/v1 Events", scheduled)

    answered("list deployments", apps.list_namespaced_deployment, NS)
    answered("read a deployment", apps.read_namespaced_deployment, "web", NS)
    answered("read a deployment's scale", apps.read_namespaced_deployment_scale, "api", NS)
    scaled = answered("patch a deployment's scale", apps.patch_namespaced_deployment_scale,
                      "api", NS, {"spec": {"replicas": 2}})
    expect(scaled is not None and scaled.spec.replicas == 2 and
           sim.find("deployments", NS, "api")["spec"]["replicas"] == 2,
           "the scale patch sets spec.replicas", scaled)
    patched = answered("strategic-merge patch a deployment", apps.patch_namespaced_deployment,
                       "api", NS, {"spec": {"template": {"spec": {"containers": [
                           {"name": "api", "image": "nginx:1.27"}]}}}})
    expect(patched is not None and patched.spec.template.spec.containers[0].image == "nginx:1.27"
           and patched.spec.template.spec.containers[0].resources.requests["cpu"] == "100m",
           "the patch sets the image and keeps the rest of the container", patched)
    # This client predates autoscaling/v2 (1.23); its v2beta2 models have the same fields.
    hpas = answered("list HPAs (autoscaling/v2)", api.call_api,
                    "/apis/autoscaling/v2/namespaces/{namespace}/horizontalpodautoscalers",
                    "GET", {"namespace": NS}, header_params={"Accept": "application/json"},
                    response_type="V2beta2HorizontalPodAutoscalerList", auth_settings=["BearerToken"],
                    _return_http_data_only=True)
    expect(hpas is not None and hpas.items and hpas.items[0].spec.max_replicas == 5,
           "the HPA reads back", hpas)
    answered("list PodDisruptionBudgets",
             client.PolicyV1Api(api).list_namespaced_pod_disruption_budget, NS)
    answered("list Roles", client.RbacAuthorizationV1Api(api).list_namespaced_role, NS)

    evict(sim, core)
    watch_pods(sim, core)
    jobs(sim, api)
    group_binding(api)


def jobs(sim, api):
    """batch/v1 Jobs read into V1Job: the defaults and generated selector of the API server, and
    the status the Job controller writes. The API's default for a DELETE of a batch/v1 Job is to
    orphan its pods."""
    batch = client.BatchV1Api(api)
    created = answered("create a Job", batch.create_namespaced_job, NS, client.V1Job(
        metadata=client.V1ObjectMeta(name="backfill"),
        spec=client.V1JobSpec(completion_mode="Indexed", completions=2, parallelism=2,
                              template=client.V1PodTemplateSpec(spec=client.V1PodSpec(
                                  restart_policy="Never", containers=[client.V1Container(
                                      name="backfill", image="busybox:1.36")])))))
    expect(created is not None and created.spec.backoff_limit == 6 and
           created.spec.selector.match_labels == {
               "batch.kubernetes.io/controller-uid": created.metadata.uid},
           "the created Job has the API server's defaults and generated selector", created)
    running = sim.eventually(lambda: (sim.find("jobs", NS, "backfill") or {}).get(
        "status", {}).get("ready") == 2)
    expect(running, "the Job controller runs both indexes")
    job = answered("read a Job", batch.read_namespaced_job, "backfill", NS)
    expect(job is not None and job.status.active == 2 and job.status.start_time is not None,
           "the Job's status counts its active pods", job and job.status)
    answered("read a Job's status", batch.read_namespaced_job_status, "backfill", NS)
    listed = answered("list Jobs", batch.list_namespaced_job, NS)
    expect(listed is not None and [j.metadata.name for j in listed.items] == ["backfill"],
           "the Job is listed", listed)
    pods = [p["metadata"]["name"] for p in sim.objects("pods", NS)
            if p["metadata"].get("labels", {}).get("job-name") == "backfill"]
    answered("delete a Job (the API's default propagation)", batch.delete_namespaced_job,
             "backfill", NS)
    left = [sim.find("pods", NS, name) for name in pods]
    expect(sim.find("jobs", NS, "backfill") is None and len(pods) == 2 and
           all(p and not p["metadata"].get("ownerReferences") for p in left),
           "deleting a batch/v1 Job without propagationPolicy orphans its pods", left)


def group_binding(api):
    """A RoleBinding to a Group binds every user in it: alice's certificate says O=drillers. Once
    bound, alice may do what the Role allows and nothing else."""
    rbac, core = client.RbacAuthorizationV1Api(api), client.CoreV1Api(api)
    answered("create a Role", rbac.create_namespaced_role, NS, client.V1Role(
        metadata=client.V1ObjectMeta(name="pod-reader"),
        rules=[client.V1PolicyRule(api_groups=[""], resources=["pods"], verbs=["get", "list"])]))
    answered("create a RoleBinding to a Group", rbac.create_namespaced_role_binding, NS,
             client.V1RoleBinding(
                 metadata=client.V1ObjectMeta(name="drillers-read-pods"),
                 role_ref=client.V1RoleRef(api_group="rbac.authorization.k8s.io", kind="Role",
                                           name="pod-reader"),
                 subjects=[client.V1Subject(api_group="rbac.authorization.k8s.io",
                                            kind="Group", name="drillers")]))
    answered("list pods as a member of the bound group", core.list_namespaced_pod, NS)
    try:
        core.list_node(_preload_content=False)  # the answer's status only, not its models
        expect(False, "the group's Role does not let alice list nodes")
    except client.ApiException as e:
        expect(e.status == 403 and 'cannot list resource "nodes"' in
               json.loads(e.body).get("message", ""),
               "what the group's Role does not allow is forbidden (403)", e.body)


def evict(sim, core):
    web = ready_pods(sim, NS, "web", 2)
    if not web:
        return
    victim = web[0]["metadata"]["name"]
    # The client leaves out apiVersion and kind when they are None; a real API server defaults
    # them from the endpoint, so this is a valid eviction.
    body = client.V1Eviction(metadata=client.V1ObjectMeta(name=victim, namespace=NS))
    expect(body.api_version is None and body.kind is None, "the eviction is sent bare")
    answered("evict a pod with a bare Eviction", core.create_namespaced_pod_eviction, victim, NS,
             body)
    expect(sim.eventually(lambda: sim.find("pods", NS, victim) is None),
           "the evicted pod goes away")
    # The one db pod is all its budget (minAvailable 1) allows: evicting it must be refused.
    db = ready_pods(sim, NS, "db", 1)
    if not db:
        return
    name = db[0]["metadata"]["name"]
    try:
        core.create_namespaced_pod_eviction(
            name, NS, client.V1Eviction(metadata=client.V1ObjectMeta(name=name)))
        expect(False, "an eviction that would break the budget is refused")
    except client.ApiException as e:
        expect(e.status == 429 and "disruption budget" in e.body,
               "an eviction that would break the budget is refused with 429", e.body)
    expect(sim.find("pods", NS, name) is not None and
           "deletionTimestamp" not in sim.find("pods", NS, name)["metadata"],
           "the refused eviction leaves the pod alone")


def watch_pods(sim, core):
    web = ready_pods(sim, NS, "web", 2)
    if not web:
        return
    pods = typed("list pods for a watch", core.list_namespaced_pod, NS)
    if pods is None:
        return
    victim = web[0]["metadata"]["name"]
    # Deleted before the watch starts: a watch from the list's resourceVersion still sees it.
    typed("delete a pod", core.delete_namespaced_pod, victim, NS)
    seen = []
    w = watch.Watch()
    try:
        for event in w.stream(core.list_namespaced_pod, NS, label_selector="app=web",
                              resource_version=pods.metadata.resource_version,
                              timeout_seconds=15):
            obj = event["object"]
            expect(isinstance(obj, client.V1Pod), "a watch event deserializes into a V1Pod",
                   event)
            seen.append((event["type"], obj.metadata.name))
            if ("DELETED", victim) in seen and any(t == "ADDED" for t, _ in seen):
                w.stop()
    except Exception as e:  # noqa: BLE001
        expect(False, "the pod watch streams", repr(e))
    expect(("DELETED", victim) in seen, "the watch reports the deleted pod", seen)
    expect(any(t == "ADDED" and n != victim for t, n in seen),
           "the watch reports the replacement pod", seen)


if __name__ == "__main__":
    sys.exit(main())

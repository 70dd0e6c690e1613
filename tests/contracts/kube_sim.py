"""The Kubernetes API simulator (tests/fixtures/kube_api_simulator.py) as the contract tests start
it: a throw-away CA, a server certificate for 127.0.0.1, a client certificate for user "alice",
a seed of cluster objects, and the kubeconfig the simulator writes for that certificate.

FIREDRILL_KUBE_SIMULATOR names another simulator script (to show that a test fails against an
older one).
"""

import json
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request


def simulator_script(source):
    return os.environ.get("FIREDRILL_KUBE_SIMULATOR") or os.path.join(
        source, "tests", "fixtures", "kube_api_simulator.py")


def openssl(*args, cwd):
    result = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True,
                            timeout=60)
    if result.returncode != 0:
        raise RuntimeError("openssl %s: %s" % (args[0], result.stderr))


def make_certificates(d):
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
            "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=firedrill test CA",
            cwd=d)
    for name, subject, usage in (
            ("server", "/CN=localhost",
             "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n"),
            ("alice", "/CN=alice/O=drillers", "extendedKeyUsage=clientAuth\n")):
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\n" +
                    usage)
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject, cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                "-CAcreateserial", "-out", name + ".pem", "-days", "2", "-extfile",
                name + ".ext", cwd=d)


def namespace(name):
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}


def node(name, labels=None):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": dict(labels or {})}}


def deployment(name, ns, replicas, image="nginx:1.25", cpu="100m"):
    container = {"name": name, "image": image,
                 "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}}}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "namespace": ns, "labels": {"app": name}},
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                     "template": {"metadata": {"labels": {"app": name}},
                                  "spec": {"containers": [container]}}}}


def hpa(name, ns, lo, hi, utilization=50):
    return {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                        "name": name},
                     "minReplicas": lo, "maxReplicas": hi,
                     "metrics": [{"type": "Resource", "resource": {
                         "name": "cpu", "target": {"type": "Utilization",
                                                   "averageUtilization": utilization}}}]}}


def pdb(name, ns, app, min_available):
    return {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
            "metadata": {"name": name, "namespace": ns},
            "spec": {"minAvailable": min_available,
                     "selector": {"matchLabels": {"app": app}}}}


class Simulator:
    """One simulator process; `with Simulator(source, seed) as sim:` stops it afterwards."""

    def __init__(self, source, seed, keep_dir=False, run_images=None):
        self.dir = tempfile.mkdtemp(prefix="kube-contract-")
        self.keep_dir = keep_dir
        self.process = None
        make_certificates(self.dir)
        seed = json.loads(json.dumps(seed))
        seed.setdefault("auth", {}).setdefault("tokens", {})["contract-token"] = "alice"
        with open(os.path.join(self.dir, "seed.json"), "w") as f:
            json.dump(seed, f)
        port_file = os.path.join(self.dir, "port")
        self.log_path = os.path.join(self.dir, "simulator.log")
        self.log_file = open(self.log_path, "w")
        d = self.dir
        self.process = subprocess.Popen(
            [sys.executable, "-B", simulator_script(source), "--seed", d + "/seed.json",
             "--cert", d + "/server.pem", "--key", d + "/server.key", "--client-ca",
             d + "/ca.pem", "--port-file", port_file, "--kubeconfig-dir", d,
             "--client-cert", d + "/alice.pem", "--client-key", d + "/alice.key"] +
            ["--run-image=%s=%s" % kv for kv in (run_images or {}).items()],
            stdout=self.log_file, stderr=subprocess.STDOUT)
        self.port = 0
        deadline = time.time() + 20
        while time.time() < deadline and not self.port:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read()
                if text.endswith("\n"):
                    self.port = int(text)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        if not self.port:
            self.stop()
            raise RuntimeError("the simulator did not start: " + self.log())
        self.server = "https://127.0.0.1:%d" % self.port
        self.kubeconfig = os.path.join(self.dir, "client-cert.kubeconfig")
        self.ssl = ssl.create_default_context(cafile=os.path.join(self.dir, "ca.pem"))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.log_file.close()
        if not self.keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        try:
            with open(self.log_path) as f:
                return f.read()
        except OSError:
            return ""

    def sim(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.server + "/_sim/" + path, data=data,
                                         method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, context=self.ssl, timeout=10) as r:
            return json.loads(r.read())

    def state(self):
        return self.sim("state")

    def objects(self, plural, ns=None):
        return [o for o in self.state().get(plural, [])
                if ns is None or o["metadata"].get("namespace", "") == ns]

    def find(self, plural, ns, name):
        return next((o for o in self.objects(plural, ns) if o["metadata"]["name"] == name), None)

    def requests(self):
        return self.sim("requests")

    def processes(self):
        return self.sim("processes")

    @staticmethod
    def eventually(done, limit=20.0, every=0.1):
        """Polls `done` until it holds, at most `limit` seconds; its last value."""
        deadline = time.time() + limit
        value = done()
        while not value and time.time() < deadline:
            time.sleep(every)
            value = done()
        return value


def pod_ready(pod):
    return any(c["type"] == "Ready" and c["status"] == "True"
               for c in (pod.get("status") or {}).get("conditions") or [])


def live_pods(sim, ns, app=None):
    return [p for p in sim.objects("pods", ns)
            if "deletionTimestamp" not in p["metadata"] and
            (app is None or p["metadata"].get("labels", {}).get("app") == app)]


def ready_pods(sim, ns, app, want):
    """The `want` live pods of `app`, once they are all ready (waits for it); [] if they are not."""
    def done():
        pods = live_pods(sim, ns, app)
        return pods if len(pods) == want and all(pod_ready(p) for p in pods) else None
    return sim.eventually(done) or []


class Results:
    """Collects the outcome of each expectation; the test's exit code."""

    def __init__(self):
        self.passed, self.failed = 0, []

    def expect(self, ok, what, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed.append(what)
            print("FAILED: %s%s" % (what, ("\n  " + str(detail)[:4000]) if detail else ""),
                  flush=True)
        return ok

    def finish(self):
        print("%d expectations held, %d failed" % (self.passed, len(self.failed)))
        for f in self.failed:
            print("  failed:", f)
        return 1 if self.failed or not self.passed else 0

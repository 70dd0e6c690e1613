"""The Loki contract server against a real Loki's recorded answers.

tests/fixtures/recorded/loki-2.7.5-query-range.{md,json} hold what Grafana Loki 2.7.5 answered to
18 query_range requests after a known set of lines was pushed. This test gives the contract server
the same lines in the same push order, sends the same requests and compares each answer,
normalised as the recording is, with the recorded one. It also checks that LogQL the server does
not implement is refused with 400 rather than ignored.

Usage: loki_recorded_answers_test.py SOURCE_DIR [FIREDRILL_BINARY]
LOKI_CONTRACT_SERVER=path runs it against another server script.
"""

import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

SOURCE = sys.argv[1]
SERVER = os.environ.get("LOKI_CONTRACT_SERVER") or os.path.join(
    SOURCE, "tests", "fixtures", "loki_contract_server.py")
RECORDED = os.path.join(SOURCE, "tests", "fixtures", "recorded", "loki-2.7.5-query-range.json")

T = (int(time.time()) - 60) * 1_000_000_000
RUN = "drill-" + uuid.uuid4().hex[:8]
MAIN = {"job": "rc", "run": RUN}
OTHER = {"job": "rc", "run": RUN, "ns": "other"}
# (labels, offset in ns from T, line), in push order: the recording's table.
PUSHED = [
    (MAIN, 0, "a OOMKilled"),
    (MAIN, 1000, "b OOMKilled"),
    (OTHER, 1000, "x OOMKilled"),
    (MAIN, 2000, "z tie OOMKilled"),
    (MAIN, 2000, "a tie OOMKilled"),
    (OTHER, 2000, "y OOMKilled"),
    (MAIN, 3000, "GET / 200"),
    (MAIN, 4000, "e OOMKilled"),
]
S = '{job="rc",run="%s"}' % RUN
# key -> (query, start, end, limit, direction), as the recording's second table gives them.
REQUESTS = {
    "forward, every line, |= filter": (S + ' |= "OOMKilled"', 0, 10000, 100, "forward"),
    "forward, two |= filters": (S + ' |= "OOM" |= "tie"', 0, 10000, 100, "forward"),
    "forward, limit 2 (firedrill's paging)": (S, 0, 10000, 2, "forward"),
    "forward, limit 3 cut inside a cross-stream tie": (S, 0, 10000, 3, "forward"),
    "forward, limit 5 cut inside a same-stream tie": (S, 0, 10000, 5, "forward"),
    "order of same-nanosecond lines of one stream": (S + ' |= "tie"', 0, 10000, 100, "forward"),
    "forward, next page from the tie (start inclusive)": (S, 2000, 10000, 100, "forward"),
    "end is exclusive": (S, 0, 2000, 100, "forward"),
    "backward, limit 2": (S, 0, 10000, 2, "backward"),
    "no line matches": (S + ' |= "nothing-like-this"', 0, 10000, 100, "forward"),
    "limit 0": (S, 0, 10000, 0, "forward"),
    "limit 5001 (over max_entries_limit_per_query 5000)": (S, 0, 10000, 5001, "forward"),
    "start after end": (S, 5000, 1000, 100, "forward"),
    "regex label matcher =~": ('{job="rc",run=~"%s-nomatch|none"}' % RUN, 0, 10000, 100,
                               "forward"),
    "negative label matcher !=": ('{job="rc",run="%s",ns!="other"}' % RUN, 0, 10000, 100,
                                  "forward"),
    "line filter != ": (S + ' != "GET"', 0, 10000, 100, "forward"),
    "line filter |~ (regex)": (S + ' |~ "tie|GET"', 0, 10000, 100, "forward"),
    'empty-value matcher ns=""': ('{job="rc",run="%s",ns=""}' % RUN, 0, 10000, 100, "forward"),
}
# Real LogQL this server does not implement: each must be refused with 400, never ignored.
UNIMPLEMENTED = [
    S + " | json",
    S + " | logfmt | level=\"error\"",
    S + ' |= "OOM" | line_format "{{.msg}}"',
    "rate(%s[1m])" % S,
    "sum by (ns) (count_over_time(%s[1m]))" % S,
    '{job="rc",run=~"(?P<x>drill)-.*"}',
]

failures = []


def scenario():
    streams = []
    for labels, offset, line in PUSHED:
        for s in streams:
            if s["stream"] == labels:
                break
        else:
            s = {"stream": dict(labels), "values": []}
            streams.append(s)
        s["values"].append([str(T + offset), line])
    return {"streams": streams}


def normalise(status, body):
    """As the recording is: the status class of an error; else resultType and, per stream
    (keyed by its ns label, "-" without one), [offset from T, line] in the order returned."""
    if status != 200:
        return {"status": status}
    data = json.loads(body)["data"]
    streams = {}
    for s in data["result"]:
        key = s["stream"].get("ns", "-")
        streams[key] = [[int(ts) - T, line] for ts, line in s["values"]]
    return {"status": 200, "resultType": data["resultType"], "streams": streams}


def get(port, query, start, end, limit, direction):
    params = urllib.parse.urlencode({"query": query, "start": T + start, "end": T + end,
                                     "limit": limit, "direction": direction})
    url = "http://127.0.0.1:%d/loki/api/v1/query_range?%s" % (port, params)
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main():
    with open(RECORDED) as f:
        recorded = json.load(f)
    if set(recorded) != set(REQUESTS):
        failures.append("the requests here are not the recording's: %s"
                        % sorted(set(recorded) ^ set(REQUESTS)))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "scenario.json"), "w") as f:
            json.dump(scenario(), f)
        port_file = os.path.join(tmp, "port")
        log = open(os.path.join(tmp, "server.log"), "w+")
        server = subprocess.Popen([sys.executable, "-B", SERVER, "--scenario",
                                   os.path.join(tmp, "scenario.json"), "--port-file", port_file],
                                  stdout=log, stderr=subprocess.STDOUT)
        try:
            for _ in range(200):
                if os.path.exists(port_file):
                    break
                time.sleep(0.05)
            else:
                log.seek(0)
                sys.exit("the Loki contract server did not start:\n" + log.read())
            port = int(open(port_file).read())
            for key, request in REQUESTS.items():
                got = normalise(*get(port, *request))
                if got != recorded.get(key):
                    failures.append("%s\n  query %r\n  real Loki: %s\n  this server: %s"
                                    % (key, request[0], json.dumps(recorded.get(key)),
                                       json.dumps(got)))
            for query in UNIMPLEMENTED:
                status, body = get(port, query, 0, 10000, 100, "forward")
                if status != 400:
                    failures.append("%r is not implemented here, yet it was answered %d: %s"
                                    % (query, status, body[:200]))
        finally:
            server.terminate()
            server.wait(timeout=10)
    for f in failures:
        print("FAILED:", f, flush=True)
    print("%d of %d recorded answers and %d refusals checked, %d failed"
          % (len(REQUESTS), len(recorded), len(UNIMPLEMENTED), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

"""The Loki contract server against a real Loki's recorded answers.

tests/fixtures/recorded/loki-2.7.5-query-range.{md,json} hold what Grafana Loki 2.7.5 answered to
18 query_range requests after a known set of lines was pushed. This test gives the contract server
the same lines in the same push order, sends the same requests and compares each answer,
normalised as the recording is, with the recorded one. It also checks that LogQL the server does
not implement is refused with 400 rather than ignored, and that LogQL Loki refuses as a parse
error is refused here too.

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
# Real LogQL (Loki 2.7.5 answers each with 200) this server does not implement: each must be
# refused with 400 saying so, never answered as if the unknown part were not there (nor refused
# as a syntax error, which would hide that this server does not know it).
UNIMPLEMENTED = [
    S + " | json",
    S + ' | logfmt | level="error"',
    S + ' | pattern "<ip> <_>"',
    S + r' | regexp "(?P<word>\\w+)"',
    S + ' |= "OOM" | line_format "{{.msg}}"',
    S + ' | label_format ns=job',
    S + ' |= ip("10.0.0.1")',
    S + " # a comment",
    "rate(%s[1m])" % S,
    "sum by (ns) (count_over_time(%s[1m]))" % S,
    # Regexes RE2 reads otherwise than Python's re: a POSIX class, a Unicode class, {,n}.
    '{job="rc",run=~"[[:alnum:]-]+"}',
    r'{job="rc",run=~"\\pL+-.*"}',
    S + ' |~ "x{,2}"',
]

# LogQL real Loki refuses: 400 and "parse error ..." as plain text. Go string escapes are not
# JSON's (\/ is JSON's only, \. is neither's); a selector needs a matcher that "" does not match.
PARSE_ERRORS = [
    S + r' |= "a\/b"',
    S + r' |= "\."',
    '{ns=""}',
    '{job=~".*",ns!="other"}',
    '{job="rc"',
    "{}",
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
    """As the recording is: the status class of an error (400 for any 4xx); else resultType
    and, per stream (keyed by its ns label, "-" without one), [offset from T, line] in the order
    returned."""
    if status != 200:
        return {"status": status // 100 * 100 if isinstance(status, int) else status}
    try:
        data = json.loads(body)["data"]
        streams = {}
        for s in data["result"]:
            key = s["stream"].get("ns", "-")
            streams[key] = [[int(ts) - T, line] for ts, line in s["values"]]
        return {"status": 200, "resultType": data["resultType"], "streams": streams}
    except (ValueError, KeyError, TypeError) as e:
        return {"status": 200, "resultType": "not a Loki answer (%r): %s" % (e, body[:200])}


def get(port, query, start, end, limit, direction):
    params = urllib.parse.urlencode({"query": query, "start": T + start, "end": T + end,
                                     "limit": limit, "direction": direction})
    url = "http://127.0.0.1:%d/loki/api/v1/query_range?%s" % (port, params)
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers.get("Content-Type", ""), answer.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()
    except OSError as e:  # the server closed the connection or is gone
        return "no answer (%s)" % e, "", ""


def shown(entries):
    return "(no such stream)" if entries is None else json.dumps(entries)


def differences(real, got):
    """What differs between two normalised answers, stream by stream."""
    if real is None:
        return ["the recording has no answer to this request"]
    out = ["%s: real Loki %s, this server %s"
           % (k, json.dumps(real.get(k)), json.dumps(got.get(k)))
           for k in ("status", "resultType") if real.get(k) != got.get(k)]
    real_streams, got_streams = real.get("streams", {}), got.get("streams", {})
    for ns in sorted(set(real_streams) | set(got_streams)):
        if real_streams.get(ns) != got_streams.get(ns):
            out.append("stream %s:\n      real Loki:   %s\n      this server: %s"
                       % ("without ns" if ns == "-" else "ns=" + ns,
                          shown(real_streams.get(ns)), shown(got_streams.get(ns))))
    return out


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
                status, content_type, body = get(port, *request)
                got = normalise(status, body)
                if got != recorded.get(key):
                    failures.append("%s\n  query %s, start %d, end %d, limit %d, %s\n    %s"
                                    % ((key,) + request + ("\n    ".join(
                                        differences(recorded.get(key), got)),)))
                elif status != 200 and not content_type.startswith("text/plain"):
                    # Loki's errors are the message as plain text, not JSON.
                    failures.append("%s: the error is %s, not text/plain: %s"
                                    % (key, content_type, body[:200]))
            for query in UNIMPLEMENTED:
                status, content_type, body = get(port, query, 0, 10000, 100, "forward")
                if (status != 400 or not content_type.startswith("text/plain")
                        or "not implemented" not in body):
                    failures.append("%s is not implemented here, yet it was answered %s (%s): %s"
                                    % (query, status, content_type, body[:200]))
            for query in PARSE_ERRORS:
                status, content_type, body = get(port, query, 0, 10000, 100, "forward")
                if (status != 400 or not content_type.startswith("text/plain")
                        or not body.startswith("parse error")):
                    failures.append("Loki refuses %s as a parse error; this server answered %s "
                                    "(%s): %s" % (query, status, content_type, body[:200]))
        finally:
            server.terminate()
            server.wait(timeout=10)
            log.seek(0)
            server_log = log.read()
            log.close()
    for f in failures:
        print("FAILED:", f, flush=True)
    if failures and server_log.strip():
        print("the server's output:\n" + server_log)
    print("%d of %d recorded answers, %d refusals of what is not implemented and %d parse errors "
          "checked, %d failed" % (len(REQUESTS), len(recorded), len(UNIMPLEMENTED),
                                  len(PARSE_ERRORS), len(failures)))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()

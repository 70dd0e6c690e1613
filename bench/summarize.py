#!/usr/bin/env python3
"""Turns the raw outputs of bench/run into bench/RESULTS.md.

usage: summarize.py RAW_DIR OUT_FILE

Every figure is read from the tool's own output (firedrill's JSON, the others' text summaries)
and from time(1): elapsed, user and system CPU seconds, peak RSS (KiB), exit status.
"""

import json
import re
import statistics
import sys
from pathlib import Path

H2_CONFIGS = ["h2c-16x10", "h2c-1x100", "h2-tls-16x10", "conns-10k-h2c", "conns-10k-h2-tls"]
THROUGHPUT_CONFIGS = ["h1", "h2c-16x10", "h2c-1x100", "h2-tls-16x10"]
CONN_CONFIGS = ["conns-10k-h2c", "conns-10k-h2-tls"]
SIGNALS = {6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 15: "SIGTERM"}


def read_tsv(path):
    if not path.exists():
        return []
    return [line.rstrip("\n").split("\t") for line in path.read_text().splitlines() if line]


def parse_time(path):
    """time(1) writes 'Command terminated by signal N' or 'exited with non-zero status N' first."""
    r = {"wall_s": None, "cpu_s": None, "maxrss_kib": None, "exit": None, "signal": None}
    if not path.exists():
        return r
    lines = path.read_text().splitlines()
    for line in lines:
        m = re.match(r"Command terminated by signal (\d+)", line)
        if m:
            r["signal"] = int(m.group(1))
    fields = lines[-1].split() if lines else []
    if len(fields) == 5:
        r["wall_s"] = float(fields[0])
        r["cpu_s"] = float(fields[1]) + float(fields[2])
        r["maxrss_kib"] = int(fields[3])
        r["exit"] = int(fields[4])
    return r


def seconds(value, unit):
    return float(value) / 1000 if unit == "ms" else float(value)


def parse_firedrill(base):
    try:
        doc = json.loads(Path(base + ".json").read_text())
    except (OSError, ValueError):
        return None
    rq = doc["requests"]
    out = {
        "completed": rq["completed"],
        "succeeded": rq["succeeded"],
        "errors": rq["completed"] - rq["succeeded"] + rq["dropped"] + rq["abandoned"],
        "rps": doc["rps"],
        "duration_s": doc["duration_s"],
        "started": rq["started"],
        "dropped": rq["dropped"],
        "p99_ms": doc["latency"]["percentiles_ms"]["p99"],
        "service_p99_ms": doc["service_time"]["percentiles_ms"]["p99"],
        "connections": doc["connections"]["established"],
    }
    if "send_lag" in doc:
        out["send_lag_p99_ms"] = doc["send_lag"]["percentiles_ms"]["p99"]
        out["quantum_ms"] = doc.get("pacer_quantum_ms", 0.0)
    if "rate_accuracy" in doc:
        out["intended"] = doc["intended"]["intended_requests"]
        out["rate_accuracy"] = doc["rate_accuracy"]
    return out


def parse_h2load(text):
    fin = re.search(r"finished in ([\d.]+)(ms|s), ([\d.]+) req/s", text)
    req = re.search(r"requests: (\d+) total, (\d+) started, (\d+) done, (\d+) succeeded, "
                    r"(\d+) failed, (\d+) errored, (\d+) timeout", text)
    if not fin or not req:
        return None
    total, started, done, ok, failed, errored, timeout = map(int, req.groups())
    return {"completed": done, "succeeded": ok, "errors": failed + errored + timeout,
            "rps": float(fin.group(3)), "duration_s": seconds(fin.group(1), fin.group(2)),
            "started": started}


def parse_wrk(text):
    m = re.search(r"(\d+) requests in ([\d.]+)(ms|s|m)", text)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if not m or not rps:
        return None
    done = int(m.group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    bad = int(non2xx.group(1)) if non2xx else 0
    errors = bad + (sum(map(int, sock.groups())) if sock else 0)
    dur = float(m.group(2)) * {"ms": 0.001, "s": 1, "m": 60}[m.group(3)]
    return {"completed": done, "succeeded": done - bad, "errors": errors,
            "rps": float(rps.group(1)), "duration_s": dur}


def parse_ab(text):
    done = re.search(r"Complete requests:\s+(\d+)", text)
    rps = re.search(r"Requests per second:\s+([\d.]+)", text)
    if not done or not rps:
        return None
    failed = re.search(r"Failed requests:\s+(\d+)", text)
    non2xx = re.search(r"Non-2xx responses:\s+(\d+)", text)
    taken = re.search(r"Time taken for tests:\s+([\d.]+)", text)
    bad = int(non2xx.group(1)) if non2xx else 0
    return {"completed": int(done.group(1)), "succeeded": int(done.group(1)) - bad,
            "errors": bad + (int(failed.group(1)) if failed else 0), "rps": float(rps.group(1)),
            "duration_s": float(taken.group(1)) if taken else None}


def parse_hey(text):
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    total = re.search(r"Total:\s+([\d.]+) secs", text)
    if not rps:
        return None
    status = re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)
    done = sum(int(n) for _, n in status)
    ok = sum(int(n) for code, n in status if code.startswith("2"))
    errors = 0
    if "Error distribution:" in text:
        errors = sum(int(n) for n in
                     re.findall(r"^\s+\[(\d+)\]\s+\S", text.split("Error distribution:")[1], re.M))
    return {"completed": done, "succeeded": ok, "errors": errors + done - ok,
            "rps": float(rps.group(1)), "duration_s": float(total.group(1)) if total else None}


def parse_run(tool, base):
    family = tool.split("-")[0]
    if family == "firedrill":
        return parse_firedrill(base)
    text = Path(base + ".out").read_text(errors="replace") if Path(base + ".out").exists() else ""
    return {"h2load": parse_h2load, "wrk": parse_wrk, "ab": parse_ab, "hey": parse_hey}[family](text)


def failure_reason(t, base):
    if t["signal"]:
        return f"killed by signal {t['signal']} ({SIGNALS.get(t['signal'], '?')})"
    if t["exit"] == 124:
        return "did not finish within its time limit"
    if t["exit"] == 128 + 13:
        return "killed by signal 13 (SIGPIPE)"
    if t["exit"] and t["exit"] > 128:
        sig = t["exit"] - 128
        return f"killed by signal {sig} ({SIGNALS.get(sig, '?')})"
    if t["exit"]:
        tail = ""
        p = Path(base + ".out")
        if p.exists():
            lines = [l for l in p.read_text(errors="replace").splitlines() if l.strip()]
            tail = f": {lines[-1][:160]}" if lines else ""
        return f"exit status {t['exit']}{tail}"
    return "no summary in its output"


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


class Result:
    """The runs of one tool in one configuration, summarised by per-metric medians."""

    def __init__(self, runs):
        self.runs = runs
        self.ok = [r for r in runs if r["ok"]]
        self.failures = [r for r in runs if not r["ok"]]

    def get(self, key):
        return median([r.get(key) for r in self.ok])

    def cpu_us_per_req(self):
        return median([r["cpu_s"] * 1e6 / r["completed"] for r in self.ok if r["completed"]])


def load(raw):
    results = {}
    for cfg, tool, rep, base in read_tsv(raw / "runs.tsv"):
        t = parse_time(Path(base + ".time"))
        parsed = parse_run(tool, base)
        run = {"rep": int(rep), **t}
        clean_exit = t["exit"] == 0 and not t["signal"]
        if parsed and parsed["completed"] > 0 and clean_exit:
            run.update(parsed)
            run["ok"] = True
        else:
            run["ok"] = False
            run["reason"] = failure_reason(t, base) if not clean_exit else "no requests completed"
            if parsed:
                run.update(parsed)
        results.setdefault(cfg, {}).setdefault(tool, []).append(run)
    return {cfg: {tool: Result(runs) for tool, runs in tools.items()}
            for cfg, tools in results.items()}


def fmt(v, digits=0, suffix=""):
    if v is None:
        return "—"
    return f"{v:,.{digits}f}{suffix}"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}×"


def mib(kib):
    return None if kib is None else kib / 1024


def runs_cell(res):
    return f"{len(res.ok)}/{len(res.runs)}"


def failure_notes(tools):
    notes = []
    for tool, res in tools.items():
        for r in res.failures:
            extra = ""
            if r.get("completed") is not None:
                extra = f"; its output counted {r['completed']:,} responses, {r.get('errors', 0):,} errors"
            notes.append(f"- **{tool}**, run {r['rep']}: {r['reason']} after {fmt(r['wall_s'], 1)} s "
                         f"(CPU {fmt(r['cpu_s'], 2)} s, peak RSS {fmt(mib(r['maxrss_kib']), 1)} MiB){extra}.")
    return notes


def commands_block(commands, cfg):
    rows = [(tool, cmd) for c, tool, cmd in commands if c == cfg]
    if not rows:
        return []
    width = max(len(t) for t, _ in rows)
    body = "\n".join(f"{tool.ljust(width)}  {cmd}" for tool, cmd in rows)
    return ["", "```", body, "```"]


def throughput_table(tools):
    fd = tools.get("firedrill")
    lines = ["| tool | requests/run | errors | req/s | CPU µs/req | peak RSS MiB | "
             "firedrill req/s ÷ tool | firedrill CPU/req ÷ tool | firedrill RSS ÷ tool | runs ok |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for tool, res in tools.items():
        is_fd = tool == "firedrill"
        lines.append("| " + " | ".join([
            f"**{tool}**" if is_fd else tool,
            fmt(res.get("completed")), fmt(res.get("errors")), fmt(res.get("rps")),
            fmt(res.cpu_us_per_req(), 2), fmt(mib(res.get("maxrss_kib")), 1),
            "" if is_fd or not fd else ratio(fd.get("rps"), res.get("rps")),
            "" if is_fd or not fd else ratio(fd.cpu_us_per_req(), res.cpu_us_per_req()),
            "" if is_fd or not fd else ratio(fd.get("maxrss_kib"), res.get("maxrss_kib")),
            runs_cell(res)]) + " |")
    return lines


def open_loop_table(tools, rate):
    lines = ["| tool | asked req/s | achieved req/s | achieved ÷ asked | sent ÷ intended | dropped | "
             "send quantum (ms) | send lag p99 (ms) | p99 from intended send (ms) | "
             "p99 service time (ms) | CPU µs/req | peak RSS MiB | runs ok |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for tool, res in tools.items():
        achieved = res.get("rps")
        sent = median([r["started"] / r["intended"] for r in res.ok if r.get("intended")])
        lines.append("| " + " | ".join([
            f"**{tool}**" if tool == "firedrill" else tool, fmt(rate), fmt(achieved),
            "—" if achieved is None else f"{achieved / rate:.4f}",
            "—" if sent is None else f"{sent:.4f}", fmt(res.get("dropped")),
            fmt(res.get("quantum_ms"), 2), fmt(res.get("send_lag_p99_ms"), 2),
            fmt(res.get("p99_ms"), 2), fmt(res.get("service_p99_ms"), 2),
            fmt(res.cpu_us_per_req(), 2), fmt(mib(res.get("maxrss_kib")), 1), runs_cell(res)]) + " |")
    return lines


def open_rate(meta, cfg):
    """The rate an open-loop configuration asked for (raw outputs before per-configuration rates
    had one `rate` for all)."""
    return float(meta.get("rate." + cfg) or meta.get("rate") or 20000)


def open_loop_targets(results, cfg, rate, closed_cpu):
    """The open-loop targets of one configuration: rows of the targets table, and their verdicts."""
    tools = results.get(cfg, {})
    fd, exact = tools.get("firedrill"), tools.get("firedrill-exact")
    if not fd:
        return [], []
    rows, verdicts = [], []

    def add(target, measured, met):
        rows.append(f"| {target} | {cfg} | {measured} | {verdict(met)} |")
        verdicts.append(met)

    achieved = fd.get("rps")
    worst = max((abs(r["rps"] / rate - 1) for r in fd.ok), default=None)
    add("achieved rate within 1% of asked, 0 dropped",
        "no completed run" if achieved is None else
        f"{achieved:,.0f} of {rate:,.0f} req/s ({achieved / rate:.4f}; worst run off by "
        f"{worst * 100:.2f}%), {fd.get('dropped'):,.0f} dropped",
        None if achieved is None else abs(achieved / rate - 1) <= 0.01 and fd.get("dropped") == 0)
    cpu = fd.cpu_us_per_req()
    absolute = {(20000, "h2c"): 4.0, (100000, "h2c"): 3.0}.get((rate, cfg.split("-")[1]))
    if absolute is not None:
        add(f"client CPU per request ≤ {absolute:g} µs", f"{fmt(cpu, 2)} µs",
            None if cpu is None else cpu <= absolute)
    if closed_cpu is not None:
        add("client CPU per request ≤ 2.5× the closed loop's on the same server",
            f"{fmt(cpu, 2)} µs against {closed_cpu:.2f} µs ({fmt(None if cpu is None else cpu / closed_cpu, 2)}×)",
            None if cpu is None else cpu <= 2.5 * closed_cpu)
    lag, quantum = fd.get("send_lag_p99_ms"), fd.get("quantum_ms")
    add("send lag p99 ≤ the quantum", f"{fmt(lag, 3)} ms against {fmt(quantum, 3)} ms",
        None if lag is None or quantum is None else lag <= quantum)
    if exact:
        p99, exact_p99 = fd.get("p99_ms"), exact.get("p99_ms")
        add("corrected p99 within one quantum of the exact pacer's",
            f"{fmt(p99, 3)} ms against {fmt(exact_p99, 3)} ms + {fmt(quantum, 3)} ms",
            None if None in (p99, exact_p99, quantum) else p99 <= exact_p99 + quantum)
    return rows, verdicts


def per_conn_kib(tools, tool, conns):
    big, base = tools.get(tool), tools.get(tool + "-baseline")
    if not big or not base or big.get("maxrss_kib") is None or base.get("maxrss_kib") is None:
        return None
    return (big.get("maxrss_kib") - base.get("maxrss_kib")) / conns


def conns_table(tools, conns):
    lines = ["| tool | baseline RSS MiB (1 connection) | peak RSS MiB | KiB per connection | "
             "requests/run | errors | req/s | CPU µs/req | firedrill KiB/conn ÷ tool | "
             "firedrill CPU/req ÷ tool | runs ok (baseline) |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    fd_kib = per_conn_kib(tools, "firedrill", conns)
    fd = tools.get("firedrill")
    for tool in ("firedrill", "h2load"):
        res, base = tools.get(tool), tools.get(tool + "-baseline")
        if not res:
            continue
        kib = per_conn_kib(tools, tool, conns)
        is_fd = tool == "firedrill"
        lines.append("| " + " | ".join([
            f"**{tool}**" if is_fd else tool,
            fmt(mib(base.get("maxrss_kib")) if base else None, 1), fmt(mib(res.get("maxrss_kib")), 1),
            fmt(kib, 1), fmt(res.get("completed")), fmt(res.get("errors")), fmt(res.get("rps")),
            fmt(res.cpu_us_per_req(), 2),
            "" if is_fd else ratio(fd_kib, kib),
            "" if is_fd or not fd else ratio(fd.cpu_us_per_req(), res.cpu_us_per_req()),
            f"{runs_cell(res)} ({runs_cell(base) if base else '—'})"]) + " |")
    return lines


def run_length_table(tools, meta):
    short, long_ = tools.get("firedrill-short"), tools.get("firedrill-long")
    lines = ["| run | requests/run | duration s | req/s | CPU µs/req | peak RSS MiB | runs ok |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for name, res in (("short", short), (f"{meta.get('long_factor', '?')}× longer", long_)):
        if not res:
            continue
        lines.append("| " + " | ".join([
            name, fmt(res.get("completed")), fmt(res.get("duration_s"), 1), fmt(res.get("rps")),
            fmt(res.cpu_us_per_req(), 2), fmt(mib(res.get("maxrss_kib")), 2), runs_cell(res)]) + " |")
    return lines


def verdict(met):
    return "—" if met is None else ("**met**" if met else "**not met**")


def other_cpu(meta, results):
    """CPU the rest of the machine used meanwhile: all busy time minus the server and clients."""
    try:
        before = [int(x) for x in meta["stat_before"].split()[1:]]
        after = [int(x) for x in meta["stat_after"].split()[1:]]
        hz = int(meta["clk_tck"])
        server_s = int(meta["server_ticks"]) / hz
    except (KeyError, ValueError):
        return "CPU use by other processes unknown"
    delta = [a - b for a, b in zip(after, before)]
    idle = delta[3] + (delta[4] if len(delta) > 4 else 0)
    total_s = sum(delta[:8]) / hz
    busy_s = total_s - idle / hz
    clients_s = sum(r["cpu_s"] or 0 for tools in results.values() for res in tools.values()
                    for r in res.runs)
    wall_s = total_s / int(meta.get("nproc", 1))
    other = max(0.0, busy_s - server_s - clients_s)
    return (f"other processes used {other:,.0f} CPU-seconds during the {wall_s / 60:,.0f}-minute "
            f"run ({other / wall_s * 100:.0f}% of one CPU on average)")


def main():
    raw, out = Path(sys.argv[1]), Path(sys.argv[2])
    meta = dict(read_tsv(raw / "meta.tsv"))
    configs = read_tsv(raw / "configs.tsv")
    commands = read_tsv(raw / "commands.tsv")
    results = load(raw)
    conns = int(meta.get("conns", 10000))

    md = ["# firedrill benchmark results", ""]
    if meta.get("quick") == "1":
        md += ["> Quick smoke run: small request counts, short open loop. Not representative.", ""]
    md += [
        f"- **date**: {meta.get('date', '?')}",
        f"- **command**: `{meta.get('command', 'bench/run')}`",
        f"- **machine**: {meta.get('nproc', '?')} CPUs, {meta.get('cpu', '?')}, "
        f"{meta.get('memory', '?')} RAM; {meta.get('os', '?')}, {meta.get('kernel', '?')}; "
        f"load average {meta.get('load_before', '?')} at the start; "
        f"{other_cpu(meta, results)}",
        f"- **server**: {meta.get('v_h2o', '?')}, one thread pinned to CPU 0, 100-byte static file "
        f"on 127.0.0.1 (cleartext HTTP/1.1 + h2c, and TLS with ALPN); {meta.get('v_openssl', '?')}",
        "- **clients**, each pinned to CPU 1 with one thread (`-t 1`; hey's Go runtime follows the "
        "CPU affinity):",
        f"  - firedrill: {meta.get('v_firedrill', '?')}",
        f"  - h2load: {meta.get('v_h2load', '?')}",
        f"  - wrk: {meta.get('v_wrk', '?')}",
        f"  - ab: {meta.get('v_ab', '?')}",
        f"  - hey: {meta.get('v_hey', '?')}",
        f"- **method**: each configuration ran {meta.get('repeat', '?')} time(s) per tool, tools "
        "interleaved; every figure below is the median over the runs that completed (per metric). "
        "Requests are counted from each tool's own output (firedrill: its `-o` JSON). CPU is user + "
        "system time of the client process from time(1), divided by the requests it completed; "
        "peak RSS is time(1)'s maximum resident set size. Ratios are firedrill's figure divided by "
        "the peer's: above 1 is better for req/s, below 1 is better for CPU and RSS.",
        "",
    ]

    targets = []
    for cfg, title in configs:
        tools = results.get(cfg, {})
        md += [f"## {title}", ""]
        if cfg in THROUGHPUT_CONFIGS:
            md += throughput_table(tools)
            if cfg == "h1":
                md += ["", "wrk runs for a fixed time (it has no request count); hey's request count "
                       "is rounded down to a multiple of its 64 workers."]
        elif cfg.startswith("open-"):
            rate = open_rate(meta, cfg)
            md += open_loop_table(tools, rate)
            md += ["", "firedrill schedules every request at its intended time and measures latency "
                   "from then (corrected for coordinated omission); `firedrill` is its default "
                   "quantized pacer, `firedrill-exact` one timer per request. h2load has no "
                   "request-rate mode (`-r` sets a connection rate); here each of its clients "
                   "replays a timing script of its share of the rate (`--timing-script-file`, "
                   "stopped by `-D`), and the table shows the rate it actually reached; it reports "
                   "no percentiles. wrk2 is not packaged in Debian."]
        elif cfg == "run-length":
            md += run_length_table(tools, meta)
        elif cfg in CONN_CONFIGS:
            md += conns_table(tools, conns)
            md += ["", f"KiB per connection = (peak RSS with {conns:,} connections − peak RSS of the "
                   "same tool with 1 connection) / connections."]
        notes = failure_notes(tools)
        if notes:
            md += ["", "Failed runs (left out of the medians):", ""] + notes
        md += commands_block(commands, cfg)
        md += [""]

    # Targets.
    def cpu_ratio(cfg, peer):
        tools = results.get(cfg, {})
        fd, other = tools.get("firedrill"), tools.get(peer)
        if not fd or not other or fd.cpu_us_per_req() is None or other.cpu_us_per_req() is None:
            return None
        return fd.cpu_us_per_req() / other.cpu_us_per_req()

    md += ["## Targets", ""]
    md += ["| target | configuration | measured | verdict |", "|---|---|---|---|"]
    h2_cpu_all = []
    for cfg in H2_CONFIGS:
        if cfg not in results:
            continue
        r = cpu_ratio(cfg, "h2load")
        met = None if r is None else r <= 0.8
        h2_cpu_all.append(met)
        md.append(f"| client CPU per request ≤ 0.8× h2load's | {cfg} | "
                  f"{'no comparable runs' if r is None else f'{r:.2f}× h2load'} | {verdict(met)} |")
    if "h1" in results:
        r = cpu_ratio("h1", "wrk")
        met = None if r is None else r <= 1.0
        md.append(f"| client CPU per request ≤ wrk's | h1 | "
                  f"{'no comparable runs' if r is None else f'{r:.2f}× wrk'} | {verdict(met)} |")
        targets.append(met)
    for cfg, _ in configs:
        if not cfg.startswith("open-"):
            continue
        closed = results.get("h1" if cfg.startswith("open-h1") else "h2c-16x10", {}).get("firedrill")
        rows, verdicts = open_loop_targets(results, cfg, open_rate(meta, cfg),
                                           closed.cpu_us_per_req() if closed else None)
        md += rows
        targets += verdicts
    for cfg in CONN_CONFIGS:
        if cfg not in results:
            continue
        fd_kib = per_conn_kib(results[cfg], "firedrill", conns)
        h2_kib = per_conn_kib(results[cfg], "h2load", conns)
        met = None if fd_kib is None or h2_kib is None else fd_kib <= h2_kib / 2
        measured = ("no comparable runs" if met is None else
                    f"{fd_kib:.1f} KiB vs h2load {h2_kib:.1f} KiB ({fd_kib / h2_kib:.2f}×)")
        md.append(f"| RSS per HTTP/2 connection ≤ ½ h2load's | {cfg} | {measured} | {verdict(met)} |")
        targets.append(met)
    if "run-length" in results:
        t = results["run-length"]
        short, long_ = t.get("firedrill-short"), t.get("firedrill-long")
        s = short.get("maxrss_kib") if short else None
        l = long_.get("maxrss_kib") if long_ else None
        met = None if s is None or l is None else (l - s) <= max(1024, 0.05 * s)
        measured = ("no comparable runs" if met is None else
                    f"peak RSS {s / 1024:.2f} MiB for {short.get('completed'):,} requests, "
                    f"{l / 1024:.2f} MiB for {long_.get('completed'):,} ({(l - s) / 1024:+.2f} MiB)")
        md.append(f"| memory independent of run length (grows < max(1 MiB, 5%)) | run-length | "
                  f"{measured} | {verdict(met)} |")
        targets.append(met)
    targets += h2_cpu_all
    md += ["", f"{sum(1 for t in targets if t)} of {len(targets)} targets met"
           + (f"; {sum(1 for t in targets if t is None)} could not be evaluated." if None in targets else ".")]

    workers = raw / "workers.md"
    if workers.exists():
        md += ["", workers.read_text().rstrip()]
    out.write_text("\n".join(md) + "\n")


if __name__ == "__main__":
    main()

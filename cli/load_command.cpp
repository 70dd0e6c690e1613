#include <unistd.h>

#include <csignal>
#include <fstream>
#include <iostream>

#include "cli/app.hpp"
#include "cli/command.hpp"
#include "cli/load_options.hpp"
#include "cli/load_summary.hpp"
#include "common/errors.hpp"
#include "common/safe_output.hpp"
#include "loadgen/engine.hpp"
#include "loadgen/load_result_json.hpp"
#include "loadgen/worker.hpp"

namespace firedrill::cli {

namespace {

loadgen::Engine* g_running_engine = nullptr;

extern "C" void on_interrupt(int) {
  if (g_running_engine) g_running_engine->stop();
}

struct LoadCommand {
  LoadFlags flags;
  std::string output;
  bool quiet = false;

  int run() const {
    loadgen::LoadConfig config = to_load_config(flags);
    std::unique_ptr<loadgen::Engine> engine;
    try {
      engine = std::make_unique<loadgen::Engine>(config);
    } catch (const common::ValueError& e) {
      throw common::UsageError(e.what());
    }
    const bool json_to_stdout = output == "-";
    if (!output.empty() && !json_to_stdout && !std::ofstream(output, std::ios::app)) {
      throw common::UsageError("--output: cannot write \"" + output + "\"");
    }
    bool live = !quiet && isatty(STDERR_FILENO);
    g_running_engine = engine.get();
    std::signal(SIGINT, on_interrupt);
    std::signal(SIGTERM, on_interrupt);
    loadgen::LoadResult result = engine->run([&](const loadgen::TimeSeriesPoint& p) {
      if (live) {
        common::write_verbatim(std::cerr, "\r");
        std::cerr << progress_line(p) << std::flush;
      }
    });
    std::signal(SIGINT, SIG_DFL);
    std::signal(SIGTERM, SIG_DFL);
    g_running_engine = nullptr;
    if (live) std::cerr << "\n";

    if (json_to_stdout) {
      // One line, so that a reader of a log holding the summary too (a worker pod's) finds it.
      std::cout << loadgen::to_json(result).dump() << "\n" << std::flush;
    } else if (!output.empty()) {
      std::ofstream out(output, std::ios::trunc);
      out << loadgen::to_json(result).dump(2) << "\n";
    }
    if (result.unreachable) {
      std::cerr << "firedrill load: the target could not be reached: " << result.unreachable_reason
                << "\n";
      return kExitAborted;
    }
    print_load_summary(json_to_stdout ? std::cerr : std::cout, result);
    return result.stats.abandoned > 0 && result.stats.completed() == 0 ? kExitAborted : kExitOk;
  }
};

}  // namespace

CommandRunner add_load_command(CLI::App& app) {
  auto cmd = std::make_shared<LoadCommand>();
  LoadFlags& f = cmd->flags;
  CLI::App* sub = app.add_subcommand(
      "load",
      "Drive HTTP/1.1 or HTTP/2 load at one origin and report throughput, status codes, errors\n"
      "and latency. Closed loop by default (-c connections x -m streams, as h2load/hey); open\n"
      "loop with --rate or --stages (as wrk2/k6): requests go out at their intended times and\n"
      "latency is measured from then, corrected for coordinated omission.\n"
      "Exit codes: 0 run completed (even with HTTP errors), 2 bad usage, 3 target unreachable.");
  sub->add_option("URL", f.urls, "one or more URLs of one origin, mixed evenly");
  sub->add_option("-c,--connections", f.connections,
                  "concurrent connections (default 10); each thread opens at most " +
                      std::to_string(loadgen::kMaxConnectingPerThread) +
                      " at a time, each new one a full TLS handshake");
  sub->add_option("-m,--streams", f.streams,
                  "concurrent streams per HTTP/2 connection, or HTTP/1.1 pipelining depth "
                  "(default 1)");
  sub->add_option("-t,--threads", f.threads, "worker threads (default: number of cores)");
  sub->add_option("-n,--requests", f.requests, "stop after this many requests (closed loop)");
  sub->add_option("-d,--duration", f.duration,
                  "how long to run, e.g. 30s, 2m (default 10s when -n is not given)");
  sub->add_option("--warmup", f.warmup, "run this long first without counting, e.g. 5s");
  sub->add_option("--rate", f.rate, "open loop: requests per second, e.g. 20000/s");
  sub->add_option("--stages", f.stages,
                  "open loop: ramps, e.g. \"30s:1000/s,2m:5000/s,30s:0/s\" (from --rate, or 0)");
  sub->add_option("--max-queue", f.max_queue,
                  "open loop: requests that may wait for a free stream before being dropped "
                  "(default: one second at the peak rate, at least 1000)");
  sub->add_option("--arrival", f.arrival,
                  "open loop: uniform (evenly spaced) or poisson (exponential gaps at the same "
                  "mean rate, drawn from --seed) (default uniform)");
  sub->add_option("--pacer", f.pacer,
                  "open loop: quantized (wake once per send quantum of up to 1ms and send what "
                  "is due, never early) or exact (one timer per request) (default quantized)");
  sub->add_option("--protocol", f.protocol,
                  "h1, h2 (TLS with ALPN), h2c (cleartext, prior knowledge) or auto: ALPN for "
                  "https, h1 for http (default auto)");
  sub->add_flag("-k,--insecure", f.insecure, "do not verify the server certificate");
  sub->add_option("--cacert", f.cacert, "trust this CA file (PEM) besides the system store");
  sub->add_option("--cert", f.cert, "client certificate (PEM)");
  sub->add_option("--key", f.key, "client key (PEM)");
  sub->add_option("--sni", f.sni, "TLS server name to send and verify");
  sub->add_option("-X,--method", f.method, "request method (default GET)");
  sub->add_option("-H,--header", f.headers, "request header \"Name: value\" (repeatable)")
      ->allow_extra_args(false);
  sub->add_option("--body", f.body, "request body");
  sub->add_option("--body-file", f.body_file, "request body from a file");
  sub->add_option("--requests-file", f.requests_file,
                  "requests, one per line: [WEIGHT] METHOD URL [BODY_FILE]");
  sub->add_option("--seed", f.seed,
                  "seed of the weighted request mix and of Poisson arrivals (default 1)");
  sub->add_option("--timeout", f.timeout, "per-request timeout (default 5s)");
  sub->add_option("--connect-timeout", f.connect_timeout,
                  "TCP connect plus TLS handshake timeout (default 3s)");
  sub->add_option("--shard", f.shard,
                  "run part INDEX of a load split in COUNT equal parts, e.g. 2/4: every COUNT-th "
                  "request of the schedule, and a COUNT-th of the connections and of -n; "
                  "firedrill merge puts the parts' results together");
  sub->add_option("--start-at", f.start_at,
                  "start at this instant (RFC 3339, e.g. 2026-12-03T17:00:00Z, at most an hour "
                  "ahead), so that the shards of a load start together; a run started later "
                  "starts at once and reports how late it was");
  sub->add_option("-o,--output", cmd->output,
                  "write the full result as JSON (docs/load-result.md) to this file, or to "
                  "standard output as one line with - (the summary then goes to standard error)");
  sub->add_flag("-q,--quiet", cmd->quiet, "no live progress line");
  return [cmd] { return cmd->run(); };
}

}  // namespace firedrill::cli

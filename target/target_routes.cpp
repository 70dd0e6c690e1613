#include "target/target_routes.hpp"

#include <charconv>
#include <optional>

#include "common/errors.hpp"
#include "target/fault_change.hpp"

namespace firedrill::target {

namespace {

constexpr std::string_view kRootBody = "Hello, drill!\n";
constexpr uint64_t kMaxDelayMs = 10 * 60 * 1000;
constexpr std::string_view kJson = "application/json";

std::optional<uint64_t> parse_number(std::string_view text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return value;
}

Reply text_reply(int status, std::string_view body) {
  Reply reply;
  reply.status = status;
  reply.body = body;
  return reply;
}

Reply json_reply(int status, const nlohmann::json& body) {
  Reply reply;
  reply.status = status;
  reply.content_type = kJson;
  reply.body = body.dump() + "\n";
  return reply;
}

Reply bad_request(std::string_view error, std::string_view valid) {
  return json_reply(400, {{"error", error}, {"valid", valid}});
}

// The fields a POST set, as the fault log line shows them.
nlohmann::ordered_json changed_fields(const FaultChange& change, const nlohmann::json& now) {
  nlohmann::ordered_json fields = nlohmann::ordered_json::object();
  if (change.error_rate) fields["error_rate"] = now["error_rate"];
  if (change.extra_latency) fields["extra_latency"] = now["extra_latency"];
  if (change.leak_mb_per_s) fields["leak_mb_per_s"] = now["leak_mb_per_s"];
  if (change.crash_after) {
    fields["crash_after"] = now["crash_after"];
    fields["crash_at"] = now["crash_at"];
  }
  return fields;
}

}  // namespace

TargetRoutes::TargetRoutes(TargetMetrics& metrics, FaultInjector& faults, LogSink& log,
                           double log_sample, asio::io_context& io)
    : metrics_(metrics), faults_(faults), log_(log), request_log_(log, log_sample, io) {}

Reply TargetRoutes::handle(const Request& request) {
  RouteMatch match = match_route(request.path());
  if (!takes_faults(match.route)) return answer(match, request);
  Reply reply = random_.chance(faults_.error_rate()) ? status_reply(500) : answer(match, request);
  reply.delay += faults_.extra_latency();
  return reply;
}

void TargetRoutes::on_answered(const Request& request, const Reply& reply) {
  auto latency = std::chrono::steady_clock::now() - request.received;
  metrics_.record(match_route(request.path()).route, request.method, reply.status,
                  std::chrono::duration<double>(latency).count());
  request_log_.record(request, reply.status, latency);
}

Reply TargetRoutes::answer(const RouteMatch& match, const Request& request) {
  switch (match.route) {
    case Route::root:
      return text_reply(200, kRootBody);
    case Route::status: {
      auto status = parse_number(match.argument);
      if (!status || *status < 200 || *status > 599) {
        return bad_request("bad status code", "/status/{code} with a code from 200 to 599");
      }
      return status_reply(static_cast<int>(*status));
    }
    case Route::delay: {
      auto delay = parse_number(match.argument);
      if (!delay || *delay > kMaxDelayMs) {
        return bad_request("bad delay", "/delay/{ms} with milliseconds from 0 to 600000");
      }
      Reply reply = text_reply(200, kRootBody);
      reply.delay = std::chrono::milliseconds(*delay);
      return reply;
    }
    case Route::bytes: {
      auto size = parse_number(match.argument);
      if (!size) return bad_request("bad size", "/bytes/{n} with a number of bytes");
      return filler_reply(*size);
    }
    case Route::healthz:
      return text_reply(200, "ok\n");
    case Route::metrics: {
      Reply reply = text_reply(200, metrics_.render());
      reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
      return reply;
    }
    case Route::admin_fault:
      return admin_fault(request);
    case Route::unmatched:
      break;
  }
  return status_reply(404);
}

Reply TargetRoutes::admin_fault(const Request& request) {
  if (request.method == "GET" || request.method == "HEAD") {
    return json_reply(200, faults_.describe());
  }
  if (request.method == "DELETE") {
    faults_.clear();
    // This loop's earlier request lines go first, so that its log reads in order.
    request_log_.flush();
    log_.event("info", "faults cleared");
    return json_reply(200, faults_.describe());
  }
  if (request.method != "POST") {
    Reply reply = json_reply(405, {{"error", "method not allowed"},
                                   {"valid",
                                    "GET shows the faults, POST sets them, DELETE "
                                    "clears them"}});
    reply.allow = "GET, HEAD, POST, DELETE";
    return reply;
  }
  if (request.body_too_large) {
    return json_reply(413, {{"error", "the body is too large"}, {"valid", kFaultChangeHelp}});
  }
  FaultChange change;
  try {
    change = parse_fault_change(request.body);
  } catch (const common::ValueError& e) {
    return bad_request(e.what(), kFaultChangeHelp);
  }
  faults_.apply(change);
  nlohmann::json now = faults_.describe();
  request_log_.flush();
  log_.event("warn", "fault set", changed_fields(change, now));
  return json_reply(200, now);
}

}  // namespace firedrill::target

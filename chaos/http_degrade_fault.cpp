#include <fmt/format.h>

#include <cmath>

#include "chaos/service_replicas.hpp"
#include "common/errors.hpp"
#include "common/http_client.hpp"

namespace firedrill::chaos {

namespace {

using common::FieldType;
using nlohmann::json;

// Degrades firedrill's own target service through its /admin/fault endpoint: a share of requests
// answered 500, and latency added to every request. The targets are either replicas of a local
// service or URLs. capture() records each target's URL and its faults before the change, so a
// revert (even from `firedrill revert JOURNAL` after a crash) restores exactly those.
class HttpDegradeFault final : public Fault {
 public:
  HttpDegradeFault(const common::Params& p, json captured) : captured_(std::move(captured)) {
    if (p.contains("service")) service_.emplace(p);
    if (p.contains("url")) urls_ = p.at("url").get<std::vector<std::string>>();
    if (service_.has_value() == !urls_.empty()) {
      throw common::ValueError("give either `service` (and optionally `replicas`) or `url`");
    }
    if (p.contains("errorRate")) {
      double rate = p.at("errorRate").get<double>();
      if (!std::isfinite(rate) || rate < 0 || rate > 1) {
        throw common::ValueError("errorRate: must be between 0 and 1, like 0.2 for 20%");
      }
      change_["error_rate"] = rate;
    }
    if (p.contains("extraLatency")) {
      auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
          common::duration_param(p, "extraLatency"));
      change_["extra_latency"] = ms.count();
    }
    if (change_.empty()) throw common::ValueError("give errorRate and/or extraLatency");
  }

  std::string describe() const override {
    std::string what;
    if (change_.contains("error_rate")) {
      what = fmt::format("{:g}% errors", change_["error_rate"].get<double>() * 100);
    }
    if (change_.contains("extra_latency")) {
      if (!what.empty()) what += " and ";
      what += "+" +
              common::format_duration(
                  std::chrono::milliseconds(change_["extra_latency"].get<int64_t>())) +
              " latency";
    }
    return what + " on " + (service_ ? service_->describe() : fmt::format("{}", urls_.front()));
  }

  json capture(const FaultContext& context) override {
    json targets = json::array();
    for (const std::string& base : target_urls(context)) {
      json faults = json::parse(call("GET", base, "").body);
      targets.push_back({{"url", base},
                         {"before",
                          {{"error_rate", faults.value("error_rate", 0.0)},
                           {"extra_latency", latency_ms(faults)}}}});
    }
    captured_ = {{"targets", targets}};
    return captured_;
  }

  void inject(const FaultContext& context) override {
    if (context.dry_run) {
      if (context.note) context.note("would set " + describe());
      return;
    }
    for (const auto& target : targets()) call("POST", target.at("url"), change_.dump());
  }

  void revert(const FaultContext& context) override {
    // After a crash the replicas of a local service ended with their drill (they die with
    // firedrill): the degradation went with them, and their ports may now belong to others.
    if (context.dry_run || (service_ && !context.services)) return;
    for (const auto& target : targets()) {
      call("POST", target.at("url"), target.at("before").dump());
    }
  }

 private:
  std::vector<std::string> target_urls(const FaultContext& context) const {
    if (!service_) return urls_;
    local::LocalServices& services = service_->services(context);
    std::vector<int> replicas = service_->resolve(services);
    std::vector<local::ReplicaStatus> status = services.status(service_->service);
    std::vector<std::string> urls;
    for (int index : replicas) {
      if (status[index].port == 0) {
        throw FaultError("service `" + service_->service + "` has no port to reach /admin/fault");
      }
      urls.push_back(fmt::format("http://127.0.0.1:{}", status[index].port));
    }
    return urls;
  }

  const json& targets() const {
    static const json none = json::array();
    return captured_.is_object() && captured_.contains("targets") ? captured_["targets"] : none;
  }

  // GET /admin/fault shows the latency as a duration ("200ms"); POST takes milliseconds.
  static int64_t latency_ms(const json& faults) {
    if (!faults.is_object() || !faults.value("extra_latency", json()).is_string()) return 0;
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               common::parse_duration(faults["extra_latency"].get<std::string>()))
        .count();
  }

  common::HttpResponse call(const std::string& method, const std::string& base,
                            const std::string& body) {
    common::HttpRequest request;
    request.method = method;
    request.url = base + "/admin/fault";
    request.body = body;
    request.timeout = std::chrono::seconds(5);
    if (!body.empty()) request.headers = {{"Content-Type", "application/json"}};
    common::HttpResponse response = client_.perform(request);
    if (!response.ok()) {
      throw FaultError(
          fmt::format("{} {}: {}", method, common::redact_url(request.url), response.error));
    }
    if (response.status != 200) {
      throw FaultError(fmt::format("{} {}: status {}: {}", method, common::redact_url(request.url),
                                   response.status, response.body.substr(0, 300)));
    }
    if (!json::accept(response.body)) {
      throw FaultError(fmt::format("{} {} did not answer with JSON: is it firedrill's target?",
                                   method, common::redact_url(request.url)));
    }
    return response;
  }

  std::optional<ServiceReplicas> service_;
  std::vector<std::string> urls_;
  json change_ = json::object();
  json captured_;
  common::HttpClient client_;
};

}  // namespace

FaultKind http_degrade_fault_kind() {
  common::FieldSpec service = service_field();
  service.required = false;
  return {
      "http.degrade",
      "Makes firedrill's target service answer errors or slowly, through /admin/fault",
      {{
          service,
          replicas_field(),
          {"url",
           FieldType::StringList,
           false,
           "base URLs of target services instead of a service, like http://127.0.0.1:8080",
           {},
           {}},
          {"errorRate",
           FieldType::Number,
           false,
           "share of requests answered 500, from 0 to 1",
           {},
           {}},
          {"extraLatency", FieldType::Duration, false, "latency added to every request", {}, {}},
      }},
      [](const common::Params& p, const json& captured) {
        return std::make_unique<HttpDegradeFault>(p, captured);
      },
      nullptr,
      // Per service rather than per replica: replica lists are resolved only when the drill runs.
      [](const common::Params& p) {
        std::vector<std::string> keys;
        if (p.contains("service")) keys.push_back("service " + p.at("service").get<std::string>());
        if (p.contains("url")) {
          for (std::string url : p.at("url").get<std::vector<std::string>>()) {
            while (!url.empty() && url.back() == '/') url.pop_back();
            keys.push_back("url " + url);
          }
        }
        return keys;
      }};
}

}  // namespace firedrill::chaos

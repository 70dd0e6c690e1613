#include <optional>
#include <regex>

#include "common/errors.hpp"
#include "common/text.hpp"
#include "validators/alerting_support.hpp"
#include "validators/kube_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::FieldType;
using common::ValueError;
using nlohmann::json;

// A selector that matches a whole Deployment is read pod by pod: this many at most per poll.
constexpr std::size_t kPodsRead = 20;
constexpr std::size_t kSamplesInEvidence = 5;

// A pattern in the container logs of pods picked by label selector, in lines written since the
// fault: the "the logs arrived at the pod" half of a logging drill (the other half is the log
// store's own check). Lines are read with sinceTime = the fault's second and timestamps=true, and
// each line's own timestamp must be at or after the fault itself.
class KubeLogsCheck final : public Check {
 public:
  explicit KubeLogsCheck(const common::Params& p)
      : namespace_(p.at("namespace").get<std::string>()),
        selector_(p.at("selector").get<std::string>()),
        pattern_text_(p.at("pattern").get<std::string>()),
        count_(p.at("count").get<int64_t>()) {
    if (namespace_.empty()) throw ValueError("namespace: must not be empty");
    if (selector_.empty()) throw ValueError("selector: a label selector is required");
    if (p.contains("container")) container_ = p.at("container").get<std::string>();
    try {
      pattern_ = common::compile_regex(pattern_text_);
    } catch (const ValueError& e) {
      throw ValueError(std::string("pattern: ") + e.what());
    }
    if (count_ < 1) throw ValueError("count: must be at least 1");
  }

  std::string describe() const override {
    return std::to_string(count_) + " log line(s) matching /" + pattern_text_ + "/ in pods " +
           selector_ + (container_.empty() ? "" : " container " + container_) + " in namespace " +
           namespace_ + " since the fault";
  }

  Observation observe(const CheckContext& context) override {
    std::string error;
    clients::KubeClient* client = slot_.get(context, &error);
    if (!client) return alerting::inconclusive(error);
    const auto since = alerting::detection_start(context);
    json evidence = {{"namespace", namespace_},
                     {"selector", selector_},
                     {"pattern", pattern_text_},
                     {"since", alerting::detection_start_evidence(context)}};
    std::string list_error;
    auto listed = kube::list_or_error(*client, clients::core_resource("pods", namespace_),
                                      kube::with_labels(selector_), list_error);
    if (!listed) return alerting::inconclusive(list_error, evidence);
    const std::vector<json>& pods = *listed;
    Tally tally;
    json read = json::array();
    for (const auto& pod : pods) {
      if (read.size() >= kPodsRead) break;
      const std::string name = pod.value("/metadata/name"_json_pointer, std::string());
      if (!pod.contains("/spec/nodeName"_json_pointer)) continue;  // never ran: no log yet
      for (const auto& container : containers_of(pod)) {
        json entry = {{"pod", name}, {"container", container}};
        clients::KubeLogOptions options;
        options.container = container;
        options.since = since;
        options.timestamps = true;
        try {
          entry["matches"] =
              tally.add(client->logs(namespace_, name, options), name, container, since, *pattern_);
        } catch (const clients::KubeApiError& e) {
          // 400: the container has not started yet; 404: the pod went away. Both are "no lines
          // from it yet"; anything else (403, unreachable) means the logs cannot be read.
          if (e.status() != 400 && e.status() != 404) {
            evidence["pods_read"] = read;
            return alerting::inconclusive(e.what(), evidence);
          }
          entry["unreadable"] = common::excerpt(e.what(), 300);
        }
        read.push_back(std::move(entry));
      }
    }
    evidence["pods_read"] = read;
    evidence["matching_pods"] = pods.size();
    evidence["lines_read"] = tally.lines;
    evidence["lines_before_fault"] = tally.before;
    evidence["matches"] = tally.matches;
    evidence["samples"] = tally.samples;

    Observation o;
    o.verdict = tally.matches >= count_ ? Verdict::Pass : Verdict::Fail;
    o.message = std::to_string(tally.matches) + " line(s) matching /" + pattern_text_ + "/ since " +
                alerting::detection_start_text(context) + " in " + std::to_string(read.size()) +
                " container log(s), " + std::to_string(count_) + " needed";
    if (pods.empty()) o.message = "no pod matches " + selector_ + " in namespace " + namespace_;
    if (o.verdict == Verdict::Pass) {
      o.message += "; e.g. " + tally.samples[0]["pod"].get<std::string>() + ": " +
                   tally.samples[0]["line"].get<std::string>();
      if (tally.first) evidence["time_to_log_s"] = alerting::seconds_between(since, *tally.first);
    }
    o.evidence = std::move(evidence);
    return o;
  }

 private:
  // What the lines of one poll added up to.
  struct Tally {
    int64_t lines = 0;
    int64_t before = 0;  // in the fault's second but before it: sinceTime has whole seconds
    int64_t matches = 0;
    std::optional<WallClock::time_point> first;
    json samples = json::array();

    int64_t add(const std::string& log, const std::string& pod, const std::string& container,
                WallClock::time_point since, const std::regex& pattern) {
      int64_t found = 0;
      std::size_t start = 0;
      while (start < log.size()) {
        std::size_t end = std::min(log.find('\n', start), log.size());
        std::string_view line(log.data() + start, end - start);
        start = end + 1;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        ++lines;
        std::size_t space = line.find(' ');
        auto at = common::parse_rfc3339(line.substr(0, space));
        if (!at || *at < since) {
          ++before;
          continue;
        }
        std::string text(space == std::string_view::npos ? "" : line.substr(space + 1));
        if (!std::regex_search(text, pattern)) continue;
        ++found;
        if (!first || *at < *first) first = at;
        if (samples.size() < kSamplesInEvidence) {
          samples.push_back({{"pod", pod},
                             {"container", container},
                             {"time", std::string(line.substr(0, space))},
                             {"line", common::excerpt(text, 300)}});
        }
      }
      matches += found;
      return found;
    }
  };

  std::vector<std::string> containers_of(const json& pod) const {
    if (!container_.empty()) return {container_};
    std::vector<std::string> names;
    for (const auto& c : pod.value("/spec/containers"_json_pointer, json::array())) {
      names.push_back(c.value("name", ""));
    }
    return names;
  }

  std::string namespace_;
  std::string selector_;
  std::string container_;
  std::string pattern_text_;
  std::optional<std::regex> pattern_;
  int64_t count_;
  kube::ClientSlot slot_;
};

}  // namespace

CheckKind kube_logs_check_kind() {
  using common::FieldSpec;
  return {"logs.kube",
          "Expects a pattern in the container logs of pods, in lines written since the fault",
          "logs are read with sinceTime = the fault's second and timestamps=true; a line counts "
          "only when its own timestamp is at or after the fault",
          {{
              kube::namespace_field(),
              FieldSpec{"selector", FieldType::String, true, "label selector of the pods", {}, {}},
              FieldSpec{"container",
                        FieldType::String,
                        false,
                        "only this container's log; default: every container of each pod",
                        {},
                        {}},
              FieldSpec{"pattern",
                        FieldType::String,
                        true,
                        "a regular expression (ECMAScript) searched in each line",
                        {},
                        {}},
              FieldSpec{"count",
                        FieldType::Integer,
                        false,
                        "at least this many matching lines, over all pods",
                        {},
                        1},
          }},
          [](const common::Params& p) { return std::make_unique<KubeLogsCheck>(p); },
          [](const common::Params& p) -> std::vector<clients::KubeAccess> {
            using clients::KubeVerb;
            return {{"", "pods", {KubeVerb::List}, p.at("namespace").get<std::string>(), {}},
                    {"", "pods/log", {KubeVerb::Get}, p.at("namespace").get<std::string>(), {}}};
          }};
}

}  // namespace firedrill::validators

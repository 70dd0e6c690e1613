#include "local/notification_formats.hpp"

#include <algorithm>
#include <cctype>

#include "common/json_fields.hpp"
#include "common/rfc3339.hpp"
#include "common/text.hpp"

namespace firedrill::local {

namespace {

using nlohmann::json;

constexpr int kMaxDepth = 64;

// Label values are strings; anything else a sender put there is kept as its JSON text.
json string_labels(const json& object, const char* name) {
  json out = json::object();
  auto it = object.find(name);
  if (it == object.end() || !it->is_object()) return out;
  for (const auto& [key, value] : it->items()) {
    out[key] = value.is_string() ? value.get<std::string>() : value.dump();
  }
  return out;
}

std::string status_of(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text == "firing" || text == "resolved" ? text : "unknown";
}

bool has(const json& body, const char* field) {
  return body.is_object() && body.contains(field);
}

bool has_alert_list(const json& body) {
  return has(body, "alerts") && body["alerts"].is_array();
}

bool is_grafana(const json& body) {
  if (has(body, "ruleName")) return true;
  return has_alert_list(body) && (has(body, "orgId") || has(body, "title") || has(body, "state") ||
                                  common::string_field(body, "version") == "1");
}

bool is_slack(const json& body) {
  return has(body, "text") || has(body, "attachments") || has(body, "blocks");
}

// Alertmanager and Grafana's unified alerting send the same shape.
Notification from_alert_group(const json& body, const char* format) {
  Notification n;
  n.format = format;
  n.status = status_of(common::string_field(body, "status"));
  n.labels = string_labels(body, "commonLabels");
  n.receiver = common::string_field(body, "receiver");
  for (const json& a : body["alerts"]) {
    if (!a.is_object()) continue;
    ReceivedAlert alert;
    alert.labels = string_labels(a, "labels");
    alert.alertname = common::string_field(alert.labels, "alertname");
    alert.status = status_of(common::string_field(a, "status"));
    alert.starts_at = common::parse_rfc3339(common::string_field(a, "startsAt"));
    n.alerts.push_back(std::move(alert));
  }
  return n;
}

// Grafana's legacy alerting: one rule per notification, state alerting | ok | no_data | ...
Notification from_grafana_legacy(const json& body) {
  Notification n;
  n.format = "grafana";
  std::string state = common::string_field(body, "state");
  n.status = state == "alerting" ? "firing" : state == "ok" ? "resolved" : "unknown";
  ReceivedAlert alert;
  alert.alertname = common::string_field(body, "ruleName");
  alert.status = n.status;
  alert.labels = string_labels(body, "tags");
  if (!alert.alertname.empty()) alert.labels["alertname"] = alert.alertname;
  n.labels = alert.labels;
  n.alerts.push_back(std::move(alert));
  return n;
}

void collect_block_texts(const json& value, std::vector<std::string>& out, int depth) {
  if (depth > kMaxDepth) return;
  if (value.is_array()) {
    for (const json& v : value) collect_block_texts(v, out, depth + 1);
  } else if (value.is_object()) {
    for (const auto& [key, v] : value.items()) {
      if (v.is_string() && key == "text") {
        out.push_back(v.get<std::string>());
      } else {
        collect_block_texts(v, out, depth + 1);
      }
    }
  }
}

// Every human-readable text of a Slack message: text, attachments and blocks.
std::vector<std::string> slack_texts(const json& body) {
  std::vector<std::string> texts;
  if (std::string text = common::string_field(body, "text"); !text.empty()) texts.push_back(text);
  if (has(body, "attachments") && body["attachments"].is_array()) {
    for (const json& a : body["attachments"]) {
      if (!a.is_object()) continue;
      for (const char* field : {"pretext", "title", "text", "fallback"}) {
        if (std::string text = common::string_field(a, field); !text.empty()) texts.push_back(text);
      }
      if (a.contains("fields")) collect_block_texts(a["fields"], texts, 0);
      if (a.contains("blocks")) collect_block_texts(a["blocks"], texts, 0);
    }
  }
  if (has(body, "blocks")) collect_block_texts(body["blocks"], texts, 0);
  return texts;
}

// Markup (Slack's *bold* and `code`), quotes and punctuation around a name are not part of it.
bool is_name_char(char c) {
  return !std::isspace(static_cast<unsigned char>(c)) &&
         std::string_view("\"'`*,;{}()[]<>|").find(c) == std::string_view::npos;
}

std::string name_at(std::string_view text, std::size_t pos) {
  while (pos < text.size() &&
         std::string_view("\"'`* \t").find(text[pos]) != std::string_view::npos) {
    ++pos;
  }
  std::size_t end = pos;
  while (end < text.size() && is_name_char(text[end])) ++end;
  return std::string(text.substr(pos, end - pos));
}

void add_unique(std::vector<std::string>& names, std::string name) {
  if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
    names.push_back(std::move(name));
  }
}

// Best effort, as Slack messages are free text: "alertname=X" / "alertname: X" anywhere (the
// label listings templates print), else the first word after Alertmanager's and Grafana's
// default title prefix "[FIRING:2] X ..." / "[RESOLVED] X ...".
std::vector<std::string> alertnames_in(const std::vector<std::string>& texts) {
  std::vector<std::string> names;
  for (const std::string& text : texts) {
    for (std::size_t at = text.find("alertname"); at != std::string::npos;
         at = text.find("alertname", at + 9)) {
      std::size_t pos = at + 9;
      while (pos < text.size() && (text[pos] == ' ' || text[pos] == '*' || text[pos] == '"')) {
        ++pos;
      }
      if (pos < text.size() && (text[pos] == '=' || text[pos] == ':')) {
        add_unique(names, name_at(text, pos + 1));
      }
    }
  }
  if (!names.empty()) return names;
  for (const std::string& text : texts) {
    for (const char* prefix : {"[FIRING", "[RESOLVED"}) {
      std::size_t at = text.find(prefix);
      if (at == std::string::npos) continue;
      std::size_t close = text.find(']', at);
      if (close != std::string::npos) add_unique(names, name_at(text, close + 1));
    }
  }
  return names;
}

// A message sent to a chat webhook pages someone unless it says it is a resolution.
std::string slack_status(const std::vector<std::string>& texts) {
  for (const std::string& text : texts) {
    if (text.find("RESOLVED") != std::string::npos) return "resolved";
  }
  return "firing";
}

Notification from_slack(const json& body) {
  Notification n;
  n.format = "slack";
  std::vector<std::string> texts = slack_texts(body);
  n.status = slack_status(texts);
  for (std::string& name : alertnames_in(texts)) {
    ReceivedAlert alert;
    alert.alertname = name;
    alert.status = n.status;
    alert.labels["alertname"] = std::move(name);
    n.alerts.push_back(std::move(alert));
  }
  if (n.alerts.size() == 1) n.labels = n.alerts.front().labels;
  return n;
}

}  // namespace

std::vector<std::string> Notification::alertnames() const {
  std::vector<std::string> names;
  for (const auto& a : alerts) add_unique(names, a.alertname);
  return names;
}

json Notification::to_json() const {
  json alert_list = json::array();
  for (const auto& a : alerts) {
    json alert = {{"alertname", a.alertname}, {"status", a.status}, {"labels", a.labels}};
    if (a.starts_at) alert["starts_at"] = common::format_rfc3339(*a.starts_at);
    alert_list.push_back(std::move(alert));
  }
  json out = {{"received_at", common::format_rfc3339(received_at)},
              {"format", format},
              {"status", status},
              {"alertnames", alertnames()},
              {"alerts", std::move(alert_list)},
              {"labels", labels},
              {"path", path},
              {"bytes", bytes},
              {"payload", payload}};
  if (!receiver.empty()) out["receiver"] = receiver;
  if (sent_at) out["sent_at"] = common::format_rfc3339(*sent_at);
  return out;
}

Notification normalise_webhook(const json& body, PayloadFormat format) {
  switch (format) {
    case PayloadFormat::Alertmanager:
      if (!has_alert_list(body)) {
        throw PayloadError("not an Alertmanager webhook payload: it has no alerts list");
      }
      return from_alert_group(body, "alertmanager");
    case PayloadFormat::Grafana:
      if (has_alert_list(body)) return from_alert_group(body, "grafana");
      if (has(body, "ruleName")) return from_grafana_legacy(body);
      throw PayloadError("not a Grafana webhook payload: it has neither alerts nor ruleName");
    case PayloadFormat::Slack:
      if (!is_slack(body)) {
        throw PayloadError("not a Slack message: it has no text, attachments or blocks");
      }
      return from_slack(body);
    case PayloadFormat::Sns:
      return normalise_sns_notification(body);
    case PayloadFormat::Auto:
      break;
  }
  if (is_grafana(body)) {
    return has_alert_list(body) ? from_alert_group(body, "grafana") : from_grafana_legacy(body);
  }
  if (has_alert_list(body)) return from_alert_group(body, "alertmanager");
  if (is_slack(body)) return from_slack(body);
  Notification n;
  n.format = "unknown";
  n.status = "unknown";
  return n;
}

Notification normalise_sns_notification(const json& body) {
  Notification n;
  n.format = "sns";
  json message = body;
  std::string subject;
  std::string topic;
  if (has(body, "Message") && body["Message"].is_string()) {
    const std::string& text = body["Message"].get_ref<const std::string&>();
    json parsed = json_depth_within(text, kMaxDepth) ? json::parse(text, nullptr, false)
                                                     : json(json::value_t::discarded);
    message = parsed.is_discarded() ? json(text) : std::move(parsed);
    subject = common::string_field(body, "Subject");
    topic = common::string_field(body, "TopicArn");
  }
  n.sent_at = common::parse_rfc3339(common::string_field(body, "Timestamp"));
  ReceivedAlert alert;
  if (message.is_object() && message.contains("AlarmName")) {
    alert.starts_at = common::parse_rfc3339(common::string_field(message, "StateChangeTime"));
    alert.alertname = common::string_field(message, "AlarmName");
    std::string state = common::string_field(message, "NewStateValue");
    alert.status = state == "ALARM" ? "firing" : state == "OK" ? "resolved" : "unknown";
    const std::pair<const char*, const char*> kLabels[] = {{"state", "NewStateValue"},
                                                           {"previous_state", "OldStateValue"},
                                                           {"region", "Region"},
                                                           {"account", "AWSAccountId"}};
    for (const auto& [label, field] : kLabels) {
      if (std::string value = common::string_field(message, field); !value.empty()) {
        alert.labels[label] = value;
      }
    }
  } else {
    // CloudWatch's subject is `ALARM: "name" in US East (N. Virginia)`; others are free text.
    std::size_t open = subject.find('"');
    std::size_t close = open == std::string::npos ? open : subject.find('"', open + 1);
    if (close != std::string::npos) alert.alertname = subject.substr(open + 1, close - open - 1);
    bool resolved = subject.starts_with("OK") || subject.find("RESOLVED") != std::string::npos;
    alert.status = resolved ? "resolved" : "firing";
  }
  if (!alert.alertname.empty()) alert.labels["alertname"] = alert.alertname;
  if (!topic.empty()) alert.labels["topic"] = topic;
  n.status = alert.status;
  n.labels = alert.labels;
  n.alerts.push_back(std::move(alert));
  return n;
}

json without_sns_capabilities(json envelope) {
  if (envelope.is_object()) {
    for (const char* field : {"Token", "SubscribeURL", "UnsubscribeURL"}) envelope.erase(field);
  }
  return envelope;
}

bool json_depth_within(std::string_view text, int max_depth) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return false;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return true;
}

}  // namespace firedrill::local

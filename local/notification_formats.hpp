#pragma once
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::local {

// One alert a notification is about. Payloads that carry no labels (Slack, SNS) get
// {alertname: ...} when their text names the alert.
struct ReceivedAlert {
  std::string alertname;  // empty when the payload does not say
  std::string status;     // firing | resolved | unknown
  nlohmann::json labels = nlohmann::json::object();
  // When the alert started firing, where the payload says (Alertmanager and Grafana startsAt).
  std::optional<std::chrono::system_clock::time_point> starts_at;
};

// A notification as received, whatever its sender, in one shape the checks match against.
struct Notification {
  std::chrono::system_clock::time_point received_at;
  // When the sender says it sent it (SNS's Timestamp): a signed message replayed later, or
  // delivered late, is still of that time.
  std::optional<std::chrono::system_clock::time_point> sent_at;
  std::string format;  // alertmanager | grafana | slack | sns | unknown
  std::string status;  // firing | resolved | unknown
  std::vector<ReceivedAlert> alerts;
  nlohmann::json labels = nlohmann::json::object();  // what every alert shares
  std::string receiver;    // the sender's receiver or contact point, when the payload names it
  std::string path;        // where it was posted
  nlohmann::json payload;  // as received (SNS capability URLs and tokens removed)
  std::size_t bytes = 0;   // the request body's size

  std::vector<std::string> alertnames() const;  // distinct, in order
  nlohmann::json to_json() const;
};

// The format a path accepts; Auto tells them apart by their fields.
enum class PayloadFormat { Auto, Alertmanager, Grafana, Slack, Sns };

// The payload is valid JSON but not the format its path requires.
class PayloadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Alertmanager webhook v4, Grafana webhook (unified alerting, or the legacy one with ruleName),
// Slack incoming-webhook JSON; anything else is format "unknown" under Auto. Throws PayloadError
// when `format` is forced and does not fit. received_at, path and bytes are left to the caller.
Notification normalise_webhook(const nlohmann::json& body, PayloadFormat format);

// An SNS message of type Notification: its Message, which may itself be JSON (a CloudWatch alarm
// state change: AlarmName, NewStateValue ALARM -> firing, OK -> resolved). With raw message
// delivery the body is the message itself.
Notification normalise_sns_notification(const nlohmann::json& body);

// An SNS envelope without what lets its holder act on the subscription (Token, SubscribeURL,
// UnsubscribeURL): kept payloads end up in reports.
nlohmann::json without_sns_capabilities(nlohmann::json envelope);

// Whether JSON text nests objects and arrays at most `max_depth` deep. Deeper documents are
// refused before parsing: printing them recurses once per level.
bool json_depth_within(std::string_view text, int max_depth);

}  // namespace firedrill::local

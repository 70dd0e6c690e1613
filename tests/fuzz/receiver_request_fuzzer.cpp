// What a sender can put before the notification receiver: the request head, a chunked body, and
// a JSON payload in every format (Alertmanager, Grafana, Slack, SNS), through the parsers the
// receiver uses.
#include <cstddef>
#include <cstdint>
#include <string>

#include "local/notification_formats.hpp"
#include "local/receiver_request.hpp"
#include "local/sns_signature.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  namespace c = firedrill::local;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const std::size_t head_end = text.find("\r\n\r\n");
  std::string_view body = text;
  std::string decoded;
  if (head_end != std::string_view::npos) {
    c::ReceiverRequest request;
    c::parse_request_head(text.substr(0, head_end), request);
    body = text.substr(head_end + 4);
    std::size_t used = 0;
    if (c::decode_chunked(body, 64 * 1024, decoded, used) == c::Chunked::Complete) body = decoded;
  }
  nlohmann::json doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_discarded()) return 0;
  for (auto format : {c::PayloadFormat::Auto, c::PayloadFormat::Alertmanager,
                      c::PayloadFormat::Grafana, c::PayloadFormat::Slack}) {
    try {
      c::Notification n = c::normalise_webhook(doc, format);
      n.to_json();
    } catch (const c::PayloadError&) {
    } catch (const nlohmann::json::exception&) {
    }
  }
  try {
    c::normalise_sns_notification(doc).to_json();
    c::without_sns_capabilities(doc);
  } catch (const nlohmann::json::exception&) {
  }
  std::string error;
  c::sns_string_to_sign(doc, error);
  return 0;
}

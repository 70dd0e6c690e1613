#include <cctype>
#include <charconv>
#include <optional>

#include "common/errors.hpp"
#include "common/http_client.hpp"
#include "common/text.hpp"
#include "validators/check.hpp"
#include "validators/live_check_support.hpp"

namespace firedrill::validators {

namespace {

using common::Duration;
using common::FieldType;
using common::ValueError;
using nlohmann::json;

constexpr std::size_t kBodyExcerpt = 512;

// One entry of `status`: "200", a class "2xx", or a range "200-299".
struct StatusRange {
  int low = 0;
  int high = 0;
  std::string text;
};

std::optional<int> status_code(std::string_view text) {
  int value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.size() != 3 || error != std::errc() || end != text.data() + text.size()) {
    return std::nullopt;
  }
  if (value < 100 || value > 599) return std::nullopt;
  return value;
}

StatusRange parse_status(const std::string& text) {
  auto lower = [&](std::size_t i) { return std::tolower(static_cast<unsigned char>(text[i])); };
  if (text.size() == 3 && text[0] >= '1' && text[0] <= '5' && lower(1) == 'x' && lower(2) == 'x') {
    int base = (text[0] - '0') * 100;
    return {base, base + 99, text};
  }
  std::size_t dash = text.find('-');
  if (dash != std::string::npos) {
    auto low = status_code(std::string_view(text).substr(0, dash));
    auto high = status_code(std::string_view(text).substr(dash + 1));
    if (low && high && *low <= *high) return {*low, *high, text};
  } else if (auto code = status_code(text)) {
    return {*code, *code, text};
  }
  throw ValueError("status: \"" + text +
                   "\" is not a status code (200), a class (2xx) or a range (200-299)");
}

bool is_token(const std::string& s) {
  static const std::string kExtra = "!#$%&'*+-.^_`|~";
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!std::isalnum(c) && kExtra.find(static_cast<char>(c)) == std::string::npos) return false;
  }
  return true;
}

// As its JSON text (`3`, `"ok"`, `{"a":1}`), as the string it holds, or as equal JSON.
bool json_value_equals(const json& value, const std::string& expected) {
  if (value.is_string() && value.get_ref<const std::string&>() == expected) return true;
  if (value.dump() == expected) return true;
  json parsed = json::parse(expected, nullptr, false);
  return !parsed.is_discarded() && parsed == value;
}

class HttpCheck final : public Check {
 public:
  explicit HttpCheck(const common::Params& p) {
    request_.url = p.at("url").get<std::string>();
    if (!request_.url.starts_with("http://") && !request_.url.starts_with("https://")) {
      throw ValueError("url: \"" + common::redact_url(request_.url) +
                       "\" must start with http:// or https://");
    }
    request_.method = p.at("method").get<std::string>();
    if (!is_token(request_.method)) {
      throw ValueError("method: \"" + request_.method + "\" is not an HTTP method");
    }
    if (p.contains("headers")) {
      for (const auto& [name, value] : p.at("headers").items()) {
        if (!is_token(name)) throw ValueError("headers: \"" + name + "\" is not a header name");
        const auto& text = value.get_ref<const std::string&>();
        if (text.find_first_of("\r\n") != std::string::npos) {
          throw ValueError("headers: the value of " + name + " contains a line break");
        }
        request_.headers.emplace_back(name, text);
      }
    }
    if (p.contains("body")) request_.body = p.at("body").get<std::string>();
    request_.timeout = common::positive_duration_param(p, "timeout");
    request_.insecure = p.at("insecure").get<bool>();
    for (const auto& s : p.at("status")) statuses_.push_back(parse_status(s.get<std::string>()));
    if (statuses_.empty()) throw ValueError("status: give at least one status, e.g. 2xx");
    body_ = live::TextExpectation(p, "body");
    if (p.contains("jsonPointer")) {
      pointer_text_ = p.at("jsonPointer").get<std::string>();
      try {
        pointer_ = json::json_pointer(pointer_text_);
      } catch (const json::exception&) {
        throw ValueError("jsonPointer: \"" + pointer_text_ +
                         "\" is not a JSON pointer (RFC 6901), e.g. /status or /items/0/name");
      }
    }
    if (p.contains("jsonEquals")) {
      if (!pointer_) {
        throw ValueError("jsonEquals needs jsonPointer (\"\" for the whole document)");
      }
      json_equals_ = p.at("jsonEquals").get<std::string>();
    }
    if (p.contains("maxLatency")) max_latency_ = common::duration_param(p, "maxLatency");
  }

  std::string describe() const override {
    std::string text = request_.method + " " + common::redact_url(request_.url) + " -> status ";
    for (std::size_t i = 0; i < statuses_.size(); ++i) {
      text += (i ? " or " : "") + statuses_[i].text;
    }
    text += body_.describe();
    if (pointer_) {
      text += ", JSON at " + common::quoted_excerpt(pointer_text_) +
              (json_equals_ ? " equals " + common::quoted_excerpt(*json_equals_) : " exists");
    }
    if (max_latency_) text += ", latency <= " + common::format_duration(*max_latency_);
    if (!request_.headers.empty()) {
      text += " (headers:";
      for (const auto& header : request_.headers) text += " " + header.first;
      text += ")";
    }
    return text;
  }

  Observation observe(const CheckContext&) override {
    common::HttpResponse response = client_.perform(request_);
    Observation o;
    o.evidence["request"] = request_.method + " " + common::redact_url(request_.url);
    o.evidence["latency_ms"] = live::milliseconds(response.elapsed);
    if (!response.ok()) {
      o.verdict = Verdict::Fail;
      o.message = "no response: " + response.error;
      o.evidence["error"] = response.error;
      return o;
    }
    o.evidence["status"] = response.status;
    o.evidence["body"] = common::excerpt(response.body, kBodyExcerpt);
    o.evidence["body_bytes"] = response.body.size();
    if (response.body_truncated) o.evidence["body_truncated"] = true;

    std::vector<std::string> failed;
    bool status_ok = false;
    for (const auto& s : statuses_) {
      status_ok = status_ok || (response.status >= s.low && response.status <= s.high);
    }
    if (!status_ok) {
      std::string expected;
      for (const auto& s : statuses_) expected += (expected.empty() ? "" : " or ") + s.text;
      failed.push_back("status " + std::to_string(response.status) + " is not " + expected);
    }
    body_.check(response.body, failed);
    if (pointer_) check_json(response.body, o, failed);
    if (max_latency_ && response.elapsed > *max_latency_) {
      failed.push_back("latency " + latency_text(response.elapsed) + " is over " +
                       common::format_duration(*max_latency_));
    }
    live::conclude(
        o, failed,
        "status " + std::to_string(response.status) + " in " + latency_text(response.elapsed));
    return o;
  }

 private:
  // To the microsecond: on loopback a whole response can take less than a millisecond.
  static std::string latency_text(common::Duration elapsed) {
    return common::format_duration(std::chrono::duration_cast<std::chrono::microseconds>(elapsed));
  }

  void check_json(const std::string& body, Observation& o, std::vector<std::string>& failed) {
    json document = json::parse(body, nullptr, false);
    if (document.is_discarded()) {
      failed.push_back("body is not JSON");
      return;
    }
    if (!document.contains(*pointer_)) {
      failed.push_back("no JSON value at " + common::quoted_excerpt(pointer_text_));
      return;
    }
    const json& value = document.at(*pointer_);
    std::string text = value.dump();
    o.evidence["json_value"] = common::excerpt(text, kBodyExcerpt);
    if (json_equals_ && !json_value_equals(value, *json_equals_)) {
      failed.push_back("JSON at " + common::quoted_excerpt(pointer_text_) + " is " +
                       common::excerpt(text, 120) + ", not " +
                       common::quoted_excerpt(*json_equals_));
    }
  }

  common::HttpRequest request_;
  std::vector<StatusRange> statuses_;
  live::TextExpectation body_;
  std::string pointer_text_;
  std::optional<json::json_pointer> pointer_;
  std::optional<std::string> json_equals_;
  std::optional<Duration> max_latency_;
  common::HttpClient client_;
};

}  // namespace

CheckKind http_check_kind() {
  using common::FieldSpec;
  return {
      "http",
      "Requests a URL and expects a status, body content, a JSON value or a latency",
      "live: every poll observes the present",
      {{
          FieldSpec{
              "url", FieldType::String, true, "the URL to request (http:// or https://)", {}, {}},
          FieldSpec{"method", FieldType::String, false, "the request method", {}, "GET"},
          FieldSpec{"headers",
                    FieldType::StringMap,
                    false,
                    "request headers; their values never appear in reports",
                    {},
                    {}},
          FieldSpec{"body", FieldType::String, false, "the request body", {}, {}},
          FieldSpec{"status",
                    FieldType::StringList,
                    false,
                    "accepted statuses: codes (200), classes (2xx) or ranges "
                    "(200-299)",
                    {},
                    json::array({"2xx"})},
          FieldSpec{"bodyContains",
                    FieldType::String,
                    false,
                    "text the response body must contain",
                    {},
                    {}},
          FieldSpec{"bodyMatches",
                    FieldType::String,
                    false,
                    "an ECMAScript regular expression the body must match "
                    "somewhere (no back-references)",
                    {},
                    {}},
          FieldSpec{"jsonPointer",
                    FieldType::String,
                    false,
                    "an RFC 6901 pointer into the JSON body, e.g. /status; the "
                    "value must exist",
                    {},
                    {}},
          FieldSpec{"jsonEquals",
                    FieldType::String,
                    false,
                    "the value at jsonPointer, as JSON text (3, true, \"ok\") or "
                    "as the string it holds (ok)",
                    {},
                    {}},
          FieldSpec{"maxLatency",
                    FieldType::Duration,
                    false,
                    "the response must be complete within this",
                    {},
                    {}},
          FieldSpec{"timeout",
                    FieldType::Duration,
                    false,
                    "give up on a poll after this (a failed poll)",
                    {},
                    "5s"},
          FieldSpec{"insecure",
                    FieldType::Boolean,
                    false,
                    "do not verify the server certificate",
                    {},
                    false},
      }},
      [](const common::Params& p) { return std::make_unique<HttpCheck>(p); }};
}

}  // namespace firedrill::validators

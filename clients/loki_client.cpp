#include "clients/loki_client.hpp"

#include <algorithm>
#include <charconv>

#include "common/text.hpp"

namespace firedrill::clients {

namespace {

using nlohmann::json;

bool parse_ns(const json& value, int64_t& out) {
  if (!value.is_string()) return false;
  const std::string& text = value.get_ref<const std::string&>();
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

}  // namespace

LokiLines LokiClient::query_range(const std::string& logql, int64_t start_ns, int64_t end_ns,
                                  std::size_t max_lines, std::size_t page_size) {
  const std::string what = endpoint_.name + " at " + endpoint_.shown() + ": query_range";
  LokiLines out;
  int64_t from = start_ns;
  // Lines, of one stream or of several, may share a nanosecond timestamp, so a page may end
  // inside a run of them. As logcli does, the next page starts at that timestamp again (start is
  // inclusive) and drops the lines of the run already taken, matched by stream and text.
  std::vector<LokiLine> taken_at_from;
  while (true) {
    // The repeated lines come first in a forward page: room is made for them.
    std::size_t limit = std::min(page_size, max_lines - out.lines.size()) + taken_at_from.size();
    json document = get_json(client_, endpoint_,
                             "/loki/api/v1/query_range?query=" + url_encode(logql) + "&start=" +
                                 std::to_string(from) + "&end=" + std::to_string(end_ns) +
                                 "&limit=" + std::to_string(limit) + "&direction=forward");
    if (!document.is_object() || document.value("status", "") != "success" ||
        !document.contains("data") || !document["data"].is_object()) {
      throw ApiError(what + ": not a Loki query answer (no status success and data)", 200);
    }
    const json& data = document["data"];
    std::string type = data.value("resultType", "");
    if (type != "streams") {
      throw ApiError(what + ": the result is \"" + common::excerpt(type, 20) +
                         "\", not streams: give a log query (e.g. {app=\"checkout\"} |= \"OOM\"), "
                         "not a metric query",
                     200);
    }
    if (!data.contains("result") || !data["result"].is_array()) {
      throw ApiError(what + ": data.result is not a list", 200);
    }
    std::vector<LokiLine> page;
    for (const json& stream : data["result"]) {
      if (!stream.is_object() || !stream.contains("values") || !stream["values"].is_array()) {
        throw ApiError(what + ": a stream has no values list", 200);
      }
      for (const json& value : stream["values"]) {
        LokiLine line;
        if (!value.is_array() || value.size() < 2 || !parse_ns(value[0], line.timestamp_ns) ||
            !value[1].is_string()) {
          throw ApiError(what + ": a value is not [\"<ns>\", \"<line>\"]", 200);
        }
        line.stream = stream.value("stream", json::object());
        line.line = value[1].get<std::string>();
        page.push_back(std::move(line));
      }
    }
    std::stable_sort(page.begin(), page.end(), [](const LokiLine& a, const LokiLine& b) {
      return a.timestamp_ns < b.timestamp_ns;
    });
    const bool full = page.size() >= limit;
    const std::size_t before = out.lines.size();
    bool cut = false;  // lines of this page left out for max_lines
    for (const auto& line : page) {
      if (line.timestamp_ns == from) {
        auto seen = std::find_if(taken_at_from.begin(), taken_at_from.end(), [&](const auto& t) {
          return t.line == line.line && t.stream == line.stream;
        });
        if (seen != taken_at_from.end()) {
          taken_at_from.erase(seen);
          continue;
        }
      }
      if (out.lines.size() >= max_lines) {
        cut = true;
        break;
      }
      out.lines.push_back(line);
    }
    if (cut || (full && out.lines.size() >= max_lines)) {
      out.complete = false;
      return out;
    }
    if (!full) return out;
    if (out.lines.size() == before) {
      throw ApiError(what + ": a full page of " + std::to_string(limit) +
                         " lines held none that the previous page did not",
                     200);
    }
    from = out.lines.back().timestamp_ns;
    taken_at_from.clear();
    for (auto it = out.lines.rbegin(); it != out.lines.rend() && it->timestamp_ns == from; ++it) {
      taken_at_from.push_back(*it);
    }
  }
}

}  // namespace firedrill::clients

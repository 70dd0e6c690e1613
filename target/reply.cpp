#include "target/reply.hpp"

#include <utility>

namespace firedrill::target {

Reply status_reply(int status) {
  Reply reply;
  reply.status = status;
  if (status_has_body(status)) {
    std::string_view reason = reason_phrase(status);
    reply.body = std::to_string(status) + (reason.empty() ? "" : " ") + std::string(reason) + "\n";
  }
  return reply;
}

Reply filler_reply(uint64_t size) {
  Reply reply;
  reply.filler = size;
  return reply;
}

std::string_view reason_phrase(int status) {
  static constexpr std::pair<int, std::string_view> kReasons[] = {
      {200, "OK"},
      {201, "Created"},
      {202, "Accepted"},
      {204, "No Content"},
      {301, "Moved Permanently"},
      {302, "Found"},
      {304, "Not Modified"},
      {400, "Bad Request"},
      {401, "Unauthorized"},
      {403, "Forbidden"},
      {404, "Not Found"},
      {405, "Method Not Allowed"},
      {408, "Request Timeout"},
      {413, "Content Too Large"},
      {429, "Too Many Requests"},
      {431, "Request Header Fields Too Large"},
      {500, "Internal Server Error"},
      {501, "Not Implemented"},
      {502, "Bad Gateway"},
      {503, "Service Unavailable"},
      {504, "Gateway Timeout"},
  };
  // An empty reason phrase is valid HTTP/1.1 for the statuses not listed.
  for (const auto& [code, reason] : kReasons) {
    if (code == status) return reason;
  }
  return {};
}

}  // namespace firedrill::target

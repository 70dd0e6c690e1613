#pragma once
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

namespace firedrill::target {

// Source of every generated body byte, so large bodies are streamed, never allocated.
inline const std::string kFiller(16 * 1024, 'x');

// What the server does with one request; the protocol decides how that looks on the wire.
struct Reply {
  enum class Action { respond, hang, reset_connection, reset_stream };
  Action action = Action::respond;
  int status = 200;
  std::string_view content_type = "text/plain";
  // The Allow header, which a 405 must carry.
  std::string_view allow;
  std::string body;
  uint64_t filler = 0;  // body bytes after `body`, taken from kFiller
  std::chrono::milliseconds delay{0};
  // HTTP/1.1: "Connection: close"; HTTP/2: GOAWAY once this stream is answered.
  bool end_connection = false;

  uint64_t body_size() const { return body.size() + filler; }
};

// 204 and 304 responses carry no body and, for 204, must not carry a Content-Length.
inline bool status_has_body(int status) {
  return status != 204 && status != 304;
}

std::string_view reason_phrase(int status);
// A short text body naming the status, or none where the status forbids one.
Reply status_reply(int status);
// `size` generated body bytes.
Reply filler_reply(uint64_t size);

}  // namespace firedrill::target

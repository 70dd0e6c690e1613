#include "target/received_request.hpp"

namespace firedrill::target {

void ReceivedRequest::keep_body(std::string_view chunk, std::size_t max_body) {
  std::size_t room = max_body - body.size();
  if (chunk.size() > room) body_too_large = true;
  body.append(chunk.substr(0, room));
}

Request ReceivedRequest::view(ConnectionContext* connection) const {
  return Request{.method = method,
                 .target = target,
                 .body = body,
                 .body_too_large = body_too_large,
                 .received = received,
                 .connection = connection};
}

}  // namespace firedrill::target

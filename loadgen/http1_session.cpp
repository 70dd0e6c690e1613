#include "loadgen/http1_session.hpp"

namespace firedrill::loadgen {

Http1Session::Http1Session(SessionEvents& events, uint32_t depth)
    : events_(events), depth_(depth), ring_(depth) {}

bool Http1Session::submit(uint32_t slot, const RequestTemplate& request, std::string& out) {
  if (closing_ || count_ == depth_) return false;
  ring_[(head_ + count_) % depth_] = Pending{slot, request.head};
  ++count_;
  out.append(request.h1_bytes);
  return true;
}

void Http1Session::pop_front() {
  head_ = (head_ + 1) % depth_;
  --count_;
  response_started_ = false;
  parser_.reset();
}

bool Http1Session::on_read(const uint8_t* data, size_t len) {
  const char* p = reinterpret_cast<const char*>(data);
  // Nothing is submitted during a read (the connection refills once it is over), so the requests
  // outstanding are those the connection had handed to the socket before it: a second answer to
  // one of them is never taken for the response of a request submitted since.
  while (len > 0) {
    if (count_ == 0) {
      error_ = "the server sent a response to no request (data without a request outstanding)";
      return false;
    }
    const Pending& front = ring_[head_];
    if (!response_started_) {
      response_started_ = true;
      parser_.set_head_request(front.head);
      events_.on_response_start(front.slot);
    }
    size_t used = parser_.feed(p, len);
    p += used;
    len -= used;
    if (parser_.state() == Http1ResponseParser::State::Error) {
      error_ = parser_.error();
      return false;
    }
    if (parser_.state() == Http1ResponseParser::State::Complete) {
      uint32_t slot = front.slot;
      int status = parser_.status();
      uint64_t body = parser_.body_bytes();
      if (!parser_.keep_alive()) closing_ = true;
      pop_front();
      events_.on_response(slot, status, body);
      // After "Connection: close" nothing more may be read as a response on this connection.
      if (closing_) return true;
    }
  }
  return true;
}

void Http1Session::on_eof() {
  closing_ = true;
  if (count_ == 0 || !response_started_) return;
  parser_.on_eof();
  if (parser_.state() == Http1ResponseParser::State::Complete) {
    uint32_t slot = ring_[head_].slot;
    int status = parser_.status();
    uint64_t body = parser_.body_bytes();
    pop_front();
    events_.on_response(slot, status, body);
  }
}

}  // namespace firedrill::loadgen

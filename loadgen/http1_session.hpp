#pragma once
#include <vector>

#include "loadgen/http1_response_parser.hpp"
#include "loadgen/session.hpp"

namespace firedrill::loadgen {

// HTTP/1.1 keep-alive with up to `depth` pipelined requests; responses arrive in request order.
class Http1Session final : public Session {
 public:
  Http1Session(SessionEvents& events, uint32_t depth);

  uint32_t max_in_flight() const override { return depth_; }
  bool accepting() const override { return !closing_; }
  bool submit(uint32_t slot, const RequestTemplate& request, std::string& out) override;
  // Requests are written as they are submitted.
  void flush(std::string&) override {}
  bool on_read(const uint8_t* data, size_t len) override;
  void on_eof() override;
  bool cancel(uint32_t) override { return false; }
  const std::string& error_message() const override { return error_; }

 private:
  struct Pending {
    uint32_t slot;
    bool head;
  };
  void pop_front();

  SessionEvents& events_;
  uint32_t depth_;
  std::vector<Pending> ring_;  // pipelined requests, oldest at head_
  uint32_t head_ = 0;
  uint32_t count_ = 0;
  bool response_started_ = false;
  bool closing_ = false;
  Http1ResponseParser parser_;
  std::string error_;
};

}  // namespace firedrill::loadgen

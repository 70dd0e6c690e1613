#pragma once
#include <openssl/ssl.h>

#include <cstddef>
#include <cstdint>
#include <utility>

#include "loadgen/openssl_handles.hpp"

namespace firedrill::loadgen {

enum class IoStatus { Ok, WantRead, WantWrite, Eof, Error };

struct IoResult {
  IoStatus status;
  size_t bytes = 0;
  int error = 0;  // errno for plain sockets
};

// Non-blocking reads and writes on a connected socket, through TLS when an SSL object is attached.
// A plain branch rather than a virtual call: the two cases are all there will ever be. The
// transport owns the SSL object from attach() to reset() or its end.
class Transport {
 public:
  void attach(int fd, SslPtr ssl) {
    fd_ = fd;
    ssl_ = std::move(ssl);
  }
  void reset() {
    ssl_.reset();
    fd_ = -1;
  }
  bool tls() const { return ssl_ != nullptr; }
  SSL* ssl() const { return ssl_.get(); }

  IoStatus handshake();
  IoResult read(uint8_t* buf, size_t len);
  // True when TLS holds bytes already read from the socket (read-ahead): the socket may be empty
  // and the poller silent while they wait.
  bool has_buffered() const { return ssl_ && SSL_has_pending(ssl_.get()); }
  IoResult write(const uint8_t* buf, size_t len);

 private:
  IoResult tls_result(int rv);

  int fd_ = -1;
  SslPtr ssl_;
};

}  // namespace firedrill::loadgen

#include "loadgen/transport.hpp"

#include <openssl/err.h>
#include <sys/socket.h>

#include <cerrno>

namespace firedrill::loadgen {

IoResult Transport::tls_result(int rv) {
  switch (SSL_get_error(ssl_.get(), rv)) {
    case SSL_ERROR_WANT_READ:
      return {IoStatus::WantRead};
    case SSL_ERROR_WANT_WRITE:
      return {IoStatus::WantWrite};
    case SSL_ERROR_ZERO_RETURN:
      return {IoStatus::Eof};
    case SSL_ERROR_SYSCALL:
      return {errno == 0 ? IoStatus::Eof : IoStatus::Error, 0, errno};
    default:
      return {IoStatus::Error};
  }
}

IoStatus Transport::handshake() {
  ERR_clear_error();
  int rv = SSL_do_handshake(ssl_.get());
  return rv == 1 ? IoStatus::Ok : tls_result(rv).status;
}

IoResult Transport::read(uint8_t* buf, size_t len) {
  if (ssl_) {
    ERR_clear_error();
    int rv = SSL_read(ssl_.get(), buf, static_cast<int>(len));
    return rv > 0 ? IoResult{IoStatus::Ok, static_cast<size_t>(rv)} : tls_result(rv);
  }
  ssize_t n = ::recv(fd_, buf, len, 0);
  if (n > 0) return {IoStatus::Ok, static_cast<size_t>(n)};
  if (n == 0) return {IoStatus::Eof};
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {IoStatus::WantRead};
  return {IoStatus::Error, 0, errno};
}

IoResult Transport::write(const uint8_t* buf, size_t len) {
  if (ssl_) {
    ERR_clear_error();
    int rv = SSL_write(ssl_.get(), buf, static_cast<int>(len));
    return rv > 0 ? IoResult{IoStatus::Ok, static_cast<size_t>(rv)} : tls_result(rv);
  }
  ssize_t n = ::send(fd_, buf, len, MSG_NOSIGNAL);
  if (n >= 0) return {IoStatus::Ok, static_cast<size_t>(n)};
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return {IoStatus::WantWrite};
  return {IoStatus::Error, 0, errno};
}

}  // namespace firedrill::loadgen

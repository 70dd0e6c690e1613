#pragma once
#include <memory>
#include <utility>
#include <variant>

#include "common/asio_ssl.hpp"

namespace firedrill::target {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

// A TCP socket, or a TLS stream over one; the protocols do not care which.
class Transport {
 public:
  using TlsStream = ssl::stream<tcp::socket>;

  explicit Transport(tcp::socket socket) : stream_(std::move(socket)) {}
  Transport(tcp::socket socket, ssl::context& tls)
      : stream_(std::make_unique<TlsStream>(std::move(socket), tls)) {}

  bool is_tls() const { return std::holds_alternative<std::unique_ptr<TlsStream>>(stream_); }
  TlsStream& tls() { return *std::get<std::unique_ptr<TlsStream>>(stream_); }
  tcp::socket& socket() { return is_tls() ? tls().next_layer() : std::get<tcp::socket>(stream_); }

  template <class Handler>
  void read_some(asio::mutable_buffer buffer, Handler&& handler) {
    if (is_tls()) {
      tls().async_read_some(buffer, std::forward<Handler>(handler));
    } else {
      std::get<tcp::socket>(stream_).async_read_some(buffer, std::forward<Handler>(handler));
    }
  }

  template <class Handler>
  void write(asio::const_buffer buffer, Handler&& handler) {
    if (is_tls()) {
      asio::async_write(tls(), buffer, std::forward<Handler>(handler));
    } else {
      asio::async_write(std::get<tcp::socket>(stream_), buffer, std::forward<Handler>(handler));
    }
  }

 private:
  std::variant<tcp::socket, std::unique_ptr<TlsStream>> stream_;
};

}  // namespace firedrill::target

#include "target/protocol_sniffer.hpp"

#include <openssl/ssl.h>

#include <algorithm>
#include <string_view>

#include "target/h1_connection.hpp"
#include "target/h2_connection.hpp"

namespace firedrill::target {

namespace {

constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

}  // namespace

void ProtocolSniffer::start() {
  if (!transport_.is_tls()) {
    sniff();
    return;
  }
  transport_.tls().async_handshake(ssl::stream_base::server,
                                   [self = shared_from_this()](const error_code& error) {
                                     if (!error) self->on_handshake();
                                   });
}

void ProtocolSniffer::on_handshake() {
  const unsigned char* alpn = nullptr;
  unsigned int alpn_size = 0;
  SSL_get0_alpn_selected(transport_.tls().native_handle(), &alpn, &alpn_size);
  std::string_view selected(reinterpret_cast<const char*>(alpn), alpn_size);
  if (selected == "h2") {
    launch(Protocol::h2);
  } else if (selected == "http/1.1") {
    launch(Protocol::h1);
  } else {
    sniff();
  }
}

void ProtocolSniffer::sniff() {
  transport_.read_some(asio::buffer(buffer_),
                       [self = shared_from_this()](const error_code& error, std::size_t size) {
                         if (error) return;
                         self->received_.append(self->buffer_.data(), size);
                         self->decide();
                       });
}

void ProtocolSniffer::decide() {
  std::size_t compared = std::min(received_.size(), kH2Preface.size());
  if (received_.compare(0, compared, kH2Preface.substr(0, compared)) != 0) {
    launch(Protocol::h1);
  } else if (received_.size() >= kH2Preface.size()) {
    launch(Protocol::h2);
  } else {
    sniff();
  }
}

void ProtocolSniffer::launch(Protocol protocol) {
  context_.protocol = protocol;
  server_.handler().on_connection_event(ConnectionEvent::protocol_chosen, context_);
  auto connection = protocol == Protocol::h2
                        ? make_h2_connection(server_, std::move(transport_), context_)
                        : make_h1_connection(server_, std::move(transport_), context_);
  connection->start(received_);
}

}  // namespace firedrill::target

#pragma once
#include <memory>

#include "target/connection.hpp"

namespace firedrill::target {

std::shared_ptr<Connection> make_h1_connection(HttpServer& server, Transport transport,
                                               ConnectionContext context);

}  // namespace firedrill::target

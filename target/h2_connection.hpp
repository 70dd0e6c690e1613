#pragma once
#include <memory>

#include "target/connection.hpp"

namespace firedrill::target {

std::shared_ptr<Connection> make_h2_connection(HttpServer& server, Transport transport,
                                               ConnectionContext context);

}  // namespace firedrill::target

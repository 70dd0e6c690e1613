#pragma once
// Asio's TLS streams, through the same shim as the rest of Asio (common/asio.hpp says why).
#include "common/asio.hpp"

#include <boost/asio/ssl.hpp>

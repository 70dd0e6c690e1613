#pragma once
// Boost 1.74's Asio uses std::exchange without including <utility>; GCC 12 in C++20 mode no
// longer pulls it in transitively. Every Asio include in the project goes through this header.
#include <utility>

#include <boost/asio.hpp>

namespace firedrill {
namespace asio = boost::asio;
}

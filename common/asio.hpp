#pragma once
// Boost 1.74's Asio uses std::exchange without including <utility>; GCC 12 in C++20 mode no
// longer pulls it in transitively. Every Asio include in the project goes through this header.
#include <utility>

// Boost 1.74 looks for coroutines in clang only as <experimental/coroutine>; clang 14 with
// libstdc++ has the C++20 <coroutine> (the fuzz build, tools/fuzz, is clang's).
#if defined(__clang__) && defined(__cpp_impl_coroutine) && !defined(BOOST_ASIO_HAS_CO_AWAIT)
#include <coroutine>
#define BOOST_ASIO_HAS_CO_AWAIT 1
#endif

#include <boost/asio.hpp>

namespace firedrill {
namespace asio = boost::asio;
}

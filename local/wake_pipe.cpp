#include "local/wake_pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

namespace firedrill::local {

WakePipe::WakePipe() {
  int ends[2];
  if (::pipe2(ends, O_CLOEXEC | O_NONBLOCK) != 0) {
    throw std::runtime_error(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  read_ = UniqueFd(ends[0]);
  write_ = UniqueFd(ends[1]);
}

void WakePipe::wake() const {
  char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(write_.get(), &byte, 1);
}

void WakePipe::drain() const {
  char sink[64];
  while (::read(read_.get(), sink, sizeof sink) > 0) {
  }
}

}  // namespace firedrill::local

#include "common/bounded_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/units.hpp"

namespace firedrill::common {

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a plain file";
}

// Closes the descriptor on every path out.
struct Descriptor {
  int fd;
  ~Descriptor() {
    if (fd >= 0) ::close(fd);
  }
};

}  // namespace

std::optional<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes,
                                             std::string& why) {
  // O_NONBLOCK: opening a FIFO with no writer must not hang; it is refused below anyway.
  Descriptor file{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK)};
  if (file.fd < 0) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  struct stat st {};
  if (::fstat(file.fd, &st) != 0) {
    why = std::strerror(errno);
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    why = std::string("it is ") + kind_of(st.st_mode) + ", not a regular file";
    return std::nullopt;
  }
  const std::string limit = format_bytes(max_bytes) + " bytes";
  if (static_cast<std::size_t>(st.st_size) > max_bytes) {
    why = "it is larger than " + limit;
    return std::nullopt;
  }
  std::string content;
  char buffer[64 * 1024];
  // Read to the limit only, whatever the size said: the file may grow while it is read.
  while (true) {
    ssize_t n = ::read(file.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      why = std::strerror(errno);
      return std::nullopt;
    }
    if (n == 0) break;
    content.append(buffer, static_cast<std::size_t>(n));
    if (content.size() > max_bytes) {
      why = "it is larger than " + limit;
      return std::nullopt;
    }
  }
  return content;
}

}  // namespace firedrill::common

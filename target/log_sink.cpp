#include "target/log_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "target/log_line.hpp"

namespace firedrill::target {

LogSink::LogSink(const std::string& path, std::string name)
    : fd_(path.empty() ? STDOUT_FILENO
                       : open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644)),
      name_(std::move(name)) {
  if (fd_ < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
}

LogSink::~LogSink() {
  if (fd_ != STDOUT_FILENO) close(fd_);
}

void LogSink::write(std::string_view lines) {
  std::lock_guard lock(mutex_);
  while (!lines.empty()) {
    ssize_t written = ::write(fd_, lines.data(), lines.size());
    if (written < 0 && errno == EINTR) continue;
    // Nowhere to report a failed log write; the lines are dropped rather than the requests.
    if (written <= 0) return;
    lines.remove_prefix(static_cast<std::size_t>(written));
  }
}

void LogSink::event(std::string_view level, std::string_view msg,
                    const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json line = {{"timestamp", rfc3339_utc(std::chrono::system_clock::now())},
                                 {"level", level},
                                 {"name", name_},
                                 {"msg", msg}};
  for (const auto& [key, value] : fields.items()) line[key] = value;
  write(line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace firedrill::target

#pragma once
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace firedrill::target {

// Where the target's JSON log lines go: stdout, or a file appended to. Every event loop writes
// here; each batch of whole lines goes out in one piece, so lines never interleave.
class LogSink {
 public:
  // `path` empty: stdout. Throws std::runtime_error when the file cannot be opened.
  LogSink(const std::string& path, std::string name);
  ~LogSink();
  LogSink(const LogSink&) = delete;
  LogSink& operator=(const LogSink&) = delete;

  // The instance name every line carries.
  const std::string& name() const { return name_; }
  // Whole lines, each ending in '\n'.
  void write(std::string_view lines);
  // One line now: timestamp, level, name, msg, then `fields` in their order.
  void event(std::string_view level, std::string_view msg,
             const nlohmann::ordered_json& fields = nlohmann::ordered_json::object());

 private:
  int fd_;
  std::string name_;
  std::mutex mutex_;
};

}  // namespace firedrill::target

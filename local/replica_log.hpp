#pragma once
#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/rfc3339.hpp"

namespace firedrill::local {

using common::WallClock;

// One line a replica wrote, as kept in its log file: the kubelet's CRI log format,
// "<RFC 3339 nano> stdout|stderr F <line>", so lines can be told apart by when they were written.
struct LogLine {
  WallClock::time_point at;
  std::string stream;
  std::string text;
};

// Parses one line of a replica log file; nullopt for a line not in the format.
std::optional<LogLine> parse_log_line(const std::string& line);

enum class LogStream { Stdout, Stderr };

// One replica's log file in the kubelet's CRI format, "<RFC 3339 nano UTC> stdout|stderr F|P
// <text>": the output of all its processes, one after the other. Output is cut into lines as it
// arrives; a line longer than kMaxLine is written in parts tagged P (partial), as the kubelet
// does, the last one F.
class ReplicaLog {
 public:
  static constexpr std::size_t kMaxLine = 16 * 1024;

  // Creates the file, or empties the one left by an earlier run.
  explicit ReplicaLog(std::filesystem::path file);
  ~ReplicaLog();
  ReplicaLog(const ReplicaLog&) = delete;
  ReplicaLog& operator=(const ReplicaLog&) = delete;

  void append(LogStream stream, std::string_view data);
  // The process ended: what it wrote after its last newline becomes a line of its own.
  void flush();
  const std::filesystem::path& file() const { return file_; }

 private:
  void write_line(LogStream stream, std::string_view text, bool partial);

  std::filesystem::path file_;
  int fd_ = -1;
  std::string pending_[2];  // per stream, since its last newline
};

// The lines of a log file written at or after `since`, P parts joined to their line.
std::vector<LogLine> read_log_lines(const std::filesystem::path& file, WallClock::time_point since);

}  // namespace firedrill::local

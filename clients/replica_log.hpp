#pragma once
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "clients/local_services.hpp"

namespace firedrill::clients {

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

}  // namespace firedrill::clients

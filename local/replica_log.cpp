#include "local/replica_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <fstream>
#include <stdexcept>

#include "common/rfc3339.hpp"

namespace firedrill::local {

namespace {

// Nine fraction digits always, unlike Go's RFC3339Nano which drops trailing zeros: still RFC
// 3339, and lines of one file then sort as text too.
std::string format_timestamp(WallClock::time_point t) {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(ns / 1'000'000'000);
  long fraction = static_cast<long>(ns % 1'000'000'000);
  if (fraction < 0) {
    fraction += 1'000'000'000;
    --seconds;
  }
  std::tm utc{};
  ::gmtime_r(&seconds, &utc);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec, fraction);
  return buffer;
}

const char* stream_name(LogStream stream) {
  return stream == LogStream::Stdout ? "stdout" : "stderr";
}

struct ParsedLine {
  LogLine line;
  bool partial = false;
};

std::optional<ParsedLine> parse_entry(const std::string& text) {
  auto first = text.find(' ');
  if (first == std::string::npos) return std::nullopt;
  auto second = text.find(' ', first + 1);
  if (second == std::string::npos) return std::nullopt;
  auto third = text.find(' ', second + 1);
  if (third == std::string::npos) return std::nullopt;
  auto at = common::parse_rfc3339(std::string_view(text).substr(0, first));
  std::string stream = text.substr(first + 1, second - first - 1);
  std::string tag = text.substr(second + 1, third - second - 1);
  if (!at || (stream != "stdout" && stream != "stderr") || (tag != "F" && tag != "P")) {
    return std::nullopt;
  }
  return ParsedLine{{*at, std::move(stream), text.substr(third + 1)}, tag == "P"};
}

}  // namespace

std::optional<LogLine> parse_log_line(const std::string& line) {
  auto parsed = parse_entry(line);
  if (!parsed) return std::nullopt;
  return std::move(parsed->line);
}

ReplicaLog::ReplicaLog(std::filesystem::path file) : file_(std::move(file)) {
  fd_ = ::open(file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0644);
  if (fd_ < 0) {
    throw std::runtime_error("cannot create the log file " + file_.string() + ": " +
                             std::strerror(errno));
  }
}

ReplicaLog::~ReplicaLog() {
  flush();
  ::close(fd_);
}

void ReplicaLog::write_line(LogStream stream, std::string_view text, bool partial) {
  std::string entry = format_timestamp(WallClock::now());
  entry += ' ';
  entry += stream_name(stream);
  entry += partial ? " P " : " F ";
  entry += text;
  entry += '\n';
  // One write per line, so that a reader sees whole lines only (or a last one without its
  // newline, which it leaves for later). A full disk loses lines; the replica goes on.
  for (std::string_view rest = entry; !rest.empty();) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    rest.remove_prefix(static_cast<size_t>(n));
  }
}

void ReplicaLog::append(LogStream stream, std::string_view data) {
  std::string& pending = pending_[static_cast<int>(stream)];
  while (!data.empty()) {
    auto newline = data.find('\n');
    std::string_view piece = data.substr(0, newline);
    pending.append(piece);
    data.remove_prefix(newline == std::string_view::npos ? data.size() : newline + 1);
    while (pending.size() > kMaxLine) {
      write_line(stream, std::string_view(pending).substr(0, kMaxLine), true);
      pending.erase(0, kMaxLine);
    }
    if (newline == std::string_view::npos) break;
    if (!pending.empty() && pending.back() == '\r') pending.pop_back();
    write_line(stream, pending, false);
    pending.clear();
  }
}

void ReplicaLog::flush() {
  for (LogStream stream : {LogStream::Stdout, LogStream::Stderr}) {
    std::string& pending = pending_[static_cast<int>(stream)];
    if (pending.empty()) continue;
    write_line(stream, pending, false);
    pending.clear();
  }
}

std::vector<LogLine> read_log_lines(const std::filesystem::path& file,
                                    WallClock::time_point since) {
  std::vector<LogLine> out;
  std::ifstream in(file, std::ios::binary);
  std::optional<LogLine> parts[2];  // P parts so far, per stream
  for (std::string text; std::getline(in, text);) {
    if (in.eof()) break;  // the writer is still writing this line
    auto parsed = parse_entry(text);
    if (!parsed) continue;
    std::optional<LogLine>& joined = parts[parsed->line.stream == "stdout" ? 0 : 1];
    if (joined) {
      joined->text += parsed->line.text;
    } else {
      joined = std::move(parsed->line);
    }
    if (parsed->partial) continue;
    if (joined->at >= since) out.push_back(std::move(*joined));
    joined.reset();
  }
  return out;
}

}  // namespace firedrill::local

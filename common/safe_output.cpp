#include "common/safe_output.hpp"

#include <iostream>

#include "common/text.hpp"

namespace firedrill::common {

SafeOutputBuf::int_type SafeOutputBuf::overflow(int_type c) {
  if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
  std::lock_guard lock(mutex_);
  held_ += traits_type::to_char_type(c);
  if (held_.size() >= kMaxHeld) flush_held();
  return c;
}

std::streamsize SafeOutputBuf::xsputn(const char* s, std::streamsize n) {
  std::lock_guard lock(mutex_);
  held_.append(s, static_cast<std::size_t>(n));
  if (held_.size() >= kMaxHeld) flush_held();
  return n;
}

int SafeOutputBuf::sync() {
  std::lock_guard lock(mutex_);
  return flush_held();
}

int SafeOutputBuf::flush_held() {
  if (!held_.empty()) {
    const std::string shown = escape_terminal_controls(secrets_.redact(held_));
    held_.clear();
    // A closed pipe or a full disk stops the output, not the program.
    target_->sputn(shown.data(), static_cast<std::streamsize>(shown.size()));
  }
  return target_->pubsync();
}

void SafeOutputBuf::write_verbatim(std::string_view text) {
  std::lock_guard lock(mutex_);
  flush_held();
  target_->sputn(text.data(), static_cast<std::streamsize>(text.size()));
}

void write_verbatim(std::ostream& out, std::string_view text) {
  if (auto* safe = dynamic_cast<SafeOutputBuf*>(out.rdbuf())) {
    safe->write_verbatim(text);
  } else {
    out << text;
  }
}

SafeStandardStreams::SafeStandardStreams()
    : out_(std::cout.rdbuf(), secret_values()),
      err_(std::cerr.rdbuf(), secret_values()),
      old_out_(std::cout.rdbuf(&out_)),
      old_err_(std::cerr.rdbuf(&err_)) {}

SafeStandardStreams::~SafeStandardStreams() {
  std::cout.flush();
  std::cerr.flush();
  std::cout.rdbuf(old_out_);
  std::cerr.rdbuf(old_err_);
}

}  // namespace firedrill::common

#pragma once
#include <iosfwd>
#include <mutex>
#include <streambuf>
#include <string>
#include <string_view>

#include "common/secret_values.hpp"

namespace firedrill::common {

// A stream buffer for what a terminal shows: before text reaches `target`, every secret value
// becomes its reference and every control character a drill file or a server could have put in
// becomes an escape (common::escape_terminal_controls). It holds text until a flush (std::cerr
// flushes after every insertion; std::endl and the end of a program flush std::cout), so a value
// written in one insertion is always seen whole.
class SafeOutputBuf final : public std::streambuf {
 public:
  SafeOutputBuf(std::streambuf* target, const SecretValues& secrets)
      : target_(target), secrets_(secrets) {}
  ~SafeOutputBuf() override { sync(); }

  // After what is held, `text` as it is: firedrill's own, never text from outside.
  void write_verbatim(std::string_view text);

 protected:
  int_type overflow(int_type c) override;
  std::streamsize xsputn(const char* s, std::streamsize n) override;
  int sync() override;

 private:
  int flush_held();  // under mutex_
  static constexpr std::size_t kMaxHeld = 64 * 1024;
  // The standard streams may be written from several threads; with this buffer in place they
  // would no longer be safe to, so it keeps its own order.
  std::mutex mutex_;
  std::streambuf* target_;
  const SecretValues& secrets_;
  std::string held_;
};

// Writes bytes of firedrill's own to `out` as they are, which a SafeOutputBuf would otherwise
// escape and redact: a progress line's control sequences ("\r\033[K"), a manifest that must
// carry the drill's real values (`firedrill rbac`). Never for text from outside.
void write_verbatim(std::ostream& out, std::string_view text);

// For as long as it lives, std::cout and std::cerr go through SafeOutputBufs over
// secret_values(): nothing the program prints shows an interpolated value.
class SafeStandardStreams {
 public:
  SafeStandardStreams();
  ~SafeStandardStreams();
  SafeStandardStreams(const SafeStandardStreams&) = delete;
  SafeStandardStreams& operator=(const SafeStandardStreams&) = delete;

 private:
  SafeOutputBuf out_;
  SafeOutputBuf err_;
  std::streambuf* old_out_;
  std::streambuf* old_err_;
};

}  // namespace firedrill::common

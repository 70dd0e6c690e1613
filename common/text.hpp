#pragma once
#include <cstddef>
#include <regex>
#include <string>
#include <string_view>

namespace firedrill::common {

// Text from outside (a response body, a command's output) made fit for evidence, messages and
// JSON documents, which must be valid UTF-8: secret values shown as their references
// (common::secret_values()), then at most `max_bytes` bytes, cut on a character boundary, invalid
// bytes replaced by U+FFFD, and "…" appended when anything was left out.
std::string excerpt(std::string_view text, std::size_t max_bytes);
// A command, pattern or value the user wrote, for describe() and messages: excerpt(text, 120) as a
// JSON string, quotes and escapes included.
std::string quoted_excerpt(std::string_view text);

// `text` without the spaces, tabs, CRs and LFs at either end: a value read from a file or a
// command's output, which usually ends with a newline.
std::string trimmed(std::string_view text);

// For a terminal: C0 and C1 control characters and DEL as \u001b-style escapes, except tab and
// newline. Everything that can set a title, write the clipboard, move the cursor or erase what
// was printed is thereby shown, not obeyed. (A live progress line redraws itself with sequences
// of its own, common::write_verbatim.)
std::string escape_terminal_controls(std::string_view text);

// Double-quoted with \" \\ and \n escaped: a PromQL string, an Alertmanager matcher value.
std::string double_quoted(std::string_view value);

// An ECMAScript regular expression that is searched in linear time and constant stack: the
// default std::regex matcher recurses once per character and overflows the stack on a long
// single-line body. Back-references are therefore not supported. Throws ValueError naming the
// problem.
std::regex compile_regex(const std::string& pattern);

}  // namespace firedrill::common

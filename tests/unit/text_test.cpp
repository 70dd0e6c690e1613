#include "common/text.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "common/errors.hpp"

namespace firedrill::common {
namespace {

using ::testing::HasSubstr;

TEST(EscapeTerminalControls, ShowsWhatATerminalWouldObey) {
  // OSC 52 writes the clipboard; CSI moves the cursor; U+009B is CSI in one code point.
  EXPECT_EQ(escape_terminal_controls("a\x1b]52;c;aGk=\x07"
                                     "b"),
            "a\\u001b]52;c;aGk=\\u0007b");
  EXPECT_EQ(escape_terminal_controls("\x1b[2J\x7f"), "\\u001b[2J\\u007f");
  EXPECT_EQ(escape_terminal_controls("x\xc2\x9b"
                                     "31m"),
            "x\\u009b31m");
  EXPECT_EQ(escape_terminal_controls(std::string("a\0b", 3)), "a\\u0000b");
}

TEST(EscapeTerminalControls, KeepsLineBreaksTabsAndUtf8ButNotCarriageReturnsOrErases) {
  EXPECT_EQ(escape_terminal_controls("a\tb\nc"), "a\tb\nc");
  // A carriage return or an erase-line from outside could overwrite what firedrill printed.
  EXPECT_EQ(escape_terminal_controls("FAILED\r\x1b[KPASSED"), "FAILED\\u000d\\u001b[KPASSED");
  EXPECT_EQ(escape_terminal_controls("caf\xc3\xa9 \xc2\xa0 \xe2\x80\xa6"),
            "caf\xc3\xa9 \xc2\xa0 \xe2\x80\xa6");
}

TEST(Trimmed, DropsWhitespaceAtBothEndsOnly) {
  EXPECT_EQ(trimmed("  token-1\r\n"), "token-1");
  EXPECT_EQ(trimmed("\ta b\t"), "a b");
  EXPECT_EQ(trimmed("plain"), "plain");
  EXPECT_EQ(trimmed(" \t\r\n"), "");
  EXPECT_EQ(trimmed(""), "");
}

TEST(Excerpt, ShortTextUnchanged) {
  EXPECT_EQ(excerpt("hello", 10), "hello");
  EXPECT_EQ(excerpt("", 10), "");
  EXPECT_EQ(excerpt("h\xC3\xA9llo", 10), "h\xC3\xA9llo");
}

TEST(QuotedExcerpt, JsonQuotedAndCut) {
  EXPECT_EQ(quoted_excerpt("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(quoted_excerpt(std::string(200, 'a')), "\"" + std::string(120, 'a') + "\xE2\x80\xA6\"");
}

TEST(Excerpt, CutTextIsMarked) {
  EXPECT_EQ(excerpt("hello world", 5), "hello\xE2\x80\xA6");
}

TEST(Excerpt, CutsOnCharacterBoundary) {
  // "é" is two bytes; a cut after one of them would leave invalid UTF-8.
  EXPECT_EQ(excerpt("ab\xC3\xA9", 3), "ab\xE2\x80\xA6");
}

TEST(Excerpt, InvalidBytesReplaced) {
  std::string out = excerpt(
      "a\xFF"
      "b\xC3(\xED\xA0\x80",
      100);
  EXPECT_EQ(out,
            "a\xEF\xBF\xBD"
            "b\xEF\xBF\xBD(\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");
  EXPECT_NO_THROW(nlohmann::json(out).dump());
}

TEST(Excerpt, BinaryDataIsValidJson) {
  std::string bytes;
  for (int i = 0; i < 256; ++i) bytes.push_back(static_cast<char>(i));
  EXPECT_NO_THROW(nlohmann::json(excerpt(bytes, 512)).dump());
  EXPECT_LE(excerpt(bytes, 64).size(), 64u + 3u);
}

TEST(CompileRegex, SearchesEcmaScript) {
  std::regex r = compile_regex(R"re("status":\s*"(ok|up)")re");
  EXPECT_TRUE(std::regex_search(std::string(R"({"status": "up"})"), r));
  EXPECT_FALSE(std::regex_search(std::string(R"({"status": "down"})"), r));
}

TEST(CompileRegex, LongSingleLineDoesNotExhaustTheStack) {
  std::string body = "a" + std::string(2'000'000, 'x') + "b";
  EXPECT_TRUE(std::regex_search(body, compile_regex("a.*b")));
  EXPECT_FALSE(std::regex_search(body, compile_regex("a(x|y)*c")));
}

TEST(CompileRegex, InvalidPatternIsValueError) {
  try {
    compile_regex("(unclosed");
    FAIL() << "accepted";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("(unclosed"));
  }
}

TEST(CompileRegex, BackReferencesRejected) {
  try {
    compile_regex("(a)\\1");
    FAIL() << "accepted";
  } catch (const ValueError& e) {
    EXPECT_THAT(e.what(), HasSubstr("back-references"));
  }
}

}  // namespace
}  // namespace firedrill::common

#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace firedrill::reporters {

// Numbers, times and text as every report shows them.
std::string fixed(double value, int decimals);
std::string format_seconds(double seconds);  // "850ms", "12.4s", "3m05s", "1h02m03s"
std::string format_offset(double seconds);   // from the drill start: "+12.4s"
std::string format_latency(uint64_t ns);     // "850us", "12.3ms", "1.20s"
std::string format_count(uint64_t n);        // "1,234,567"

// Valid UTF-8 (U+FFFD for bytes that are not) without C0 and C1 control characters other than
// tab and newline (shown as \u001b), so that any message can go into XML, HTML or a terminal.
std::string clean_text(std::string_view text);
// Escaped for XML and HTML (after clean_text). Attribute values, quoted either way, also escape
// quotes, and tab and newline as character references, which attribute value normalisation keeps.
enum class Quoting { Text, Attribute };
std::string xml_escape(std::string_view text, Quoting quoting = Quoting::Text);
// Terminal width of UTF-8 text, counting one column per code point.
size_t display_width(std::string_view text);

// Pretty JSON of a check's evidence; never throws on invalid UTF-8 in observed values.
std::string evidence_text(const nlohmann::json& evidence);

}  // namespace firedrill::reporters

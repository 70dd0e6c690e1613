// The drill parser on any text: errors, never a crash, a hang or unbounded memory.
#include <cstddef>
#include <cstdint>
#include <string>

#include "scenarios/drill_parser.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto outcome = firedrill::scenarios::parse_drill_text(
      text, "fuzz.yaml", [](const std::string&) -> std::optional<std::string> { return {}; });
  if (!outcome.drill) firedrill::scenarios::format_errors(outcome.errors);
  return 0;
}

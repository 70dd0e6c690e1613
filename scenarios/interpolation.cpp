#include "scenarios/interpolation.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>

#include "common/bounded_file.hpp"

namespace firedrill::scenarios {

namespace {

constexpr std::string_view kForms =
    "use ${env:NAME}, ${env:NAME:-default} or ${file:PATH}, and $${ for a literal ${";

bool valid_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

// Sets `error` and returns false, or appends the value; `from_default` says it was the default
// written in the file.
bool resolve_env(std::string_view body, const std::string& reference,
                 const InterpolationSources& sources, std::string& out, std::string& error,
                 bool& from_default) {
  std::string_view name = body;
  std::optional<std::string_view> fallback;
  if (size_t dash = body.find(":-"); dash != std::string_view::npos) {
    name = body.substr(0, dash);
    fallback = body.substr(dash + 2);
  }
  if (!valid_env_name(name)) {
    error = "`" + reference +
            "` does not name an environment variable: use letters, digits and _, like "
            "${env:API_TOKEN}";
    return false;
  }
  std::optional<std::string> value = sources.env ? sources.env(std::string(name)) : std::nullopt;
  if (fallback && (!value || value->empty())) {
    out += *fallback;
    from_default = true;
    return true;
  }
  if (!value) {
    error = "environment variable " + std::string(name) + " is not set (`" + reference +
            "`); set it, or give a default: ${env:" + std::string(name) + ":-VALUE}";
    return false;
  }
  out += *value;
  return true;
}

// A secret, a token, a certificate: a megabyte is plenty, and the bound keeps /dev/zero out.
constexpr std::size_t kMaxInterpolatedFile = 1024 * 1024;

bool resolve_file(std::string_view body, const std::string& reference,
                  const InterpolationSources& sources, std::string& out, std::string& error) {
  if (body.empty()) {
    error = "`" + reference + "` names no file: write ${file:PATH}";
    return false;
  }
  std::filesystem::path path(body);
  if (path.is_relative()) path = sources.base_dir / path;
  std::string why;
  std::optional<std::string> content =
      common::read_bounded_file(path.string(), kMaxInterpolatedFile, why);
  if (!content) {
    error = "cannot read `" + reference + "`: " + path.string() + ": " + why;
    return false;
  }
  std::string text = std::move(*content);
  // Files written by editors and `echo` end with a line break that is not part of the secret.
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  out += text;
  return true;
}

}  // namespace

Interpolated interpolate(std::string_view text, const InterpolationSources& sources) {
  Interpolated result;
  size_t pos = 0;
  while (pos < text.size()) {
    if (text.substr(pos, 3) == "$${") {
      result.value += "${";
      pos += 3;
      continue;
    }
    if (text.substr(pos, 2) != "${") {
      result.value += text[pos++];
      continue;
    }
    size_t close = text.find('}', pos + 2);
    if (close == std::string_view::npos) {
      result.error =
          "`" + std::string(text.substr(pos)) + "` is not closed with }; " + std::string(kForms);
      return result;
    }
    const std::string reference(text.substr(pos, close + 1 - pos));
    const std::string_view body = text.substr(pos + 2, close - pos - 2);
    bool ok = false;
    bool from_default = false;
    const std::size_t value_start = result.value.size();
    if (body.starts_with("env:")) {
      ok =
          resolve_env(body.substr(4), reference, sources, result.value, result.error, from_default);
    } else if (body.starts_with("file:")) {
      ok = resolve_file(body.substr(5), reference, sources, result.value, result.error);
    } else {
      result.error = "unknown reference `" + reference + "`; " + std::string(kForms);
    }
    if (!ok) return result;
    result.substituted = true;
    // A default is written in the file for all to read; what the environment or a file gave
    // may be a secret.
    if (!from_default) {
      result.substitutions.push_back({result.value.substr(value_start), reference});
    }
    pos = close + 1;
  }
  return result;
}

}  // namespace firedrill::scenarios

#include "common/secret_values.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace firedrill::common {

namespace {

bool is_word(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

}  // namespace

std::string json_escaped(std::string_view value) {
  const std::string quoted = nlohmann::json(std::string(value))
                                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return quoted.substr(1, quoted.size() - 2);
}

void SecretValues::add(std::string_view value, std::string_view reference) {
  std::lock_guard lock(mutex_);
  if (value.size() < kMinLength) return;
  for (const auto& s : added_) {
    if (s.value == value && s.reference == reference) return;
  }
  added_.push_back(Secret{std::string(value), std::string(reference)});
  add_one(std::string(value), reference);
  add_one(json_escaped(value), reference);
  // A file's content may be shown a line at a time (a key, a certificate).
  if (value.find('\n') == std::string_view::npos) return;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = std::min(value.find('\n', start), value.size());
    std::string_view line = value.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.size() >= kLooseLength) add_one(std::string(line), reference);
    start = end + 1;
  }
}

void SecretValues::add_one(std::string value, std::string_view reference) {
  if (value.size() < kMinLength) return;
  for (const auto& s : secrets_) {
    if (s.value == value) return;
  }
  auto at = std::find_if(secrets_.begin(), secrets_.end(),
                         [&](const Secret& s) { return s.value.size() < value.size(); });
  secrets_.insert(at, Secret{std::move(value), std::string(reference)});
}

std::string SecretValues::redact(std::string_view text) const {
  std::lock_guard lock(mutex_);
  if (secrets_.empty()) return std::string(text);
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    // A text shown twice (a report's line printed through the redacting console) keeps its
    // references: "${env:NS:-shop}" must not become "${env:NS:-${env:NS:-shop}}".
    if (text.compare(i, 2, "${") == 0) {
      auto reference = std::find_if(secrets_.begin(), secrets_.end(), [&](const Secret& s) {
        return !s.reference.empty() && text.compare(i, s.reference.size(), s.reference) == 0;
      });
      if (reference != secrets_.end()) {
        out += reference->reference;
        i += reference->reference.size();
        continue;
      }
    }
    const Secret* found = nullptr;
    for (const auto& s : secrets_) {
      if (text.compare(i, s.value.size(), s.value) != 0) continue;
      if (s.value.size() < kLooseLength) {
        const std::size_t end = i + s.value.size();
        if ((i > 0 && is_word(text[i - 1])) || (end < text.size() && is_word(text[end]))) continue;
      }
      found = &s;
      break;
    }
    if (found) {
      out += found->reference;
      i += found->value.size();
    } else {
      out += text[i++];
    }
  }
  return out;
}

bool SecretValues::empty() const {
  std::lock_guard lock(mutex_);
  return secrets_.empty();
}

std::vector<SecretValues::Secret> SecretValues::added() const {
  std::lock_guard lock(mutex_);
  return added_;
}

SecretValues& secret_values() {
  static SecretValues values;
  return values;
}

}  // namespace firedrill::common

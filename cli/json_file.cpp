#include "cli/json_file.hpp"

#include <fstream>
#include <sstream>

#include "common/errors.hpp"

namespace firedrill::cli {

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw common::UsageError(path + ": cannot read the file");
  std::string text;
  char buffer[64 * 1024];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > kMaxJsonFileBytes) {
      throw common::UsageError(path + ": larger than " +
                               std::to_string(kMaxJsonFileBytes / (1024 * 1024)) + " MiB");
    }
  }
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // Drops the library's "[json.exception.parse_error.101] " prefix; the rest says where.
    std::string what = e.what();
    auto end = what.find("] ");
    throw common::UsageError(
        path + ": not valid JSON: " + (end == std::string::npos ? what : what.substr(end + 2)));
  }
}

}  // namespace firedrill::cli

#include "clients/aws_config_files.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>
#include <system_error>

namespace firedrill::clients {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The INI dialect the AWS SDKs read: "[section]", "key = value", comments from '#' or ';' at the
// start of a line (or after whitespace in a value), and indented lines continuing a nested
// setting (e.g. "s3 =" followed by "  max_concurrent_requests = 20"), which no credential setting
// uses and which are skipped.
std::map<std::string, AwsProfile> parse_ini(const std::string& text, bool config_file) {
  std::map<std::string, AwsProfile> sections;
  AwsProfile* current = nullptr;
  std::istringstream in(text);
  std::string raw;
  while (std::getline(in, raw)) {
    std::string_view line = raw;
    bool indented = !line.empty() && (line.front() == ' ' || line.front() == '\t');
    line = trim(line);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      current = nullptr;
      std::size_t close = line.find(']');
      if (close == std::string_view::npos) continue;
      std::string name(trim(line.substr(1, close - 1)));
      if (config_file) {
        // In the config file a profile is "[profile NAME]"; only the default may go without.
        if (name.starts_with("profile ") || name.starts_with("profile\t")) {
          name = std::string(trim(std::string_view(name).substr(8)));
        } else if (name != "default") {
          continue;
        }
      }
      current = &sections[name];
      continue;
    }
    if (!current || indented) continue;
    std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(trim(line.substr(0, eq)));
    std::string_view value = trim(line.substr(eq + 1));
    for (std::size_t i = 1; i < value.size(); ++i) {
      if ((value[i] == '#' || value[i] == ';') && (value[i - 1] == ' ' || value[i - 1] == '\t')) {
        value = trim(value.substr(0, i));
        break;
      }
    }
    (*current)[key] = std::string(value);
  }
  return sections;
}

std::string read_optional_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return {};
  std::ifstream in(path);
  if (!in) throw AwsCredentialsError("cannot read the AWS file " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string setting(const Environment& env, const char* name, const std::string& fallback) {
  auto it = env.find(name);
  return it != env.end() && !it->second.empty() ? it->second : fallback;
}

std::string expand_home(const std::string& path, const Environment& env) {
  if (!path.starts_with("~/")) return path;
  return setting(env, "HOME", "") + path.substr(1);
}

}  // namespace

AwsConfigFiles AwsConfigFiles::load(const Environment& env) {
  std::string config = expand_home(setting(env, "AWS_CONFIG_FILE", "~/.aws/config"), env);
  std::string credentials =
      expand_home(setting(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"), env);
  return parse(read_optional_file(config), read_optional_file(credentials), config, credentials);
}

AwsConfigFiles AwsConfigFiles::parse(const std::string& config_text,
                                     const std::string& credentials_text, std::string config_path,
                                     std::string credentials_path) {
  AwsConfigFiles files;
  files.config_ = parse_ini(config_text, true);
  files.credentials_ = parse_ini(credentials_text, false);
  files.config_path_ = std::move(config_path);
  files.credentials_path_ = std::move(credentials_path);
  return files;
}

std::optional<AwsProfile> AwsConfigFiles::profile(const std::string& name) const {
  auto config = config_.find(name);
  auto credentials = credentials_.find(name);
  if (config == config_.end() && credentials == credentials_.end()) return std::nullopt;
  AwsProfile merged;
  if (config != config_.end()) merged = config->second;
  if (credentials != credentials_.end()) {
    for (const auto& [key, value] : credentials->second) merged[key] = value;
  }
  return merged;
}

}  // namespace firedrill::clients

#include "chaos/revert_journal.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include "common/base64.hpp"
#include "common/text.hpp"

namespace firedrill::chaos {

namespace {

using nlohmann::json;

constexpr int kVersion = 1;
constexpr std::size_t kErrorExcerpt = 4096;

JournalError system_error(const std::string& what, const std::string& path) {
  return JournalError(path + ": " + what + ": " + std::strerror(errno));
}

std::string now_iso8601() {
  auto now = std::chrono::system_clock::now();
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", text, static_cast<int>(ms.count()));
  return out;
}

std::string host_name() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "";
  return name;
}

void write_all(int fd, const std::string& data, const std::string& path) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw system_error("cannot write", path);
    done += static_cast<std::size_t>(n);
  }
}

// Makes the file end with a newline: a torn last record is completed if it parses (only its
// newline was lost), and cut off otherwise.
void repair_tail(int fd, const std::string& path) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw system_error("cannot stat", path);
  if (st.st_size == 0) return;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw system_error("cannot read", path);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (content.empty() || content.back() == '\n') return;
  std::size_t line_start = content.rfind('\n');
  line_start = line_start == std::string::npos ? 0 : line_start + 1;
  if (!json::parse(content.substr(line_start), nullptr, false).is_discarded()) {
    write_all(fd, "\n", path);
  } else if (::ftruncate(fd, static_cast<off_t>(line_start)) != 0) {
    throw system_error("cannot cut off a torn record", path);
  }
}

// A new file's directory entry must be durable too, or a crash could lose the whole journal.
void sync_directory(const std::string& path) {
  std::filesystem::path dir = std::filesystem::absolute(path).parent_path();
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

RevertJournal::RevertJournal(const std::string& path) : path_(path) {
  bool existed = std::filesystem::exists(path);
  fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd_ < 0) throw system_error("cannot open the revert journal", path);
  try {
    repair_tail(fd_, path);
    if (!existed) sync_directory(path);
  } catch (...) {
    ::close(fd_);
    throw;
  }
}

RevertJournal::~RevertJournal() {
  if (fd_ >= 0) ::close(fd_);
}

void RevertJournal::begin(const std::string& run_id, const std::string& drill_name,
                          const json& integrations, bool dry_run,
                          const std::vector<common::SecretValues::Secret>& secrets) {
  std::lock_guard lock(mutex_);
  run_id_ = run_id;
  json values = json::array();
  // As base64: a value need not be UTF-8, which a JSON line must be.
  for (const auto& s : secrets) {
    values.push_back({{"value_b64", common::base64_encode(s.value)}, {"reference", s.reference}});
  }
  append("begin", {{"version", kVersion},
                   {"drill", drill_name},
                   {"dry_run", dry_run},
                   {"integrations", integrations.is_null() ? json::object() : integrations},
                   {"host", host_name()},
                   {"pid", static_cast<int64_t>(::getpid())},
                   {"secrets", std::move(values)}});
}

void RevertJournal::continue_run(const std::string& run_id) {
  std::lock_guard lock(mutex_);
  run_id_ = run_id;
}

void RevertJournal::record_intent(const std::string& fault_id, const std::string& kind,
                                  const json& params, const json& captured) {
  std::lock_guard lock(mutex_);
  append("intent",
         {{"fault", fault_id}, {"kind", kind}, {"params", params}, {"captured", captured}});
}

void RevertJournal::record_injected(const std::string& fault_id) {
  std::lock_guard lock(mutex_);
  append("injected", {{"fault", fault_id}});
}

void RevertJournal::record_reverted(const std::string& fault_id) {
  std::lock_guard lock(mutex_);
  append("reverted", {{"fault", fault_id}});
}

void RevertJournal::record_revert_failed(const std::string& fault_id, const std::string& error) {
  std::lock_guard lock(mutex_);
  append("revert_failed", {{"fault", fault_id}, {"error", common::excerpt(error, kErrorExcerpt)}});
}

void RevertJournal::append(const std::string& type, const nlohmann::ordered_json& fields) {
  if (run_id_.empty()) throw JournalError(path_ + ": a " + type + " record before begin()");
  nlohmann::ordered_json record = {{"record", type}, {"run_id", run_id_}, {"at", now_iso8601()}};
  record.update(fields);
  std::string line;
  try {
    line = record.dump() + "\n";
  } catch (const json::exception& e) {
    throw JournalError(path_ + ": cannot record " + type + ": " + e.what());
  }
  write_all(fd_, line, path_);
  if (::fdatasync(fd_) != 0) throw system_error("cannot sync", path_);
}

namespace {

struct RunInfo {
  std::string drill_name;
  json integrations;
  bool dry_run = false;
  std::vector<common::SecretValues::Secret> secrets;
};

class Reader {
 public:
  explicit Reader(std::string path) : path_(std::move(path)) {}

  std::vector<PendingFault> read() {
    std::ifstream in(path_, std::ios::binary);
    if (!in) {
      throw JournalError(path_ + ": cannot read the revert journal: " + std::strerror(errno));
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::size_t start = 0;
    while (start < content.size()) {
      ++line_;
      std::size_t end = content.find('\n', start);
      bool complete = end != std::string::npos;
      std::string_view text(content.data() + start, (complete ? end : content.size()) - start);
      start = complete ? end + 1 : content.size();
      if (text.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      json record = json::parse(text, nullptr, false);
      if (record.is_discarded()) {
        if (!complete) break;  // torn last record
        fail("not a JSON record");
      }
      apply(record);
    }
    std::vector<PendingFault> out;
    for (auto it = order_.rbegin(); it != order_.rend(); ++it) {
      auto found = faults_.find(*it);
      if (found == faults_.end()) continue;
      const RunInfo& run = runs_.at(found->second.run_id);
      if (run.dry_run) continue;
      PendingFault fault = found->second;
      fault.drill_name = run.drill_name;
      fault.integrations = run.integrations;
      fault.secrets = run.secrets;
      out.push_back(std::move(fault));
    }
    return out;
  }

 private:
  using Key = std::pair<std::string, std::string>;  // run id, fault id

  [[noreturn]] void fail(const std::string& why) const {
    throw JournalError(path_ + ":" + std::to_string(line_) + ": " + why);
  }

  std::string string_field(const json& record, const char* name) const {
    auto it = record.find(name);
    if (it == record.end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      fail(std::string("the record has no \"") + name + "\"");
    }
    return it->get<std::string>();
  }

  void apply(const json& record) {
    if (!record.is_object()) fail("not a JSON object");
    std::string type = string_field(record, "record");
    std::string run_id = string_field(record, "run_id");
    if (type == "begin") {
      auto version = record.find("version");
      if (version == record.end() || !version->is_number_integer()) fail("begin has no version");
      if (*version != kVersion) {
        fail("version " + version->dump() + " is not supported (a newer firedrill wrote it)");
      }
      // A run's first begin describes it; a later one (a resumed writer) adds nothing.
      if (!runs_.count(run_id)) {
        RunInfo run;
        run.drill_name = record.value("drill", "");
        run.integrations = record.value("integrations", json::object());
        run.dry_run = record.value("dry_run", false);
        const json secrets = record.value("secrets", json::array());
        if (!secrets.is_array()) fail("secrets is not a list");
        for (const auto& s : secrets) {
          if (!s.is_object() || !s.value("value_b64", json()).is_string() ||
              !s.value("reference", json()).is_string()) {
            fail("a secret is not {\"value_b64\": STRING, \"reference\": STRING}");
          }
          try {
            run.secrets.push_back({common::base64_decode(s["value_b64"].get<std::string>()),
                                   s["reference"].get<std::string>()});
          } catch (const std::exception&) {
            fail("a secret's value_b64 is not base64");
          }
        }
        runs_.emplace(run_id, std::move(run));
      }
      return;
    }
    if (!runs_.count(run_id)) fail("run \"" + run_id + "\" has no begin record before this");
    Key key{run_id, string_field(record, "fault")};
    if (type == "intent") {
      PendingFault fault;
      fault.run_id = run_id;
      fault.fault_id = key.second;
      fault.kind = string_field(record, "kind");
      fault.params = record.value("params", json::object());
      fault.captured = record.value("captured", json());
      fault.line = line_;
      faults_[key] = std::move(fault);
      std::erase(order_, key);
      order_.push_back(key);
      return;
    }
    auto found = faults_.find(key);
    bool known = found != faults_.end();
    if (type == "injected") {
      if (!known) fail("\"injected\" for fault \"" + key.second + "\" without an intent");
      found->second.injected = true;
    } else if (type == "reverted") {
      // A second revert of an already reverted fault is harmless and needs no intent.
      if (known) faults_.erase(found);
    } else if (type == "revert_failed") {
      if (known) found->second.last_error = record.value("error", "");
    } else {
      fail("unknown record type \"" + type + "\"");
    }
  }

  std::string path_;
  int line_ = 0;
  std::map<std::string, RunInfo> runs_;
  std::map<Key, PendingFault> faults_;
  std::vector<Key> order_;  // by latest intent, in the order written
};

}  // namespace

std::vector<PendingFault> pending_faults(const std::string& path) {
  return Reader(path).read();
}

}  // namespace firedrill::chaos

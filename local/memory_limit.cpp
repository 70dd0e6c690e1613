#include "local/memory_limit.hpp"

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace firedrill::local {

namespace fs = std::filesystem;

namespace {

std::string read_text(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// 0 or errno.
int write_text(const fs::path& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n = ::write(fd, text.data(), text.size());
  int error = n == static_cast<ssize_t>(text.size()) ? 0 : (n < 0 ? errno : EIO);
  ::close(fd);
  return error;
}

bool has_word(const std::string& text, const std::string& word) {
  std::istringstream in(text);
  for (std::string w; in >> w;) {
    if (w == word) return true;
  }
  return false;
}

// This process's cgroup in the hierarchy that has `controller` (empty: the cgroup v2 unified
// hierarchy), from /proc/self/cgroup lines "ID:CONTROLLERS:PATH"; relative to the hierarchy root.
fs::path own_cgroup(const std::string& controller) {
  std::istringstream in(read_text("/proc/self/cgroup"));
  for (std::string line; std::getline(in, line);) {
    auto first = line.find(':');
    auto second = line.find(':', first + 1);
    if (first == std::string::npos || second == std::string::npos) continue;
    std::string controllers = line.substr(first + 1, second - first - 1);
    std::string path = line.substr(second + 1);
    bool match = controller.empty() ? controllers.empty() : false;
    std::istringstream names(controllers);
    for (std::string name; !controller.empty() && std::getline(names, name, ',');) {
      if (name == controller) match = true;
    }
    if (match) return fs::path(path).relative_path();
  }
  return {};
}

bool make_directory(const fs::path& dir) {
  return ::mkdir(dir.c_str(), 0755) == 0;
}

std::runtime_error refused(const std::string& what, int error) {
  return std::runtime_error(what + ": " + std::strerror(error));
}

uint64_t oom_kill_count(const std::string& events) {
  std::istringstream in(events);
  for (std::string key; in >> key;) {
    uint64_t value = 0;
    if (!(in >> value)) break;
    if (key == "oom_kill") return value;
  }
  return 0;
}

}  // namespace

bool apply_in_child(const ChildMemorySetup& setup) {
  if (setup.cgroup_procs) {
    char digits[24];
    char* end = digits + sizeof digits;
    char* p = end;
    for (auto pid = static_cast<unsigned long>(::getpid()); p == end || pid > 0; pid /= 10) {
      *--p = static_cast<char>('0' + pid % 10);
    }
    int fd = ::open(setup.cgroup_procs, O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool joined = ::write(fd, p, static_cast<size_t>(end - p)) == end - p;
    ::close(fd);
    if (!joined) return false;
  }
  if (setup.address_space > 0) {
    rlimit limit{};
    ::getrlimit(RLIMIT_AS, &limit);
    limit.rlim_cur = std::min<rlim_t>(setup.address_space, limit.rlim_max);
    ::setrlimit(RLIMIT_AS, &limit);
  }
  return true;
}

MemoryLimit::MemoryLimit(const fs::path& cgroup_root, const std::string& name) {
  std::error_code ec;
  if (has_word(read_text(cgroup_root / "cgroup.controllers"), "memory")) {
    const fs::path parent = cgroup_root / own_cgroup("");
    const fs::path dir = parent / name;
    if (make_directory(dir)) {
      // A child cgroup has memory files only when its parent delegates the controller; the
      // parent may refuse (it holds processes itself), and then another method is tried.
      if (!fs::exists(dir / "memory.max", ec))
        write_text(parent / "cgroup.subtree_control", "+memory");
      if (fs::exists(dir / "memory.max", ec)) {
        method_ = Method::CgroupV2;
        cgroup_ = dir;
      } else {
        ::rmdir(dir.c_str());
      }
    }
  }
  const fs::path v1_root = cgroup_root / "memory";
  if (cgroup_.empty() && fs::exists(v1_root / "memory.limit_in_bytes", ec)) {
    // Under our own cgroup first, so that the limits above it still hold; at the root when that
    // one cannot have children.
    for (const fs::path& parent : {v1_root / own_cgroup("memory"), v1_root}) {
      if (make_directory(parent / name)) {
        method_ = Method::CgroupV1;
        cgroup_ = parent / name;
        break;
      }
    }
  }
  if (!cgroup_.empty()) procs_file_ = (cgroup_ / "cgroup.procs").string();
}

MemoryLimit::~MemoryLimit() {
  if (cgroup_.empty()) return;
  // The kernel lets go of a cgroup a moment after its last process is reaped.
  for (int attempt = 0; attempt < 50 && ::rmdir(cgroup_.c_str()) != 0 && errno == EBUSY;
       ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

std::string MemoryLimit::method_name() const {
  switch (method_) {
    case Method::CgroupV2:
      return "cgroup v2";
    case Method::CgroupV1:
      return "cgroup v1";
    case Method::AddressSpace:
      break;
  }
  return "address-space limit";
}

void MemoryLimit::write_cgroup_limit(std::optional<uint64_t> bytes) {
  const std::string value = bytes ? std::to_string(*bytes) : "";
  if (method_ == Method::CgroupV2) {
    if (int e = write_text(cgroup_ / "memory.max", bytes ? value : "max")) {
      throw refused("cannot write " + (cgroup_ / "memory.max").string(), e);
    }
    // Swap would let the process go on slowly instead of being killed at the limit.
    write_text(cgroup_ / "memory.swap.max", bytes ? "0" : "max");
    return;
  }
  // memory.memsw.limit_in_bytes (memory plus swap, present when swap accounting is on) may never
  // be below memory.limit_in_bytes: lift it first, set the limit, then bring it down to match.
  const fs::path memsw = cgroup_ / "memory.memsw.limit_in_bytes";
  write_text(memsw, "-1");
  if (int e = write_text(cgroup_ / "memory.limit_in_bytes", bytes ? value : "-1")) {
    throw refused("cannot write " + (cgroup_ / "memory.limit_in_bytes").string(), e);
  }
  if (bytes) write_text(memsw, value);
}

void MemoryLimit::set(std::optional<uint64_t> bytes, pid_t pgid) {
  if (is_cgroup()) write_cgroup_limit(bytes);
  bytes_ = bytes;
  if (pgid == 0) return;
  for (pid_t pid : process_group_members(pgid)) {
    if (is_cgroup()) {
      int e = write_text(procs_file_, std::to_string(pid));
      if (e != 0 && e != ESRCH)
        throw refused("cannot move process " + std::to_string(pid) + " to " + procs_file_, e);
      continue;
    }
    rlimit limit{};
    if (::prlimit(pid, RLIMIT_AS, nullptr, &limit) != 0) continue;  // it has just ended
    limit.rlim_cur = bytes ? std::min<rlim_t>(*bytes, limit.rlim_max) : limit.rlim_max;
    if (::prlimit(pid, RLIMIT_AS, &limit, nullptr) != 0 && errno != ESRCH) {
      throw refused("cannot limit the address space of process " + std::to_string(pid), errno);
    }
  }
}

uint64_t MemoryLimit::oom_kills() const {
  switch (method_) {
    case Method::CgroupV2:
      return oom_kill_count(read_text(cgroup_ / "memory.events"));
    case Method::CgroupV1:
      return oom_kill_count(read_text(cgroup_ / "memory.oom_control"));
    case Method::AddressSpace:
      break;
  }
  return 0;
}

ChildMemorySetup MemoryLimit::child_setup() const {
  ChildMemorySetup setup;
  if (is_cgroup()) setup.cgroup_procs = procs_file_.c_str();
  if (method_ == Method::AddressSpace && bytes_) setup.address_space = *bytes_;
  return setup;
}

std::vector<pid_t> process_group_members(pid_t pgid) {
  std::vector<pid_t> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator("/proc", ec)) {
    const std::string name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    // /proc/PID/stat: "PID (COMM) STATE PPID PGRP ..."; COMM may hold spaces and parentheses.
    const std::string stat = read_text(entry.path() / "stat");
    auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream fields(stat.substr(close + 1));
    std::string state;
    long ppid = 0, group = 0;
    if (fields >> state >> ppid >> group && group == pgid && state != "Z") {
      out.push_back(static_cast<pid_t>(std::stoll(name)));
    }
  }
  return out;
}

}  // namespace firedrill::local

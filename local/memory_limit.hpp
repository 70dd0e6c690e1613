#pragma once
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace firedrill::local {

// What a freshly forked child does, before exec, to come under its replica's memory limit. Plain
// data prepared in the parent: between fork and exec only async-signal-safe calls are allowed.
struct ChildMemorySetup {
  const char* cgroup_procs = nullptr;  // write the child's own pid here
  uint64_t address_space = 0;          // RLIMIT_AS soft limit; 0 for none
};

// Applies ChildMemorySetup in a forked child. Async-signal-safe; false when the cgroup could not
// be joined.
bool apply_in_child(const ChildMemorySetup& setup);

// The memory limit of one replica, kept across its restarts: a memory cgroup of its own (cgroup
// v2 memory.max, else cgroup v1 memory.limit_in_bytes) where firedrill may create one under
// `cgroup_root`, otherwise the address-space limit (RLIMIT_AS), which needs no privilege.
class MemoryLimit {
 public:
  enum class Method { CgroupV2, CgroupV1, AddressSpace };

  // `name` is unique on this machine (it names the cgroup directory).
  MemoryLimit(const std::filesystem::path& cgroup_root, const std::string& name);
  // Removes the cgroup; its processes must be gone by then.
  ~MemoryLimit();
  MemoryLimit(const MemoryLimit&) = delete;
  MemoryLimit& operator=(const MemoryLimit&) = delete;

  Method method() const { return method_; }
  // "cgroup v2", "cgroup v1" or "address-space limit".
  std::string method_name() const;
  std::optional<uint64_t> bytes() const { return bytes_; }
  bool is_cgroup() const { return method_ != Method::AddressSpace; }

  // Sets (or, with nullopt, lifts) the limit, and applies it to every process of the process
  // group `pgid` when it is not 0. Throws std::runtime_error when the kernel refuses.
  void set(std::optional<uint64_t> bytes, pid_t pgid);
  // The cgroup's oom_kill count (memory.events or memory.oom_control); 0 for no cgroup.
  uint64_t oom_kills() const;
  // Valid until the next set() or the end of this object.
  ChildMemorySetup child_setup() const;

 private:
  void write_cgroup_limit(std::optional<uint64_t> bytes);

  Method method_ = Method::AddressSpace;
  std::filesystem::path cgroup_;  // empty without one
  std::string procs_file_;
  std::optional<uint64_t> bytes_;
};

// The pids of the live processes of process group `pgid`, from /proc.
std::vector<pid_t> process_group_members(pid_t pgid);

}  // namespace firedrill::local

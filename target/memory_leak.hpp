#pragma once
#include <cstddef>
#include <vector>

namespace firedrill::target {

// Memory taken on purpose and kept, for out-of-memory drills. Every page is written, so it counts
// as resident at once; it comes straight from mmap, so release() hands it back to the system
// (freed heap memory may stay with the process).
class MemoryLeak {
 public:
  MemoryLeak() = default;
  ~MemoryLeak() { release(); }
  MemoryLeak(const MemoryLeak&) = delete;
  MemoryLeak& operator=(const MemoryLeak&) = delete;

  // Throws std::bad_alloc when the system refuses.
  void grow(std::size_t bytes);
  void release();
  std::size_t bytes() const { return bytes_; }

 private:
  struct Chunk {
    void* address;
    std::size_t size;
  };
  std::vector<Chunk> chunks_;
  std::size_t bytes_ = 0;
};

}  // namespace firedrill::target

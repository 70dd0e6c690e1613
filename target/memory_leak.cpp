#include "target/memory_leak.hpp"

#include <sys/mman.h>

#include <cstring>
#include <new>

namespace firedrill::target {

void MemoryLeak::grow(std::size_t bytes) {
  if (bytes == 0) return;
  void* address = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (address == MAP_FAILED) throw std::bad_alloc();
  // Not zeros, which the kernel may take back behind the drill's back (KSM, the THP shrinker).
  std::memset(address, 0x5a, bytes);
  chunks_.push_back({address, bytes});
  bytes_ += bytes;
}

void MemoryLeak::release() {
  for (const Chunk& chunk : chunks_) munmap(chunk.address, chunk.size);
  chunks_.clear();
  bytes_ = 0;
}

}  // namespace firedrill::target

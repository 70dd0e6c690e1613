#pragma once
#include <cstdint>
#include <vector>

namespace firedrill::loadgen {

// Finds the slot of an open HTTP/2 stream by its id, for every frame received. Open addressing
// with linear probing in one flat array sized for the connection's streams: no allocation per
// request, and at most half full, so probes stay short.
class StreamSlotMap {
 public:
  explicit StreamSlotMap(uint32_t max_streams) {
    size_t capacity = 8;
    while (capacity < 2 * size_t{max_streams}) capacity *= 2;
    entries_.resize(capacity);
  }

  // `id` must not be in the map; at most `max_streams` ids are in it at once.
  void insert(int32_t id, uint32_t slot) {
    size_t i = home(id);
    while (entries_[i].id != 0) i = next(i);
    entries_[i] = {id, slot};
  }

  // The slot of `id`, or -1.
  int64_t find(int32_t id) const {
    for (size_t i = home(id); entries_[i].id != 0; i = next(i)) {
      if (entries_[i].id == id) return entries_[i].slot;
    }
    return -1;
  }

  void erase(int32_t id) {
    size_t i = home(id);
    while (entries_[i].id != id) {
      if (entries_[i].id == 0) return;
      i = next(i);
    }
    // Backward-shift deletion: pull later entries of the probe run into the hole, so that no
    // tombstones are needed and lookups stop at the first empty entry.
    for (size_t j = next(i);; j = next(j)) {
      if (entries_[j].id == 0) break;
      size_t h = home(entries_[j].id);
      bool stays = (i < j) ? (h > i && h <= j) : (h > i || h <= j);
      if (stays) continue;
      entries_[i] = entries_[j];
      i = j;
    }
    entries_[i] = {};
  }

 private:
  struct Entry {
    int32_t id = 0;  // 0: empty (stream 0 is the connection, never a request)
    uint32_t slot = 0;
  };
  // Client stream ids are odd and consecutive: id / 2 spreads them over every entry.
  size_t home(int32_t id) const { return (static_cast<uint32_t>(id) >> 1) & (entries_.size() - 1); }
  size_t next(size_t i) const { return (i + 1) & (entries_.size() - 1); }

  std::vector<Entry> entries_;
};

}  // namespace firedrill::loadgen

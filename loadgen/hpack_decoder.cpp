#include "loadgen/hpack_decoder.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "loadgen/hpack_huffman.hpp"
#include "loadgen/hpack_static_table.hpp"

namespace firedrill::loadgen {

namespace {

// RFC 7541 section 4.1: what an entry counts for besides its name and value.
constexpr uint32_t kEntryOverhead = 32;

uint32_t entry_size(uint32_t name_len, uint32_t value_len) {
  return name_len + value_len + kEntryOverhead;
}

}  // namespace

HpackIntegerStatus hpack_decode_integer(const uint8_t*& pos, const uint8_t* end, int prefix_bits,
                                        uint32_t& value) {
  if (pos == end) return HpackIntegerStatus::Truncated;
  const uint32_t prefix_max = (1u << prefix_bits) - 1;
  uint64_t v = *pos++ & prefix_max;
  if (v < prefix_max) {
    value = static_cast<uint32_t>(v);
    return HpackIntegerStatus::Ok;
  }
  for (int shift = 0;; shift += 7) {
    if (shift > 28) return HpackIntegerStatus::Overflow;
    if (pos == end) return HpackIntegerStatus::Truncated;
    const uint8_t byte = *pos++;
    v += uint64_t{byte & 0x7fu} << shift;
    if (v > UINT32_MAX) return HpackIntegerStatus::Overflow;
    if ((byte & 0x80) == 0) {
      value = static_cast<uint32_t>(v);
      return HpackIntegerStatus::Ok;
    }
  }
}

HpackDecoder::HpackDecoder(uint32_t max_table_size)
    : max_allowed_(max_table_size), max_size_(max_table_size) {
  if (max_table_size > kMaxTableSizeLimit) {
    throw std::invalid_argument("HPACK table size " + std::to_string(max_table_size) +
                                " is above the supported maximum " +
                                std::to_string(kMaxTableSizeLimit));
  }
}

const std::string& HpackDecoder::error() const {
  static const std::string no_error;
  return error_ ? *error_ : no_error;
}

bool HpackDecoder::decode(const uint8_t* data, size_t len, HpackFieldSink& sink) {
  if (error_) return false;
  if (len > kMaxBlockSize) {
    return fail("header block of " + std::to_string(len) + " bytes is larger than the " +
                std::to_string(kMaxBlockSize) + " bytes this decoder accepts");
  }
  const uint8_t* pos = data;
  const uint8_t* const end = data + len;
  bool field_seen = false;
  while (pos < end) {
    const uint8_t first = *pos;
    bool ok;
    if ((first & 0xe0) == 0x20) {
      if (field_seen) {
        return fail(
            "dynamic table size update after a header field: updates may only start a block "
            "(RFC 7541 section 4.2)");
      }
      ok = decode_size_update(pos, end);
    } else {
      field_seen = true;
      if (first & 0x80) {
        ok = decode_indexed(pos, end, sink);
      } else if (first & 0x40) {
        ok = decode_literal(pos, end, 6, true, sink);
      } else {
        // Without indexing (0000) and never indexed (0001) decode alike: the difference only
        // matters to an intermediary that re-encodes the field.
        ok = decode_literal(pos, end, 4, false, sink);
      }
    }
    if (!ok) return false;
  }
  return true;
}

bool HpackDecoder::decode_indexed(const uint8_t*& pos, const uint8_t* end, HpackFieldSink& sink) {
  uint32_t index;
  Piece name;
  Piece value;
  if (!read_integer(pos, end, 7, index, "field index") || !find_entry(index, name, value)) {
    return false;
  }
  sink.on_field(view(name), view(value));
  return true;
}

bool HpackDecoder::decode_literal(const uint8_t*& pos, const uint8_t* end, int prefix_bits,
                                  bool indexing, HpackFieldSink& sink) {
  uint32_t name_index;
  if (!read_integer(pos, end, prefix_bits, name_index, "name index")) return false;
  if (indexing) compact();
  const uint32_t mark = static_cast<uint32_t>(bytes_.size());
  Piece name;
  Piece value;
  if (name_index == 0) {
    if (!read_string(pos, end, name, "name")) return false;
  } else if (!find_entry(name_index, name, value)) {
    return false;
  }
  if (!read_string(pos, end, value, "value")) return false;
  if (!indexing) {
    sink.on_field(view(name), view(value));
    bytes_.resize(mark);
    return true;
  }
  // The new entry is laid out at `mark` as its name then its value. The name is copied even from
  // the dynamic table: inserting may evict the entry it came from (RFC 7541 section 4.4).
  if (name.external != nullptr || name.offset < mark) name = append(name);
  if (value.external != nullptr) value = append(value);
  if (value.offset < name.offset) {
    std::rotate(bytes_.begin() + mark, bytes_.begin() + name.offset, bytes_.end());
  }
  name.offset = mark;
  value.offset = mark + name.len;
  sink.on_field(view(name), view(value));
  insert(mark, name.len, value.len);
  return true;
}

bool HpackDecoder::decode_size_update(const uint8_t*& pos, const uint8_t* end) {
  uint32_t size;
  if (!read_integer(pos, end, 5, size, "dynamic table size update")) return false;
  if (size > max_allowed_) {
    return fail("dynamic table size update to " + std::to_string(size) + " exceeds the " +
                std::to_string(max_allowed_) +
                " bytes this endpoint advertised in SETTINGS_HEADER_TABLE_SIZE");
  }
  const bool shrinking = size < max_size_;
  max_size_ = size;
  evict_to(size);
  compact();
  if (shrinking) {
    // Rare (a peer lowering its table), so giving back the memory is worth a reallocation.
    bytes_.shrink_to_fit();
    entries_.shrink_to_fit();
  }
  return true;
}

bool HpackDecoder::read_integer(const uint8_t*& pos, const uint8_t* end, int prefix_bits,
                                uint32_t& value, const char* what) {
  switch (hpack_decode_integer(pos, end, prefix_bits, value)) {
    case HpackIntegerStatus::Ok:
      return true;
    case HpackIntegerStatus::Truncated:
      return fail(std::string("header block ends inside the integer of a ") + what);
    case HpackIntegerStatus::Overflow:
      return fail(std::string("the integer of a ") + what +
                  " exceeds 32 bits or is encoded in more than 6 bytes");
  }
  return fail("unknown integer status");
}

bool HpackDecoder::read_string(const uint8_t*& pos, const uint8_t* end, Piece& out,
                               const char* what) {
  if (pos == end) return fail(std::string("header block ends before a field ") + what);
  const bool huffman = (*pos & 0x80) != 0;
  uint32_t len;
  if (!read_integer(pos, end, 7, len, huffman ? "Huffman string length" : "string length")) {
    return false;
  }
  const size_t left = static_cast<size_t>(end - pos);
  if (len > left) {
    return fail(std::string("field ") + what + " of " + std::to_string(len) +
                " bytes runs past the end of the header block (" + std::to_string(left) +
                " bytes left)");
  }
  if (!huffman) {
    out = {reinterpret_cast<const char*>(pos), 0, len};
    pos += len;
    return true;
  }
  const size_t at = bytes_.size();
  bytes_.resize(at + huffman_max_decoded_size(len));
  size_t written = 0;
  const HuffmanStatus status = huffman_decode(pos, len, bytes_.data() + at, written);
  if (status != HuffmanStatus::Ok) {
    return fail(std::string("field ") + what + ": " + huffman_status_text(status));
  }
  bytes_.resize(at + written);
  out = {nullptr, static_cast<uint32_t>(at), static_cast<uint32_t>(written)};
  pos += len;
  return true;
}

bool HpackDecoder::find_entry(uint32_t index, Piece& name, Piece& value) {
  if (index == 0) return fail("index 0 is not a valid table index (RFC 7541 section 6.1)");
  if (index <= kHpackStaticTable.size()) {
    const HpackStaticEntry& e = kHpackStaticTable[index - 1];
    name = {e.name.data(), 0, static_cast<uint32_t>(e.name.size())};
    value = {e.value.data(), 0, static_cast<uint32_t>(e.value.size())};
    return true;
  }
  const size_t dynamic_index = index - kHpackStaticTable.size();
  const size_t live = entries_.size() - first_live_;
  if (dynamic_index > live) {
    return fail("index " + std::to_string(index) + " is past the end of the tables (" +
                std::to_string(kHpackStaticTable.size()) + " static and " + std::to_string(live) +
                " dynamic entries)");
  }
  const Entry& e = entries_[entries_.size() - dynamic_index];
  name = {nullptr, e.offset, e.name_len};
  value = {nullptr, e.offset + e.name_len, e.value_len};
  return true;
}

std::string_view HpackDecoder::view(const Piece& piece) const {
  const char* data = piece.external != nullptr ? piece.external : bytes_.data() + piece.offset;
  return {data, piece.len};
}

HpackDecoder::Piece HpackDecoder::append(const Piece& piece) {
  const size_t at = bytes_.size();
  bytes_.resize(at + piece.len);
  // Read the source only now: the resize may have moved it if it is in bytes_.
  if (piece.len > 0) std::memcpy(bytes_.data() + at, view(piece).data(), piece.len);
  return {nullptr, static_cast<uint32_t>(at), piece.len};
}

void HpackDecoder::insert(uint32_t offset, uint32_t name_len, uint32_t value_len) {
  const uint64_t size = uint64_t{name_len} + value_len + kEntryOverhead;
  if (size > max_size_) {
    // RFC 7541 section 4.4: an entry larger than the table empties it and is not added.
    bytes_.clear();
    entries_.clear();
    first_live_ = 0;
    table_size_ = 0;
    return;
  }
  evict_to(max_size_ - size);
  entries_.push_back({offset, name_len, value_len});
  table_size_ += static_cast<uint32_t>(size);
}

void HpackDecoder::evict_to(uint64_t limit) {
  while (table_size_ > limit) {
    const Entry& oldest = entries_[first_live_++];
    table_size_ -= entry_size(oldest.name_len, oldest.value_len);
  }
}

// Drops evicted entries once they take at least as much as the live ones, so each byte is moved
// about once in its life and the buffer stays within about twice what the table holds. Called only
// between fields, when bytes_ ends with the newest entry.
void HpackDecoder::compact() {
  if (first_live_ == 0) return;
  if (first_live_ == entries_.size()) {
    bytes_.clear();
    entries_.clear();
    first_live_ = 0;
    return;
  }
  const uint32_t dead = entries_[first_live_].offset;
  const size_t live_entries = entries_.size() - first_live_;
  if (dead < bytes_.size() - dead && first_live_ < live_entries) return;
  bytes_.erase(bytes_.begin(), bytes_.begin() + dead);
  entries_.erase(entries_.begin(), entries_.begin() + first_live_);
  first_live_ = 0;
  for (Entry& e : entries_) e.offset -= dead;
}

bool HpackDecoder::fail(std::string message) {
  error_ = std::make_unique<std::string>(std::move(message));
  return false;
}

}  // namespace firedrill::loadgen

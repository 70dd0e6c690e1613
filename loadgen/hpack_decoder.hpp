#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace firedrill::loadgen {

// Receives the fields of one decoded header block, in order. The views are valid only during the
// call.
class HpackFieldSink {
 public:
  virtual void on_field(std::string_view name, std::string_view value) = 0;

 protected:
  ~HpackFieldSink() = default;
};

enum class HpackIntegerStatus : uint8_t { Ok, Truncated, Overflow };

// Reads an integer of RFC 7541 section 5.1 whose prefix is the low `prefix_bits` (1 to 8) bits of
// *pos, and advances `pos` past it. Overflow: the value exceeds 32 bits, or its encoding goes on
// past the 5 continuation bytes that any 32-bit value fits in.
HpackIntegerStatus hpack_decode_integer(const uint8_t*& pos, const uint8_t* end, int prefix_bits,
                                        uint32_t& value);

// Decodes the header blocks one HTTP/2 connection receives (RFC 7541), keeping the dynamic table
// across blocks. One decoder per connection; blocks must be fed in the order they arrive.
class HpackDecoder {
 public:
  // The largest `max_table_size` and block accepted: far beyond what any peer uses, and small
  // enough that offsets into the table's storage fit in 32 bits.
  static constexpr uint32_t kMaxTableSizeLimit = 256u << 20;
  static constexpr size_t kMaxBlockSize = 256u << 20;

  // `max_table_size` is the SETTINGS_HEADER_TABLE_SIZE this endpoint advertised (default 4096):
  // the ceiling for dynamic table size updates in the blocks. Throws std::invalid_argument above
  // kMaxTableSizeLimit.
  explicit HpackDecoder(uint32_t max_table_size = 4096);

  // Decodes one complete header block (the HEADERS payload plus any CONTINUATION fragments,
  // concatenated, padding and priority already removed). False on a malformed block; error()
  // says why. A failed decoder must not be used again (the connection is dead: COMPRESSION_ERROR);
  // it keeps failing with the same error.
  bool decode(const uint8_t* data, size_t len, HpackFieldSink& sink);
  // Empty until decode() fails.
  const std::string& error() const;
  // Bytes the dynamic table holds by RFC 7541's count (name + value + 32 per entry).
  size_t table_size() const { return table_size_; }

 private:
  // A dynamic table entry: its name, then its value, at `offset` in bytes_.
  struct Entry {
    uint32_t offset;
    uint32_t name_len;
    uint32_t value_len;
  };
  // A string of the field being decoded: in the input block or the static table (`external`), or
  // else at `offset` in bytes_. Offsets stay valid while bytes_ grows; pointers into it would not.
  struct Piece {
    const char* external;
    uint32_t offset;
    uint32_t len;
  };

  bool decode_indexed(const uint8_t*& pos, const uint8_t* end, HpackFieldSink& sink);
  bool decode_literal(const uint8_t*& pos, const uint8_t* end, int prefix_bits, bool indexing,
                      HpackFieldSink& sink);
  bool decode_size_update(const uint8_t*& pos, const uint8_t* end);
  bool read_integer(const uint8_t*& pos, const uint8_t* end, int prefix_bits, uint32_t& value,
                    const char* what);
  bool read_string(const uint8_t*& pos, const uint8_t* end, Piece& out, const char* what);
  bool find_entry(uint32_t index, Piece& name, Piece& value);
  std::string_view view(const Piece& piece) const;
  Piece append(const Piece& piece);
  void insert(uint32_t offset, uint32_t name_len, uint32_t value_len);
  void evict_to(uint64_t limit);
  void compact();
  bool fail(std::string message);

  // The dynamic table's entries, oldest first, each one's name and value back to back; before
  // them the bytes of evicted entries (dropped by compact()), after them the strings of the field
  // being decoded (Huffman-decoded, or copied for indexing). One buffer serves as both table and
  // scratch, so a field added to the table is decoded in place and an empty decoder holds no heap
  // memory.
  std::vector<char> bytes_;
  // Oldest first; the first `first_live_` were evicted and wait for compact().
  std::vector<Entry> entries_;
  // Held only once decoding failed, which is rare: there is one decoder per connection.
  std::unique_ptr<std::string> error_;
  uint32_t max_allowed_;
  uint32_t max_size_;  // the current maximum, set by the size updates in the blocks
  uint32_t table_size_ = 0;
  uint32_t first_live_ = 0;
};

}  // namespace firedrill::loadgen

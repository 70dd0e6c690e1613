#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace firedrill::loadgen {

// Appends an HPACK integer (RFC 7541 section 5.1): `first` carries the representation's flag bits
// above the `prefix_bits`-bit prefix.
void hpack_append_integer(std::string& out, uint8_t first, int prefix_bits, uint64_t value);

// A request's header list encoded before the run, in every form a connection may need.
struct HpackRequestFields {
  struct Field {
    uint32_t static_index = 0;  // name and value match this static table entry: always indexed
    std::string indexing;       // literal with incremental indexing: enters the peer's table
    std::string plain;          // literal without indexing
    uint32_t entry_size = 0;    // the dynamic table entry it makes (RFC 7541 section 4.1)
  };
  std::vector<Field> fields;
  uint32_t dynamic_count = 0;  // fields not in the static table
  uint64_t dynamic_size = 0;   // the table space they take together
};

HpackRequestFields hpack_prepare_request(
    const std::vector<std::pair<std::string, std::string>>& fields);

// The request side of one connection's HPACK context. A request's first use on a connection adds
// its non-static fields to the server's dynamic table; later uses refer to them by index, as long
// as this encoder's model of the table says they are still there. Sending a request thus costs a
// few bytes of indexes, encoded with no string work, and the server decodes it as cheaply as
// from any browser.
class HpackRequestEncoder {
 public:
  // Appends the header block of request `id` (the template's index, stable for the run).
  void encode(const HpackRequestFields& request, uint32_t id, std::string& out);
  // The server's SETTINGS_HEADER_TABLE_SIZE: the table may only shrink below the 4096 default,
  // which the next block then announces.
  void set_peer_table_size(uint32_t size);

 private:
  struct Primed {
    uint64_t first_insert = 0;  // insertion number of the request's first field
    uint64_t bytes_before = 0;  // table bytes inserted before it
    bool valid = false;
  };
  bool still_in_table(const Primed& p) const;

  std::vector<Primed> primed_;  // by request id
  uint64_t inserts_ = 0;
  uint64_t inserted_bytes_ = 0;
  uint32_t table_max_ = 4096;
  bool size_update_pending_ = false;
};

}  // namespace firedrill::loadgen

#include "loadgen/hpack_encoder.hpp"

#include "loadgen/hpack_static_table.hpp"

namespace firedrill::loadgen {

namespace {

void append_string(std::string& out, const std::string& s) {
  hpack_append_integer(out, 0x00, 7, s.size());  // H = 0: raw octets
  out += s;
}

// A literal field (RFC 7541 section 6.2): the representation's bits, then a name index or, for
// index 0, the name; then the value.
std::string literal(uint8_t first, int prefix_bits, size_t name_index, const std::string& name,
                    const std::string& value) {
  std::string out;
  hpack_append_integer(out, first, prefix_bits, name_index);
  if (name_index == 0) append_string(out, name);
  append_string(out, value);
  return out;
}

constexpr uint64_t kStaticEntries = 61;

}  // namespace

void hpack_append_integer(std::string& out, uint8_t first, int prefix_bits, uint64_t value) {
  const uint64_t max_prefix = (uint64_t{1} << prefix_bits) - 1;
  if (value < max_prefix) {
    out.push_back(static_cast<char>(first | value));
    return;
  }
  out.push_back(static_cast<char>(first | max_prefix));
  value -= max_prefix;
  while (value >= 0x80) {
    out.push_back(static_cast<char>(0x80 | (value & 0x7f)));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

HpackRequestFields hpack_prepare_request(
    const std::vector<std::pair<std::string, std::string>>& fields) {
  HpackRequestFields out;
  for (const auto& [name, value] : fields) {
    HpackRequestFields::Field f;
    size_t name_index = 0;
    for (size_t i = 0; i < kHpackStaticTable.size() && f.static_index == 0; ++i) {
      if (kHpackStaticTable[i].name != name) continue;
      if (name_index == 0) name_index = i + 1;
      if (kHpackStaticTable[i].value == value) f.static_index = static_cast<uint32_t>(i + 1);
    }
    if (f.static_index == 0) {
      f.indexing = literal(0x40, 6, name_index, name, value);
      f.plain = literal(0x00, 4, name_index, name, value);
      f.entry_size = static_cast<uint32_t>(name.size() + value.size() + 32);
      ++out.dynamic_count;
      out.dynamic_size += f.entry_size;
    }
    out.fields.push_back(std::move(f));
  }
  return out;
}

bool HpackRequestEncoder::still_in_table(const Primed& p) const {
  // The decoder evicts oldest first, so the request's first field is still there while it and
  // everything inserted after it fit in the table.
  return p.valid && inserted_bytes_ - p.bytes_before <= table_max_;
}

void HpackRequestEncoder::encode(const HpackRequestFields& request, uint32_t id, std::string& out) {
  if (size_update_pending_) {
    hpack_append_integer(out, 0x20, 5, table_max_);  // dynamic table size update (section 6.3)
    size_update_pending_ = false;
  }
  if (id >= primed_.size()) primed_.resize(id + 1);
  Primed& p = primed_[id];
  if (still_in_table(p)) {
    // Field j of the request was insertion first_insert + j; the newest entry is index 62.
    uint64_t insertion = p.first_insert;
    for (const auto& f : request.fields) {
      if (f.static_index != 0) {
        hpack_append_integer(out, 0x80, 7, f.static_index);
        continue;
      }
      hpack_append_integer(out, 0x80, 7, kStaticEntries + inserts_ - insertion);
      ++insertion;
    }
    return;
  }
  bool index_now = request.dynamic_count > 0 && request.dynamic_size <= table_max_;
  for (const auto& f : request.fields) {
    if (f.static_index != 0) {
      hpack_append_integer(out, 0x80, 7, f.static_index);
    } else {
      out += index_now ? f.indexing : f.plain;
    }
  }
  if (!index_now) return;
  p = {inserts_, inserted_bytes_, true};
  inserts_ += request.dynamic_count;
  inserted_bytes_ += request.dynamic_size;
}

void HpackRequestEncoder::set_peer_table_size(uint32_t size) {
  if (size >= table_max_) return;
  table_max_ = size;
  size_update_pending_ = true;
}

}  // namespace firedrill::loadgen

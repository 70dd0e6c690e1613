#include "loadgen/latency_histogram.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstddef>
#include <stdexcept>
#include <string>

#include <nlohmann/json.hpp>

namespace firedrill::loadgen {
namespace {

// 2^11 exact values below 2048; above, each power of two is split into 1024 linear sub-buckets,
// so a bucket is never wider than 1/1024 of its lower bound (0.098%), and its midpoint is within
// 1/2048 (0.049%) of every value it holds.
constexpr int kSubBucketBits = 11;
constexpr int kSubBucketHalfBits = kSubBucketBits - 1;
constexpr uint64_t kSubBucketCount = uint64_t{1} << kSubBucketBits;
constexpr uint64_t kSubBucketHalfCount = kSubBucketCount / 2;
constexpr uint64_t kSubBucketMask = kSubBucketCount - 1;
constexpr int kFormatVersion = 1;

// How far the value is shifted right to fit in the sub-bucket range; 0 in the exact region. The
// mask keeps the argument of countl_zero non-zero and pins everything below 2048 to shift 0.
constexpr int shift_of(uint64_t value) {
  return (63 - std::countl_zero(value | kSubBucketMask)) - kSubBucketHalfBits;
}

// Contiguous indices: shift s contributes sub-buckets [1024, 2047] at offset s * 1024, which
// continues exactly where shift s - 1 ended.
constexpr size_t index_of(uint64_t value) {
  const int shift = shift_of(value);
  return static_cast<size_t>(shift) * kSubBucketHalfCount + (value >> shift);
}

struct Bucket {
  uint64_t lowest;
  uint64_t width;
};

constexpr Bucket bucket_at(size_t index) {
  if (index < kSubBucketCount) return {index, 1};
  const int shift = static_cast<int>(index / kSubBucketHalfCount) - 1;
  const uint64_t sub = kSubBucketHalfCount + index % kSubBucketHalfCount;
  return {sub << shift, uint64_t{1} << shift};
}

constexpr size_t kBucketCount = index_of(LatencyHistogram::kMaxValue) + 1;

constexpr bool bucket_holds(uint64_t value) {
  const Bucket b = bucket_at(index_of(value));
  return b.lowest <= value && value - b.lowest < b.width;
}

// Serialised indices depend on this layout, and bucket_at must invert index_of.
static_assert(index_of(2047) == 2047 && index_of(2048) == 2048 && index_of(4095) == 3071);
static_assert(bucket_holds(1) && bucket_holds(2049) && bucket_holds(123'456'789) &&
              bucket_holds(LatencyHistogram::kMaxValue));

uint64_t midpoint(size_t index) {
  const Bucket b = bucket_at(index);
  return b.lowest + (b.width - 1) / 2;
}

[[noreturn]] void invalid(const std::string& what) {
  throw std::invalid_argument("latency histogram JSON: " + what);
}

// Accepts both signed and unsigned JSON integers, because a document built in code with int
// literals stores them signed while a parsed one stores non-negative numbers unsigned.
uint64_t to_uint(const nlohmann::json& value, const std::string& what) {
  if (value.is_number_unsigned()) return value.get<uint64_t>();
  if (value.is_number_integer()) {
    const int64_t signed_value = value.get<int64_t>();
    if (signed_value >= 0) return static_cast<uint64_t>(signed_value);
    invalid(what + " must not be negative, got " + value.dump());
  }
  invalid(what + " must be an integer, got " + value.dump());
}

const nlohmann::json& field(const nlohmann::json& doc, const char* key) {
  const auto it = doc.find(key);
  if (it == doc.end()) invalid(std::string("missing \"") + key + "\"");
  return *it;
}

// The document's version, unit and bucket layout are the ones this build reads.
void check_layout(const nlohmann::json& doc) {
  const auto& version = field(doc, "version");
  if (!version.is_number_integer() || version.get<int64_t>() != kFormatVersion) {
    invalid("unsupported \"version\" " + version.dump() + ", expected " +
            std::to_string(kFormatVersion));
  }
  const auto& unit = field(doc, "unit");
  if (unit != "ns") invalid("\"unit\" must be \"ns\", got " + unit.dump());
  const auto& bits = field(doc, "sub_bucket_bits");
  if (!bits.is_number_integer() || bits.get<int64_t>() != kSubBucketBits) {
    invalid("\"sub_bucket_bits\" " + bits.dump() + " differs from this build's " +
            std::to_string(kSubBucketBits) + "; buckets would not line up");
  }
}

struct Extremes {
  uint64_t min;
  uint64_t max;
};

// "min" and "max", in range and in order.
Extremes read_extremes(const nlohmann::json& doc) {
  const uint64_t min_value = to_uint(field(doc, "min"), "\"min\"");
  const uint64_t max_value = to_uint(field(doc, "max"), "\"max\"");
  if (max_value > LatencyHistogram::kMaxValue) {
    invalid("\"max\" " + std::to_string(max_value) + " exceeds " +
            std::to_string(LatencyHistogram::kMaxValue));
  }
  if (min_value > max_value) {
    invalid("\"min\" " + std::to_string(min_value) + " exceeds \"max\" " +
            std::to_string(max_value));
  }
  return {min_value, max_value};
}

// The first and last non-empty bucket.
struct BucketSpan {
  size_t first = 0;
  size_t last = 0;
};

// Reads "counts", [[bucket_index, count], ...] with rising indices and positive counts, into
// `counts` (kBucketCount long) and their sum into `total`.
BucketSpan read_counts(const nlohmann::json& entries, std::vector<uint64_t>& counts,
                       uint64_t& total) {
  if (!entries.is_array()) invalid("\"counts\" must be an array of [bucket_index, count]");
  BucketSpan span;
  for (size_t n = 0; n < entries.size(); ++n) {
    const auto& entry = entries[n];
    const std::string where = "\"counts\"[" + std::to_string(n) + "]";
    if (!entry.is_array() || entry.size() != 2) {
      invalid(where + " must be a [bucket_index, count] pair, got " + entry.dump());
    }
    const uint64_t index = to_uint(entry[0], where + " bucket index");
    if (index >= kBucketCount) {
      invalid(where + " bucket index " + std::to_string(index) + " is out of range [0, " +
              std::to_string(kBucketCount) + ")");
    }
    if (n > 0 && index <= span.last) {
      invalid(where + " bucket index " + std::to_string(index) +
              " is not greater than the previous " + std::to_string(span.last));
    }
    const uint64_t count = to_uint(entry[1], where + " count");
    if (count == 0) invalid(where + " count must be positive");
    if (total > UINT64_MAX - count) invalid(where + " count overflows the total");
    counts[index] = count;
    total += count;
    if (n == 0) span.first = index;
    span.last = index;
  }
  return span;
}

// Exact min and max are what merged reports quote, so they must agree with the buckets.
void check_extremes_in_span(const Extremes& extremes, const BucketSpan& span) {
  if (index_of(extremes.min) != span.first) {
    invalid("\"min\" " + std::to_string(extremes.min) + " does not fall in the first bucket " +
            std::to_string(span.first));
  }
  if (index_of(extremes.max) != span.last) {
    invalid("\"max\" " + std::to_string(extremes.max) + " does not fall in the last bucket " +
            std::to_string(span.last));
  }
}

}  // namespace

LatencyHistogram::LatencyHistogram() : counts_(kBucketCount, 0) {}

void LatencyHistogram::record(uint64_t value_ns) noexcept {
  const uint64_t value = std::min(value_ns, kMaxValue);
  ++counts_[index_of(value)];
  ++total_;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::record_n(uint64_t value_ns, uint64_t count) noexcept {
  // An empty record must not move min and max, which would then describe no recorded value.
  if (count == 0) return;
  const uint64_t value = std::min(value_ns, kMaxValue);
  counts_[index_of(value)] += count;
  total_ += count;
  min_ = std::min(min_, value);
  max_ = std::max(max_, value);
}

void LatencyHistogram::merge(const LatencyHistogram& other) {
  for (size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  total_ += other.total_;
  min_ = std::min(min_, other.min_);
  max_ = std::max(max_, other.max_);
}

void LatencyHistogram::reset() noexcept {
  std::fill(counts_.begin(), counts_.end(), 0);
  total_ = 0;
  min_ = UINT64_MAX;
  max_ = 0;
}

uint64_t LatencyHistogram::count_at_or_below(uint64_t value_ns) const {
  const size_t last = index_of(std::min(value_ns, kMaxValue));
  uint64_t n = 0;
  for (size_t i = 0; i <= last; ++i) n += counts_[i];
  return n;
}

uint64_t LatencyHistogram::min() const {
  return total_ == 0 ? 0 : min_;
}

uint64_t LatencyHistogram::max() const {
  return max_;
}

double LatencyHistogram::mean() const {
  if (total_ == 0) return 0.0;
  double sum = 0.0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) sum += static_cast<double>(counts_[i]) * static_cast<double>(midpoint(i));
  }
  return sum / static_cast<double>(total_);
}

double LatencyHistogram::stddev() const {
  if (total_ == 0) return 0.0;
  // Two passes: summing squares first and subtracting mean^2 cancels catastrophically when the
  // spread is small next to values in the hours.
  const double m = mean();
  double sum = 0.0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] == 0) continue;
    const double d = static_cast<double>(midpoint(i)) - m;
    sum += static_cast<double>(counts_[i]) * d * d;
  }
  return std::sqrt(sum / static_cast<double>(total_));
}

// Nearest-rank quantile: the value of rank ceil(q * count), reported as its bucket's midpoint.
// Clamping to the exact [min, max] can only move it closer, since every recorded value lies there.
uint64_t LatencyHistogram::value_at_quantile(double q) const {
  if (total_ == 0) return 0;
  if (!(q > 0.0)) return min();
  if (q >= 1.0) return max_;
  // Rounding in q * count must not step past the last rank.
  const double wanted = std::ceil(q * static_cast<double>(total_));
  const uint64_t rank = std::clamp(static_cast<uint64_t>(wanted), uint64_t{1}, total_);
  uint64_t seen = 0;
  for (size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) return std::clamp(midpoint(i), min_, max_);
  }
  return max_;
}

nlohmann::json LatencyHistogram::to_json() const {
  nlohmann::json counts = nlohmann::json::array();
  for (size_t i = 0; i < kBucketCount; ++i) {
    if (counts_[i] != 0) counts.push_back({i, counts_[i]});
  }
  return {{"version", kFormatVersion},
          {"unit", "ns"},
          {"sub_bucket_bits", kSubBucketBits},
          {"min", min()},
          {"max", max()},
          {"counts", std::move(counts)}};
}

LatencyHistogram LatencyHistogram::from_json(const nlohmann::json& doc) {
  if (!doc.is_object()) invalid("expected an object, got " + std::string(doc.type_name()));
  check_layout(doc);
  const Extremes extremes = read_extremes(doc);
  LatencyHistogram h;
  const BucketSpan span = read_counts(field(doc, "counts"), h.counts_, h.total_);
  if (h.total_ == 0) {
    if (extremes.min != 0 || extremes.max != 0) {
      invalid("\"min\" and \"max\" must be 0 with no counts");
    }
    return h;
  }
  check_extremes_in_span(extremes, span);
  h.min_ = extremes.min;
  h.max_ = extremes.max;
  return h;
}

bool LatencyHistogram::operator==(const LatencyHistogram& other) const {
  return total_ == other.total_ && min_ == other.min_ && max_ == other.max_ &&
         counts_ == other.counts_;
}

}  // namespace firedrill::loadgen

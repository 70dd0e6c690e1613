#include "loadgen/pacer.hpp"

#include <algorithm>
#include <cmath>

namespace firedrill::loadgen {

int64_t ExactPacer::wake_at(int64_t next_intended_ns, int64_t now_ns) const {
  return std::max(next_intended_ns, now_ns);
}

QuantizedPacer::QuantizedPacer(const RateSchedule& schedule, uint32_t worker_count,
                               int64_t start_ns)
    : schedule_(&schedule), worker_count_(worker_count), start_ns_(start_ns) {}

int64_t QuantizedPacer::quantum_for(double worker_rps) {
  if (!(worker_rps * kMaxQuantumNs > kRequestsPerWake * 1e9)) return kMaxQuantumNs;
  return std::max<int64_t>(1, std::llround(kRequestsPerWake * 1e9 / worker_rps));
}

int64_t QuantizedPacer::wake_at(int64_t next_intended_ns, int64_t now_ns) const {
  if (next_intended_ns <= now_ns) return now_ns;
  const int64_t offset = next_intended_ns - start_ns_;
  const double rate = schedule_->rate_at(common::Duration{offset}) / worker_count_;
  const int64_t quantum = quantum_for(rate);
  // The first grid point at or after the intended time: never early, less than a quantum late.
  return start_ns_ + (offset + quantum - 1) / quantum * quantum;
}

int64_t QuantizedPacer::longest_quantum_ns() const {
  return quantum_for(schedule_->lowest_rate() / worker_count_);
}

std::unique_ptr<Pacer> make_pacer(PacerKind kind, const RateSchedule& schedule,
                                  uint32_t worker_count, int64_t start_ns) {
  switch (kind) {
    case PacerKind::Exact:
      return std::make_unique<ExactPacer>();
    case PacerKind::Quantized:
      break;
  }
  return std::make_unique<QuantizedPacer>(schedule, worker_count, start_ns);
}

}  // namespace firedrill::loadgen

#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <utility>

#include "loadgen/load_config.hpp"
#include "loadgen/rate_schedule.hpp"

namespace firedrill::loadgen {

// When an open-loop worker wakes to send. The schedule says when each request is intended; the
// pacer only picks the wake, so it never changes what a latency is measured from. A wake is never
// before the request it is armed for (nothing goes out early), and a wake sends everything
// intended at or before it (PacedArrivals::send_due), so a later wake only delays requests.
class Pacer {
 public:
  virtual ~Pacer() = default;

  // When to wake for the earliest request not yet sent, intended at `next_intended_ns`, when the
  // time is `now_ns` (steady-clock ns): at or after the intended time, or now if it is already due.
  virtual int64_t wake_at(int64_t next_intended_ns, int64_t now_ns) const = 0;
  // The most a wake comes after the request it is armed for, over the whole schedule: what pacing
  // may add to a corrected latency. 0 when every wake is exact.
  virtual int64_t longest_quantum_ns() const = 0;
};

// A wake at each request's intended time: one timer expiry per request.
class ExactPacer final : public Pacer {
 public:
  int64_t wake_at(int64_t next_intended_ns, int64_t now_ns) const override;
  int64_t longest_quantum_ns() const override { return 0; }
};

// Wakes on a grid of send quanta from the start of the run, so that the requests due within one
// quantum go out together in one wake: one timer expiry and one write per connection for several
// requests. The quantum follows the worker's share of the instantaneous rate so that about
// kRequestsPerWake requests go per wake, and is at most kMaxQuantumNs: a request is sent late by
// less than one quantum, never early. On these 2-core VMs a wake (timer expiry or socket read)
// costs the client 10-20 us of CPU whatever it does: with 8 requests a wake h2c on one thread
// cost 7.3 us of CPU per request at 20k/s and 5.9 at 100k/s; with 32 (at 20k/s the 1 ms cap, so
// 20), about 5 and 2.6 (bench/RESULTS.md), for at most 1 ms of pacing, a tenth of h2load's tick.
class QuantizedPacer final : public Pacer {
 public:
  static constexpr double kRequestsPerWake = 32;
  static constexpr int64_t kMaxQuantumNs = 1'000'000;

  QuantizedPacer(const RateSchedule& schedule, uint32_t worker_count, int64_t start_ns);
  int64_t wake_at(int64_t next_intended_ns, int64_t now_ns) const override;
  int64_t longest_quantum_ns() const override;

  // The quantum for a worker sending `worker_rps` requests per second.
  static int64_t quantum_for(double worker_rps);

 private:
  const RateSchedule* schedule_;
  double worker_count_;
  int64_t start_ns_;
};

std::unique_ptr<Pacer> make_pacer(PacerKind kind, const RateSchedule& schedule,
                                  uint32_t worker_count, int64_t start_ns);

// One worker's open loop on the clock it is given: which requests a wake sends and when the next
// wake is. Times are steady-clock ns; the schedule's offsets count from `start_ns`, and no
// request is intended at or after `end_ns`.
class PacedArrivals {
 public:
  PacedArrivals(ArrivalSequence arrivals, std::unique_ptr<Pacer> pacer, int64_t start_ns,
                int64_t end_ns)
      : arrivals_(std::move(arrivals)),
        pacer_(std::move(pacer)),
        start_ns_(start_ns),
        end_ns_(end_ns) {}

  // Hands every request intended at or before `now_ns` to `send(intended_ns)`, oldest first, and
  // returns when to wake for the next one: nullopt when none is left before the end.
  template <typename Send>
  std::optional<int64_t> send_due(int64_t now_ns, Send&& send) {
    for (std::optional<int64_t> due; (due = next_intended());) {
      if (*due > now_ns) return pacer_->wake_at(*due, now_ns);
      arrivals_.advance();
      send(*due);
    }
    return std::nullopt;
  }

 private:
  std::optional<int64_t> next_intended() const {
    const std::optional<common::Duration>& offset = arrivals_.next();
    if (!offset || start_ns_ + offset->count() >= end_ns_) return std::nullopt;
    return start_ns_ + offset->count();
  }

  ArrivalSequence arrivals_;
  std::unique_ptr<Pacer> pacer_;
  int64_t start_ns_;
  int64_t end_ns_;
};

}  // namespace firedrill::loadgen

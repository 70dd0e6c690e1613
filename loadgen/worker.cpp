#include "loadgen/worker.hpp"

#include <algorithm>

namespace firedrill::loadgen {

namespace {
constexpr size_t kReadBufferSize = 64 * 1024;
constexpr int64_t kSecond = 1'000'000'000;

std::vector<uint32_t> weights_of(const LoadConfig& config) {
  std::vector<uint32_t> w;
  for (const auto& r : config.requests) w.push_back(r.weight);
  return w;
}
}  // namespace

Worker::Worker(WorkerSetup setup)
    : setup_(std::move(setup)),
      tick_timer_(io_),
      schedule_timer_(io_),
      read_buffer_(kReadBufferSize),
      // Each worker draws its own deterministic sequence from the run's seed.
      mix_(weights_of(*setup_.config), setup_.config->seed * 0x9E3779B97F4A7C15ULL + setup_.index),
      to_start_(setup_.quota) {
  if (open_loop()) {
    const RateSchedule& schedule = *setup_.schedule;
    paced_.emplace(ArrivalSequence(schedule, setup_.config->arrival, setup_.config->seed,
                                   setup_.index, setup_.worker_count),
                   make_pacer(setup_.config->pacer, schedule, setup_.worker_count, setup_.start_ns),
                   setup_.start_ns, setup_.end_ns);
  }
  // Timeouts are checked on a tick: a twentieth of the timeout keeps the overshoot at 5%.
  tick_ns_ = std::clamp<int64_t>(setup_.config->timeout.count() / 20, 1'000'000, 100'000'000);
  queue_.resize(open_loop() ? std::max<uint64_t>(setup_.max_queue, 1) : 0);
  for (uint32_t i = 0; i < setup_.connections; ++i) {
    ConnectionShared shared{io_, setup_, clock_, read_buffer_, stats_};
    ConnectionOwner& owner = *this;
    connections_.push_back(std::make_unique<Connection>(shared, owner));
  }
}

// The connections go first: they hold references to the clock and stats declared after them.
Worker::~Worker() {
  connections_.clear();
}

void Worker::run() {
  clock_.update();
  if (now() < setup_.start_ns) {
    std::this_thread::sleep_for(std::chrono::nanoseconds(setup_.start_ns - now()));
    clock_.update();
  }
  interval_end_ns_ = setup_.start_ns + kSecond;
  for (auto& c : connections_) request_connect(*c);
  if (open_loop()) arm_schedule_timer(setup_.start_ns);
  tick_timer_.expires_after(std::chrono::nanoseconds(tick_ns_));
  tick_timer_.async_wait([this](const boost::system::error_code& e) {
    if (!e) on_tick();
  });
  io_.run();
  clock_.update();
  publish_ended_intervals();
  std::lock_guard lock(mailbox_mutex_);
  // The second the run ended in, cut short: what completed in it belongs to the series too.
  if (interval_.responses + interval_.errors > 0) {
    interval_.in_flight = in_flight_;
    mailbox_.seconds.push_back(std::move(interval_));
  }
  mailbox_.finished = true;
}

void Worker::request_stop() {
  asio::post(io_, [this] {
    clock_.update();
    for (auto& c : connections_) stats_.abandoned += c->in_flight();
    finish();
  });
}

IntervalBatch Worker::take_intervals() {
  std::lock_guard lock(mailbox_mutex_);
  IntervalBatch out = std::move(mailbox_);
  mailbox_ = IntervalBatch{};
  mailbox_.finished = out.finished;
  return out;
}

void Worker::publish_ended_intervals() {
  std::lock_guard lock(mailbox_mutex_);
  while (now() >= interval_end_ns_) {
    interval_.in_flight = in_flight_;
    const uint64_t next = interval_.second + 1;
    mailbox_.seconds.push_back(std::move(interval_));
    interval_ = IntervalSample{};
    interval_.second = next;
    interval_end_ns_ += kSecond;
  }
}

void Worker::request_connect(Connection& c) {
  connect_queue_.push_back(&c);
  start_queued_connects();
}

void Worker::start_queued_connects() {
  if (starting_connects_) return;  // re-entered by a connect that failed at once: the loop goes on
  starting_connects_ = true;
  while (connecting_ < kMaxConnectingPerThread && !connect_queue_.empty()) {
    Connection* next = connect_queue_.front();
    connect_queue_.pop_front();
    if (!next->idle()) continue;  // shut down while it waited
    ++connecting_;
    next->connect();
  }
  starting_connects_ = false;
}

void Worker::end_connect() {
  --connecting_;
  start_queued_connects();
}

void Worker::on_connected(Connection& c, const std::string& protocol) {
  end_connect();
  ever_connected_ = true;
  c.failed_once = false;
  if (negotiated_.empty()) negotiated_ = protocol;
  if (now() >= setup_.measure_start_ns) ++stats_.connects;
}

void Worker::on_connect_failed(Connection& c, ErrorKind kind, const std::string& message) {
  end_connect();
  if (now() >= setup_.measure_start_ns || !ever_connected_) stats_.count_error(kind, message);
  if (!ever_connected_ && !c.failed_once) {
    c.failed_once = true;
    // Every connection of the first wave failed on its first attempt and none ever got through:
    // the target cannot be reached, and retrying until the end of the run would only hide that.
    if (++first_failures_ == std::min(connections_.size(), kMaxConnectingPerThread)) {
      unreachable_ = true;
      unreachable_reason_ = message;
      finish();
      c.shutdown();
      return;
    }
  }
  // With -n, the requests a failed connection would have carried are counted as errored so that
  // a dead target still ends the run.
  if (ever_connected_ && setup_.quota > 0 && to_start_ > 0) {
    uint64_t lost = std::min<uint64_t>(to_start_, setup_.config->streams);
    to_start_ -= lost;
    stats_.errored += lost;
    check_done();
  }
}

bool Worker::send(Connection& c, uint32_t request, int64_t intended) {
  if (!c.submit(request, intended)) return false;
  ++stats_.started;
  ++in_flight_;
  if (open_loop()) record_send_lag(intended);
  return true;
}

void Worker::on_response(int64_t intended, int64_t sent, int status, uint64_t body) {
  --in_flight_;
  IntervalSample& second = interval();
  ++second.responses;
  if (status >= 400) ++second.errors;
  second.latency.record(static_cast<uint64_t>(now() - intended));
  if (!recording(intended)) return;
  if (status >= 400) {
    ++stats_.failed;
  } else {
    ++stats_.succeeded;
  }
  if (status > 0 && status < kMaxStatus) ++stats_.status_counts[status];
  stats_.body_bytes += body;
  stats_.latency.record(static_cast<uint64_t>(now() - intended));
  stats_.service_time.record(static_cast<uint64_t>(now() - sent));
}

void Worker::on_request_error(int64_t intended, ErrorKind kind, const std::string& message) {
  --in_flight_;
  count_error(intended, kind, message);
}

void Worker::count_error(int64_t intended, ErrorKind kind, const std::string& message) {
  ++interval().errors;
  if (!recording(intended)) return;
  ++stats_.errored;
  if (kind == ErrorKind::Timeout) ++stats_.timed_out;
  stats_.count_error(kind, message);
}

bool Worker::may_start() const {
  if (finishing_ || now() >= setup_.end_ns) return false;
  return setup_.quota == 0 || to_start_ > 0;
}

void Worker::fill_closed_loop(Connection& c) {
  while (c.free_slots() > 0 && may_start()) {
    if (!send(c, static_cast<uint32_t>(mix_.next()), now())) break;
    if (setup_.quota > 0) --to_start_;
  }
}

void Worker::refill(Connection& c) {
  if (finishing_) return;
  if (!open_loop()) {
    fill_closed_loop(c);
    if (c.in_flight() == 0) check_done();
    return;
  }
  while (queue_size_ > 0 && c.free_slots() > 0) {
    Queued q = queue_[queue_head_];
    queue_head_ = (queue_head_ + 1) % queue_.size();
    --queue_size_;
    if (now() - q.intended > setup_.config->timeout.count()) {
      count_error(q.intended, ErrorKind::Timeout, "waited in the queue past the timeout");
      continue;
    }
    send(c, q.request, q.intended);
  }
  if (c.free_slots() > 0 && !c.available) {
    c.available = true;
    available_.push_back(&c);
  }
  check_done();
}

void Worker::dispatch_open_loop(int64_t intended) {
  auto request = static_cast<uint32_t>(mix_.next());
  while (!available_.empty()) {
    Connection* c = available_.back();
    if (c->free_slots() > 0 && send(*c, request, intended)) {
      if (c->free_slots() == 0) {
        c->available = false;
        available_.pop_back();
      }
      return;
    }
    c->available = false;
    available_.pop_back();
  }
  if (queue_size_ < queue_.size()) {
    queue_[(queue_head_ + queue_size_) % queue_.size()] = Queued{intended, request};
    ++queue_size_;
    return;
  }
  if (recording(intended)) ++stats_.dropped;
  ++interval().errors;
}

void Worker::arm_schedule_timer(int64_t at_ns) {
  schedule_timer_.expires_at(
      std::chrono::steady_clock::time_point(std::chrono::nanoseconds(at_ns)));
  schedule_timer_.async_wait([this](const boost::system::error_code& e) {
    if (!e) on_schedule_timer();
  });
}

void Worker::record_send_lag(int64_t intended) {
  if (recording(intended)) stats_.send_lag.record(static_cast<uint64_t>(now() - intended));
}

void Worker::on_schedule_timer() {
  clock_.update();
  if (!finishing_) {
    // Each request keeps its intended time, not this wake's: the corrected latency counts from
    // it, so what pacing adds shows there and in the send lag.
    const std::optional<int64_t> wake =
        paced_->send_due(now(), [this](int64_t intended) { dispatch_open_loop(intended); });
    if (wake) {
      arm_schedule_timer(*wake);
    } else {
      schedule_done_ = true;
    }
  }
  flush_dirty();
  check_done();
}

void Worker::on_tick() {
  clock_.update();
  int64_t deadline = now() - setup_.config->timeout.count();
  for (auto& c : connections_) c->expire(deadline);
  while (queue_size_ > 0 && queue_[queue_head_].intended < deadline) {
    count_error(queue_[queue_head_].intended, ErrorKind::Timeout,
                "waited in the queue past the timeout");
    queue_head_ = (queue_head_ + 1) % queue_.size();
    --queue_size_;
  }
  if (now() >= interval_end_ns_) publish_ended_intervals();
  flush_dirty();
  check_done();
  if (finishing_) return;
  tick_timer_.expires_after(std::chrono::nanoseconds(tick_ns_));
  tick_timer_.async_wait([this](const boost::system::error_code& e) {
    if (!e) on_tick();
  });
}

void Worker::mark_dirty(Connection& c) {
  if (c.dirty) return;
  c.dirty = true;
  dirty_.push_back(&c);
}

void Worker::flush_dirty() {
  // flush() may fail a connection, which may dirty others: iterate by index.
  for (size_t i = 0; i < dirty_.size(); ++i) {
    Connection* c = dirty_[i];
    c->dirty = false;
    c->flush();
  }
  dirty_.clear();
}

void Worker::check_done() {
  if (finishing_) return;
  bool nothing_left;
  if (open_loop()) {
    nothing_left = (schedule_done_ || now() >= setup_.end_ns) && queue_size_ == 0;
  } else {
    nothing_left = !may_start();
  }
  if (nothing_left && in_flight_ == 0) {
    finish();
    return;
  }
  // Past the end, a request gets at most the timeout to complete; what is left is abandoned.
  if (now() >= setup_.end_ns + setup_.config->timeout.count()) {
    stats_.abandoned += in_flight_;
    finish();
  }
}

void Worker::finish() {
  if (finishing_) return;
  finishing_ = true;
  finished_ns_ = now();
  // Connections are closed from a fresh handler: finish() may run inside one of their callbacks.
  asio::post(io_, [this] {
    for (auto& c : connections_) c->shutdown();
    tick_timer_.cancel();
    schedule_timer_.cancel();
    io_.stop();
  });
}

}  // namespace firedrill::loadgen

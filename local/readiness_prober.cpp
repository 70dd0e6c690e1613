#include "local/readiness_prober.hpp"

#include <algorithm>
#include <string>

#include "common/http_client.hpp"

namespace firedrill::local {

namespace {

using std::chrono::milliseconds;

// How often the prober looks for probes that are due.
constexpr milliseconds kTick{50};

struct Probe {
  Replica* replica;
  uint64_t generation;
  std::string url;
  Duration timeout;
};

bool answers_2xx(common::HttpClient& client, const Probe& probe) {
  common::HttpRequest request;
  request.url = probe.url;
  request.timeout = probe.timeout;
  common::HttpResponse response = client.perform(request);
  return response.ok() && response.status >= 200 && response.status < 300;
}

std::vector<Probe> due_probes(const std::vector<std::unique_ptr<Replica>>& replicas) {
  std::vector<Probe> due;
  const auto now = SteadyClock::now();
  for (const auto& r : replicas) {
    if (!r->spec->readiness || r->pid == 0 || now < r->next_probe) continue;
    const ReadinessProbe& p = *r->spec->readiness;
    r->next_probe = now + p.period;
    // Short, so that one hung replica does not hold up the probes of the others.
    Duration timeout = std::clamp<Duration>(p.period, milliseconds(100), milliseconds(1000));
    due.push_back(
        {r.get(), r->generation, "http://127.0.0.1:" + std::to_string(r->port) + p.path, timeout});
  }
  return due;
}

}  // namespace

ReadinessProber::ReadinessProber(std::mutex& mutex, std::condition_variable& changed,
                                 const std::vector<std::unique_ptr<Replica>>& replicas)
    : mutex_(mutex), changed_(changed), replicas_(replicas), thread_([this] { run(); }) {}

ReadinessProber::~ReadinessProber() {
  stop();
}

void ReadinessProber::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ReadinessProber::run() {
  common::HttpClient client;
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::vector<Probe> due = due_probes(replicas_);
    lock.unlock();
    std::vector<bool> results;
    for (const auto& p : due) results.push_back(answers_2xx(client, p));
    lock.lock();
    for (size_t i = 0; i < due.size(); ++i) {
      Replica& r = *due[i].replica;
      if (r.pid != 0 && r.generation == due[i].generation) r.ready = results[i];
    }
    if (!due.empty()) changed_.notify_all();
    changed_.wait_for(lock, kTick);
  }
}

}  // namespace firedrill::local

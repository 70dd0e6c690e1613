#pragma once
#include <functional>
#include <memory>
#include <string>

#include "loadgen/engine.hpp"
#include "loadgen/load_stats.hpp"

namespace firedrill::scenarios {

// Where a load step's load runs: in this process (loadgen's Engine), or spread over worker pods
// (WorkerJobLoad). The Runner runs one on a thread of its own.
class LoadDriver {
 public:
  using OnSecond = std::function<void(const loadgen::TimeSeriesPoint&)>;
  virtual ~LoadDriver() = default;

  // Blocks until the load is done or stop() is called; `on_second` is told of each second as it
  // completes, where the load is seen live.
  virtual loadgen::LoadResult run(const OnSecond& on_second) = 0;
  // Safe from any thread: run() returns soon after.
  virtual void stop() = 0;
  // Once run() has returned: why its result is not the whole load (a worker failed, or never
  // reported), or empty when it is.
  virtual std::string incomplete() const { return {}; }
};

// The load in this process.
class LocalLoad final : public LoadDriver {
 public:
  // Throws common::ValueError when the engine cannot run `config` (loadgen::Engine).
  explicit LocalLoad(const loadgen::LoadConfig& config) : engine_(config) {}
  loadgen::LoadResult run(const OnSecond& on_second) override { return engine_.run(on_second); }
  void stop() override { engine_.stop(); }

 private:
  loadgen::Engine engine_;
};

}  // namespace firedrill::scenarios

#pragma once
#include "common/asio.hpp"
#include "target/fast_random.hpp"
#include "target/fault_injector.hpp"
#include "target/log_sink.hpp"
#include "target/request_handler.hpp"
#include "target/request_log.hpp"
#include "target/target_metrics.hpp"
#include "target/target_route.hpp"

namespace firedrill::target {

// The endpoints of `firedrill target`, for one event loop; the metrics, faults and log sink are
// shared by all loops.
class TargetRoutes final : public RequestHandler {
 public:
  TargetRoutes(TargetMetrics& metrics, FaultInjector& faults, LogSink& log, double log_sample,
               asio::io_context& io);

  Reply handle(const Request& request) override;
  void on_answered(const Request& request, const Reply& reply) override;
  void flush_log() { request_log_.flush(); }

 private:
  Reply answer(const RouteMatch& match, const Request& request);
  Reply admin_fault(const Request& request);
  TargetMetrics& metrics_;
  FaultInjector& faults_;
  LogSink& log_;
  RequestLog request_log_;
  FastRandom random_;
};

}  // namespace firedrill::target

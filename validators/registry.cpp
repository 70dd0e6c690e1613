#include "validators/check.hpp"

namespace firedrill::validators {

// Each kind lives in its own file; this list is the only place that names them all.
CheckKind http_check_kind();
CheckKind exec_check_kind();
CheckKind prometheus_alert_check_kind();
CheckKind prometheus_query_check_kind();
CheckKind prometheus_rule_check_kind();
CheckKind alertmanager_alert_check_kind();
CheckKind grafana_alert_check_kind();
CheckKind receiver_notification_check_kind();
CheckKind service_status_check_kind();
CheckKind logs_file_check_kind();
CheckKind cloudwatch_alarm_check_kind();
CheckKind cloudwatch_metric_check_kind();
CheckKind logs_cloudwatch_check_kind();
CheckKind logs_loki_check_kind();
CheckKind logs_elasticsearch_check_kind();
CheckKind kube_pod_check_kind();
CheckKind kube_events_check_kind();
CheckKind kube_hpa_check_kind();
CheckKind kube_nodes_check_kind();
CheckKind kube_rollout_check_kind();
CheckKind kube_logs_check_kind();

const std::vector<CheckKind>& check_kinds() {
  static const std::vector<CheckKind> kinds = {
      http_check_kind(),
      exec_check_kind(),
      prometheus_alert_check_kind(),
      prometheus_query_check_kind(),
      prometheus_rule_check_kind(),
      alertmanager_alert_check_kind(),
      grafana_alert_check_kind(),
      receiver_notification_check_kind(),
      service_status_check_kind(),
      logs_file_check_kind(),
      cloudwatch_alarm_check_kind(),
      cloudwatch_metric_check_kind(),
      logs_cloudwatch_check_kind(),
      logs_loki_check_kind(),
      logs_elasticsearch_check_kind(),
      kube_pod_check_kind(),
      kube_events_check_kind(),
      kube_hpa_check_kind(),
      kube_nodes_check_kind(),
      kube_rollout_check_kind(),
      kube_logs_check_kind(),
  };
  return kinds;
}

const CheckKind* find_check_kind(const std::string& name) {
  for (const auto& k : check_kinds()) {
    if (k.name == name) return &k;
  }
  return nullptr;
}

}  // namespace firedrill::validators

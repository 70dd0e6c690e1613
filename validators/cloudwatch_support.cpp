#include "validators/cloudwatch_support.hpp"

#include <cmath>

#include "clients/http_client.hpp"

namespace firedrill::validators::aws {

using nlohmann::json;

std::unique_ptr<clients::AwsJsonClient> client_for(const CheckContext& context,
                                                   const clients::AwsJsonService& service,
                                                   const common::Params& params) {
  std::string region = params.contains("region") ? params.at("region").get<std::string>() : "";
  clients::AwsSettings settings =
      clients::aws_settings(context.integrations, region, clients::process_environment());
  return std::make_unique<clients::AwsJsonClient>(service, settings);
}

common::FieldSpec region_field() {
  return {"region", common::FieldType::String,
          false,    "the AWS region, instead of integrations.aws.region (e.g. us-east-1)",
          {},       {}};
}

int64_t epoch_seconds(WallClock::time_point t) {
  return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

int64_t epoch_milliseconds(WallClock::time_point t) {
  return std::chrono::floor<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

WallClock::time_point from_epoch_milliseconds(int64_t ms) {
  return WallClock::time_point(
      std::chrono::duration_cast<WallClock::duration>(std::chrono::milliseconds(ms)));
}

std::optional<WallClock::time_point> timestamp(const json& value) {
  if (!value.is_number()) return std::nullopt;
  double seconds = value.get<double>();
  if (!std::isfinite(seconds)) return std::nullopt;
  return from_epoch_milliseconds(std::llround(seconds * 1000));
}

void malformed(const clients::AwsJsonClient& client, const std::string& operation,
               const std::string& what) {
  throw clients::AwsError(client.service().name + " at " + clients::redact_url(client.endpoint()) +
                              ": " + operation + ": the answer is malformed: " + what,
                          "MalformedResponse", 200);
}

json client_evidence(const clients::AwsJsonClient& client) {
  return {{"service", client.service().name},
          {"endpoint", clients::redact_url(client.endpoint())},
          {"region", client.region()}};
}

}  // namespace firedrill::validators::aws

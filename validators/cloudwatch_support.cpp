#include "validators/cloudwatch_support.hpp"

#include <cmath>

#include "common/http_client.hpp"
#include "common/json_fields.hpp"
#include "validators/alerting_support.hpp"

namespace firedrill::validators::aws {

using nlohmann::json;

std::optional<Observation> connect(std::unique_ptr<clients::AwsJsonClient>& client,
                                   const CheckContext& context,
                                   const clients::AwsJsonService& service,
                                   const common::Params& params) {
  return alerting::connect(client, [&] {
    std::string region = params.contains("region") ? params.at("region").get<std::string>() : "";
    clients::AwsSettings settings = context.integrations->aws_settings(region);
    return std::make_unique<clients::AwsJsonClient>(
        service, settings, context.integrations->aws_credentials(settings));
  });
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
  throw clients::AwsError(client.service().name + " at " + common::redact_url(client.endpoint()) +
                              ": " + operation + ": the answer is malformed: " + what,
                          "MalformedResponse", 200);
}

void for_each_page(clients::AwsJsonClient& client, const std::string& operation, json input,
                   common::Duration timeout, int max_pages,
                   const std::function<void(const json&)>& page) {
  for (int pages = 0; pages < max_pages; ++pages) {
    json output = client.call(operation, input, timeout);
    page(output);
    std::string next = common::string_field(output, "NextToken");
    if (next.empty()) return;
    input["NextToken"] = next;
  }
}

const json& list_field(const clients::AwsJsonClient& client, const std::string& operation,
                       const json& output, const std::string& name) {
  auto it = output.find(name);
  if (it == output.end() || !it->is_array()) malformed(client, operation, name + " is not a list");
  return *it;
}

json client_evidence(const clients::AwsJsonClient& client) {
  return {{"service", client.service().name},
          {"endpoint", common::redact_url(client.endpoint())},
          {"region", client.region()}};
}

}  // namespace firedrill::validators::aws

#pragma once
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "clients/aws_client.hpp"
#include "common/param_schema.hpp"
#include "validators/check.hpp"

// What the AWS checks (cloudwatch.alarm, cloudwatch.metric, logs.cloudwatch) share.
namespace firedrill::validators::aws {

// Makes the check's client of `service` at its first observation, as alerting::connect does: for
// integrations.aws (and the check's own region, when given), with credentials from the default
// chain in this process's environment. Returns the inconclusive observation when it cannot.
std::optional<Observation> connect(std::unique_ptr<clients::AwsJsonClient>& client,
                                   const CheckContext& context,
                                   const clients::AwsJsonService& service,
                                   const common::Params& params);

common::FieldSpec region_field();

// Epoch seconds and milliseconds as the AWS JSON protocols carry them.
int64_t epoch_seconds(WallClock::time_point t);
int64_t epoch_milliseconds(WallClock::time_point t);
WallClock::time_point from_epoch_milliseconds(int64_t ms);
// A JSON-protocol timestamp: a number of epoch seconds (with a fraction); nullopt otherwise.
std::optional<WallClock::time_point> timestamp(const nlohmann::json& value);

// The answer did not have the shape the API reference gives: throws clients::AwsError.
[[noreturn]] void malformed(const clients::AwsJsonClient& client, const std::string& operation,
                            const std::string& what);

// Calls `operation` with `input`, then again with each NextToken of the answer, at most
// `max_pages` times in all, handing every answer to `page`.
void for_each_page(clients::AwsJsonClient& client, const std::string& operation,
                   nlohmann::json input, common::Duration timeout, int max_pages,
                   const std::function<void(const nlohmann::json&)>& page);

// The list `name` of an answer to `operation`; throws as malformed() when it is missing or is
// not a list.
const nlohmann::json& list_field(const clients::AwsJsonClient& client, const std::string& operation,
                                 const nlohmann::json& output, const std::string& name);

// {"service", "endpoint", "region"} for evidence.
nlohmann::json client_evidence(const clients::AwsJsonClient& client);

}  // namespace firedrill::validators::aws

#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "clients/aws_client.hpp"
#include "common/param_schema.hpp"
#include "validators/check.hpp"

// What the AWS checks (cloudwatch.alarm, cloudwatch.metric, logs.cloudwatch) share.
namespace firedrill::validators::aws {

// The client of `service` for integrations.aws (and the check's own region, when given), with
// credentials from the default chain in this process's environment. Throws common::ValueError
// or clients::AwsCredentialsError.
std::unique_ptr<clients::AwsJsonClient> client_for(const CheckContext& context,
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

// {"service", "endpoint", "region"} for evidence.
nlohmann::json client_evidence(const clients::AwsJsonClient& client);

}  // namespace firedrill::validators::aws

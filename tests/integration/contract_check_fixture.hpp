#pragma once
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <initializer_list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "clients/integrations.hpp"
#include "common/errors.hpp"
#include "tests/integration/contract_server.hpp"
#include "tests/unit/kind_params.hpp"
#include "validators/check.hpp"

namespace firedrill::testing {

// A test of checks that query a contract server (tests/fixtures/*_contract_server.py): it keeps
// the server and the integrations block the checks are given, and ends each test by asking the
// server whether any request broke the contract.
template <typename Server = ContractServer>
class ContractCheckFixture : public ::testing::Test {
 protected:
  // Keeps `server`; false (and a failure naming it `what`) when it does not run.
  bool start_server(std::unique_ptr<Server> server, const std::string& what) {
    server_ = std::move(server);
    if (!server_->running()) {
      ADD_FAILURE() << "the " << what << " did not start: " << server_->log();
      return false;
    }
    return true;
  }

  // One poll of check `kind_name` made from `given`, with integrations_; none of `secrets` may
  // stand in what a report would show of it.
  validators::Observation observe_check(const std::string& kind_name, nlohmann::json given,
                                        validators::WallClock::time_point drill_start,
                                        validators::WallClock::time_point last_fault,
                                        std::initializer_list<const char*> secrets) {
    const validators::CheckKind* kind = validators::find_check_kind(kind_name);
    EXPECT_NE(kind, nullptr) << kind_name;
    auto check = kind->create(kind_params(kind->schema, std::move(given)));
    validators::CheckContext context;
    context.drill_start = drill_start;
    context.last_fault = last_fault;
    const clients::Integrations integrations(integrations_);
    context.integrations = &integrations;
    validators::Observation o = check->observe(context);
    const std::string shown = o.message + o.evidence.dump();
    for (const char* secret : secrets) {
      EXPECT_THAT(shown, ::testing::Not(::testing::HasSubstr(secret)));
    }
    return o;
  }

  // Why integrations_ is refused when the drill is validated; empty when it is not.
  std::string refusal() const {
    try {
      const clients::Integrations integrations(integrations_);
    } catch (const common::ValueError& e) {
      return e.what();
    }
    return {};
  }

  void TearDown() override {
    if (server_ && server_->running()) {
      EXPECT_EQ(server_->control("violations"), nlohmann::json::array())
          << "the contract was broken";
    }
  }

  std::unique_ptr<Server> server_;
  nlohmann::json integrations_;
};

}  // namespace firedrill::testing

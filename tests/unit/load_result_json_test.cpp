// The load result document (docs/load-result.md) reads back into the result that wrote it.
#include <gtest/gtest.h>

#include "loadgen/load_result_json.hpp"
#include "tests/fixtures/sample_run_result.hpp"

namespace firedrill::loadgen {
namespace {

using nlohmann::json;

// Every intended field away from its default, with times that binary floating point cannot hold
// exactly (0.3 s) so that truncation would show.
LoadResult every_field_set() {
  LoadResult r = testing::sample_load(11, 5, 200, 4.0, 2, 3, true);
  r.config.protocol = Protocol::H2;
  r.config.max_requests = 12345;
  r.config.warmup = std::chrono::milliseconds(300);
  r.config.timeout = std::chrono::milliseconds(700);
  r.config.connect_timeout = std::chrono::milliseconds(1300);
  r.config.stages = {{std::chrono::milliseconds(300), 50}, {std::chrono::seconds(4), 200}};
  r.config.max_queue = 77;
  r.config.seed = 99;
  r.config.arrival = Arrival::Poisson;
  r.config.pacer = PacerKind::Exact;
  r.pacer_quantum_ns = 400'000;
  r.stats.send_lag.record(123'456);
  r.stats.errors[static_cast<size_t>(ErrorKind::Timeout)] = 3;
  r.stats.first_error_message[static_cast<size_t>(ErrorKind::Timeout)] = "no response";
  r.stats.dropped = 4;
  r.stats.abandoned = 1;
  r.stats.connects = 16;
  r.stats.tls_resumed = 2;
  r.config.shard = {1, 3};
  // Milliseconds: what the document holds of an instant.
  const auto instant = common::WallClock::time_point(std::chrono::milliseconds(1'796'000'000'123));
  r.config.start_at = instant;
  r.started_at = instant + std::chrono::milliseconds(4);
  r.start_late_s = 0.004;
  r.parts = {{"w-1.json", {1, 3}, r.started_at, 0.004, 3.9, 700, 5, 179.5}};
  return r;
}

TEST(LoadResultJson, ReadsBackToTheSameDocument) {
  const json doc = to_json(every_field_set());
  const LoadResult back = load_result_from_json(json::parse(doc.dump()));
  EXPECT_EQ(to_json(back), doc);
  EXPECT_EQ(back.config.protocol, Protocol::H2);
  EXPECT_EQ(back.config.warmup, std::chrono::milliseconds(300));
  EXPECT_EQ(back.config.connect_timeout, std::chrono::milliseconds(1300));
  ASSERT_EQ(back.config.stages.size(), 2u);
  EXPECT_EQ(back.config.stages[0].duration, std::chrono::milliseconds(300));
  EXPECT_EQ(back.config.max_queue, 77u);
  EXPECT_EQ(back.config.seed, 99u);
  EXPECT_EQ(back.config.arrival, Arrival::Poisson);
  EXPECT_EQ(back.config.pacer, PacerKind::Exact);
  EXPECT_EQ(back.pacer_quantum_ns, 400'000);
  EXPECT_EQ(back.stats.send_lag.count(), 1u);
  EXPECT_EQ(back.config.shard, (Shard{1, 3}));
  EXPECT_EQ(back.config.start_at, every_field_set().config.start_at);
  EXPECT_EQ(back.started_at, every_field_set().started_at);
  ASSERT_EQ(back.parts.size(), 1u);
  EXPECT_EQ(back.parts[0].name, "w-1.json");
}

// Results saved before pacing was reported were sent with one exact timer per request.
TEST(LoadResultJson, ReadsADocumentFromBeforeThePacer) {
  json doc = to_json(every_field_set());
  doc["intended"].erase("arrival");
  doc["intended"].erase("pacer");
  doc.erase("send_lag");
  doc.erase("pacer_quantum_ms");
  doc["histograms"].erase("send_lag");
  const LoadResult back = load_result_from_json(doc);
  EXPECT_EQ(back.config.arrival, Arrival::Uniform);
  EXPECT_EQ(back.config.pacer, PacerKind::Exact);
  EXPECT_EQ(back.pacer_quantum_ns, 0);
  EXPECT_EQ(back.stats.send_lag.count(), 0u);
  json bad = to_json(every_field_set());
  bad["intended"]["pacer"] = "sloppy";
  EXPECT_THROW(load_result_from_json(bad), std::invalid_argument);
}

TEST(LoadResultJson, RejectsAnotherSchemaAndMalformedDocuments) {
  json doc = to_json(every_field_set());
  json other = doc;
  other["schema"] = "firedrill/load-result/v0";
  EXPECT_THROW(load_result_from_json(other), std::invalid_argument);
  json missing = doc;
  missing["intended"].erase("warmup_s");
  try {
    load_result_from_json(missing);
    ADD_FAILURE() << "a result without intended.warmup_s was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("warmup_s"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace firedrill::loadgen

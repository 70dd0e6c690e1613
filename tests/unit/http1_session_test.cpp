// Http1Session pairs each response with the request it answers: an answer nobody asked for is a
// connection error, also when it comes in a later read before the next request is submitted.
#include "loadgen/http1_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace firedrill::loadgen {
namespace {

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Records the responses; the test submits between reads, as a connection refills once a read is
// over.
class Responses final : public SessionEvents {
 public:
  void on_response_start(uint32_t) override {}
  void on_response(uint32_t slot, int status, uint64_t) override {
    responses.push_back({slot, status});
  }
  void on_request_error(uint32_t, ErrorKind) override {}

  RequestTemplate request{"GET / HTTP/1.1\r\nHost: t\r\n\r\n", {}, 0, "", false};
  std::string out;
  std::vector<std::pair<uint32_t, int>> responses;
};

bool feed(Http1Session& session, std::string_view bytes) {
  return session.on_read(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(Http1Session, AnAnswerGivenTwiceIsAConnectionErrorNotTheNextRequestsResponse) {
  Responses events;
  Http1Session session(events, 1);
  ASSERT_TRUE(session.submit(0, events.request, events.out));
  session.flush(events.out);
  std::string twice = std::string(kOk) + std::string(kOk);
  EXPECT_FALSE(feed(session, twice));
  EXPECT_NE(session.error_message().find("response to no request"), std::string::npos);
  ASSERT_EQ(events.responses.size(), 1u);
  EXPECT_EQ(events.responses[0].first, 0u);
}

TEST(Http1Session, PipelinedAnswersInOneReadEachGoToTheirRequest) {
  Responses events;
  Http1Session session(events, 3);
  for (uint32_t slot = 0; slot < 3; ++slot) {
    ASSERT_TRUE(session.submit(slot, events.request, events.out));
  }
  session.flush(events.out);
  EXPECT_TRUE(feed(session, std::string(kOk) + std::string(kOk) + std::string(kOk)));
  EXPECT_EQ(events.responses.size(), 3u);
}

TEST(Http1Session, ARequestSubmittedAfterTheReadGetsTheNextResponse) {
  Responses events;
  Http1Session session(events, 1);
  ASSERT_TRUE(session.submit(0, events.request, events.out));
  session.flush(events.out);
  EXPECT_TRUE(feed(session, kOk));
  ASSERT_TRUE(session.submit(1, events.request, events.out));
  session.flush(events.out);
  EXPECT_TRUE(feed(session, kOk));
  ASSERT_EQ(events.responses.size(), 2u);
  EXPECT_EQ(events.responses[1].first, 1u);
}

// Two reads before the next submit (two TLS records in one turn, say): the second answer has no
// request to be for.
TEST(Http1Session, ASecondAnswerInALaterReadBeforeTheNextSubmitIsAConnectionError) {
  Responses events;
  Http1Session session(events, 1);
  ASSERT_TRUE(session.submit(0, events.request, events.out));
  session.flush(events.out);
  EXPECT_TRUE(feed(session, kOk));
  EXPECT_FALSE(feed(session, kOk));
  EXPECT_EQ(events.responses.size(), 1u);
}

TEST(Http1Session, DataWithNothingOutstandingIsAConnectionError) {
  Responses events;
  Http1Session session(events, 1);
  EXPECT_FALSE(feed(session, kOk));
  EXPECT_TRUE(events.responses.empty());
}

}  // namespace
}  // namespace firedrill::loadgen

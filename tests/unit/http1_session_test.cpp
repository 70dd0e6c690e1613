// Http1Session pairs each response with the request it answers: an answer nobody asked for is a
// connection error, even when a new request was sent from the previous response's event.
#include "loadgen/http1_session.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace firedrill::loadgen {
namespace {

constexpr std::string_view kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

// Submits the next request as soon as a response completes, as a closed-loop worker does.
class ClosedLoop final : public SessionEvents {
 public:
  void on_response_start(uint32_t) override {}
  void on_response(uint32_t slot, int status, uint64_t) override {
    responses.push_back({slot, status});
    if (session && resubmit) session->submit(next_slot++, request, out);
  }
  void on_request_error(uint32_t, ErrorKind) override {}

  Http1Session* session = nullptr;
  bool resubmit = true;
  RequestTemplate request{"GET / HTTP/1.1\r\nHost: t\r\n\r\n", {}, 0, "", false};
  uint32_t next_slot = 1;
  std::string out;
  std::vector<std::pair<uint32_t, int>> responses;
};

bool feed(Http1Session& session, std::string_view bytes) {
  return session.on_read(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

TEST(Http1Session, AnAnswerGivenTwiceIsAConnectionErrorNotTheNextRequestsResponse) {
  ClosedLoop events;
  Http1Session session(events, 1);
  events.session = &session;
  ASSERT_TRUE(session.submit(0, events.request, events.out));
  session.flush(events.out);
  std::string twice = std::string(kOk) + std::string(kOk);
  EXPECT_FALSE(feed(session, twice));
  EXPECT_NE(session.error_message().find("response to no request"), std::string::npos);
  ASSERT_EQ(events.responses.size(), 1u);
  EXPECT_EQ(events.responses[0].first, 0u);
}

TEST(Http1Session, PipelinedAnswersInOneReadEachGoToTheirRequest) {
  ClosedLoop events;
  events.resubmit = false;
  Http1Session session(events, 3);
  for (uint32_t slot = 0; slot < 3; ++slot) {
    ASSERT_TRUE(session.submit(slot, events.request, events.out));
  }
  session.flush(events.out);
  EXPECT_TRUE(feed(session, std::string(kOk) + std::string(kOk) + std::string(kOk)));
  EXPECT_EQ(events.responses.size(), 3u);
}

TEST(Http1Session, TheNextRequestsResponseAfterItWasWrittenIsItsOwn) {
  ClosedLoop events;
  Http1Session session(events, 1);
  events.session = &session;
  ASSERT_TRUE(session.submit(0, events.request, events.out));
  session.flush(events.out);
  EXPECT_TRUE(feed(session, kOk));
  session.flush(events.out);  // the connection writes the request submitted from on_response
  EXPECT_TRUE(feed(session, kOk));
  ASSERT_EQ(events.responses.size(), 2u);
  EXPECT_EQ(events.responses[1].first, 1u);
}

// Two reads in one turn (two TLS records, say) before the connection writes again: the second
// answer cannot be for the request that is still in the output buffer.
TEST(Http1Session, ASecondAnswerInALaterReadBeforeTheNextWriteIsAConnectionError) {
  ClosedLoop events;
  Http1Session session(events, 1);
  events.session = &session;
  ASSERT_TRUE(session.submit(0, events.request, events.out));
  session.flush(events.out);
  EXPECT_TRUE(feed(session, kOk));
  EXPECT_FALSE(feed(session, kOk));
  EXPECT_EQ(events.responses.size(), 1u);
}

TEST(Http1Session, DataWithNothingOutstandingIsAConnectionError) {
  ClosedLoop events;
  Http1Session session(events, 1);
  EXPECT_FALSE(feed(session, kOk));
  EXPECT_TRUE(events.responses.empty());
}

}  // namespace
}  // namespace firedrill::loadgen

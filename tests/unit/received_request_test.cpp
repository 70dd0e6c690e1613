#include "target/received_request.hpp"

#include <gtest/gtest.h>

namespace firedrill::target {
namespace {

TEST(ReceivedRequest, KeepsTheBodyUpToTheLimit) {
  ReceivedRequest request;
  request.keep_body("abc", 5);
  EXPECT_FALSE(request.body_too_large);
  request.keep_body("defg", 5);
  EXPECT_EQ(request.body, "abcde");
  EXPECT_TRUE(request.body_too_large);
  request.keep_body("h", 5);
  EXPECT_EQ(request.body, "abcde");
}

TEST(ReceivedRequest, ViewShowsWhatWasReceived) {
  ReceivedRequest request;
  request.method = "POST";
  request.target = "/predict?x=1";
  request.body = "{}";
  request.received = std::chrono::steady_clock::now();
  ConnectionContext connection;
  Request view = request.view(&connection);
  EXPECT_EQ(view.method, "POST");
  EXPECT_EQ(view.path(), "/predict");
  EXPECT_EQ(view.body, "{}");
  EXPECT_FALSE(view.body_too_large);
  EXPECT_EQ(view.received, request.received);
  EXPECT_EQ(view.connection, &connection);
}

}  // namespace
}  // namespace firedrill::target

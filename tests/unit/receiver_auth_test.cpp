// Who the receiver lets in: with auth configured, only a request with valid credentials, by any
// configured way; and a receiver reachable from other machines is refused without auth.
#include "local/receiver_auth.hpp"

#include <gtest/gtest.h>

#include "common/base64.hpp"
#include "common/errors.hpp"
#include "local/notification_receiver.hpp"

namespace firedrill::local {
namespace {

ReceiverAuth all_ways() {
  ReceiverAuth auth;
  auth.bearer_token = "t0ken-for-pager";
  auth.basic_username = "sns";
  auth.basic_password = "pa:ss";
  auth.path_secret = "s3cret-path";
  return auth;
}

AuthResult result(const ReceiverAuth& auth, const char* authorization, const std::string& path) {
  std::string header = authorization ? authorization : "";
  return check_receiver_auth(auth, authorization ? &header : nullptr, path).result;
}

TEST(ReceiverAuth, WithoutAuthEveryRequestIsLetIn) {
  EXPECT_EQ(result(ReceiverAuth{}, nullptr, "/alertmanager"), AuthResult::Accepted);
}

TEST(ReceiverAuth, ABearerTokenBasicAuthOrThePathSecretLetsIn) {
  const ReceiverAuth auth = all_ways();
  EXPECT_EQ(result(auth, "Bearer t0ken-for-pager", "/"), AuthResult::Accepted);
  EXPECT_EQ(result(auth, "bearer t0ken-for-pager", "/"), AuthResult::Accepted);
  const std::string basic = "Basic " + common::base64_encode("sns:pa:ss");
  EXPECT_EQ(result(auth, basic.c_str(), "/sns"), AuthResult::Accepted);
  AuthCheck by_path = check_receiver_auth(auth, nullptr, "/hooks/s3cret-path/alertmanager");
  EXPECT_EQ(by_path.result, AuthResult::Accepted);
  EXPECT_EQ(by_path.route, "/alertmanager");
  EXPECT_EQ(check_receiver_auth(auth, nullptr, "/hooks/s3cret-path").route, "/");
}

TEST(ReceiverAuth, MissingOrWrongCredentialsAreRefusedAndSaidApart) {
  const ReceiverAuth auth = all_ways();
  EXPECT_EQ(result(auth, nullptr, "/alertmanager"), AuthResult::Missing);
  EXPECT_EQ(result(auth, "Bearer t0ken-for-pagex", "/"), AuthResult::Wrong);
  EXPECT_EQ(result(auth, "Bearer t0ken-for-pager-and-more", "/"), AuthResult::Wrong);
  EXPECT_EQ(result(auth, "Basic !!notbase64", "/"), AuthResult::Wrong);
  const std::string wrong_user = "Basic " + common::base64_encode("am:pa:ss");
  EXPECT_EQ(result(auth, wrong_user.c_str(), "/"), AuthResult::Wrong);
  EXPECT_EQ(result(auth, nullptr, "/hooks/s3cret-pat/alertmanager"), AuthResult::Wrong);
  // The token is a bearer token, not a password, and not a path.
  const std::string token_as_basic = "Basic " + common::base64_encode("sns:t0ken-for-pager");
  EXPECT_EQ(result(auth, token_as_basic.c_str(), "/"), AuthResult::Wrong);
  EXPECT_EQ(result(auth, nullptr, "/hooks/t0ken-for-pager"), AuthResult::Wrong);
  EXPECT_EQ(check_receiver_auth(auth, nullptr, "/").reason, "no credentials");
}

TEST(ReceiverAuth, OnlyTheConfiguredWaysCount) {
  ReceiverAuth token_only;
  token_only.bearer_token = "t0ken-for-pager";
  const std::string basic = "Basic " + common::base64_encode(":");
  EXPECT_EQ(result(token_only, basic.c_str(), "/"), AuthResult::Wrong);
  EXPECT_EQ(result(token_only, nullptr, "/hooks/t0ken-for-pager"), AuthResult::Missing);
}

TEST(ReceiverAuth, ThePathSecretIsNeverShown) {
  EXPECT_EQ(shown_receiver_path("/hooks/s3cret-path/alertmanager"), "/hooks/***/alertmanager");
  EXPECT_EQ(shown_receiver_path("/hooks/s3cret-path"), "/hooks/***");
  EXPECT_EQ(shown_receiver_path("/grafana"), "/grafana");
}

TEST(ReceiverAuth, SettingsAreCheckedByName) {
  nlohmann::json settings = {{"bearerToken", "x"},
                             {"basic", {{"username", "u"}, {"password", "p"}}},
                             {"pathSecret", "seg"}};
  ReceiverAuth auth = receiver_auth_from(settings);
  EXPECT_EQ(auth.basic_username, "u");
  EXPECT_THROW(receiver_auth_from({{"token", "x"}}), common::ValueError);
  EXPECT_THROW(receiver_auth_from({{"pathSecret", "a/b"}}), common::ValueError);
  EXPECT_THROW(receiver_auth_from({{"basic", {{"username", "u"}}}}), common::ValueError);
  EXPECT_THROW(receiver_auth_from(nlohmann::json::object()), common::ValueError);
}

TEST(ReceiverExposure, BeyondLoopbackNeedsAuthOrInsecure) {
  EXPECT_NO_THROW(receiver_options({{"listen", "127.0.0.1:9095"}}));
  EXPECT_NO_THROW(receiver_options({{"listen", "[::1]:9095"}}));
  EXPECT_NO_THROW(receiver_options({{"listen", "localhost:9095"}}));
  for (const char* listen : {"0.0.0.0:9095", ":9095", "10.0.3.7:9095", "[::]:9095"}) {
    try {
      receiver_options({{"listen", listen}});
      ADD_FAILURE() << listen << " was accepted without auth";
    } catch (const common::ValueError& e) {
      EXPECT_NE(std::string(e.what()).find("insecure: true"), std::string::npos) << e.what();
    }
    EXPECT_NO_THROW(receiver_options({{"listen", listen}, {"insecure", true}}));
    EXPECT_NO_THROW(receiver_options({{"listen", listen}, {"auth", {{"bearerToken", "t"}}}}));
  }
}

}  // namespace
}  // namespace firedrill::local

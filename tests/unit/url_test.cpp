#include <gtest/gtest.h>

#include "common/errors.hpp"
#include "loadgen/url.hpp"

namespace firedrill::loadgen {
namespace {

TEST(ParseUrl, DefaultsAndAuthority) {
  ParsedUrl u = parse_url("https://svc.example/predict?x=1#frag");
  EXPECT_TRUE(u.origin.tls);
  EXPECT_EQ(u.origin.host, "svc.example");
  EXPECT_EQ(u.origin.port, 443);
  EXPECT_EQ(u.origin.authority, "svc.example");
  EXPECT_EQ(u.path, "/predict?x=1");
}

TEST(ParseUrl, ExplicitPortAndIpv6) {
  ParsedUrl u = parse_url("http://[::1]:8080");
  EXPECT_FALSE(u.origin.tls);
  EXPECT_EQ(u.origin.host, "::1");
  EXPECT_EQ(u.origin.port, 8080);
  EXPECT_EQ(u.origin.authority, "[::1]:8080");
  EXPECT_EQ(u.path, "/");
  EXPECT_EQ(parse_url("http://h?q").path, "/?q");
}

TEST(ParseUrl, Rejects) {
  for (const char* bad : {"ftp://h/", "http://", "http://h:0/", "http://h:70000/", "http://h:x/",
                          "http://[::1/", "http://u:p@h/", "h/"}) {
    EXPECT_THROW(parse_url(bad), common::ValueError) << bad;
  }
}

}  // namespace
}  // namespace firedrill::loadgen

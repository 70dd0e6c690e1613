#include "loadgen/request_mix.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/errors.hpp"

namespace firedrill::loadgen {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::vector<double> proportions(const std::vector<uint32_t>& weights, uint64_t seed, int picks) {
  RequestMix mix(weights, seed);
  std::vector<double> counts(weights.size());
  for (int i = 0; i < picks; ++i) {
    const size_t index = mix.next();
    if (index >= counts.size()) {
      ADD_FAILURE() << "picked index " << index << " of " << counts.size();
      return counts;
    }
    ++counts[index];
  }
  for (double& c : counts) c /= picks;
  return counts;
}

TEST(RequestMix, NineToOne) {
  const std::vector<double> p = proportions({9, 1}, 42, 1'000'000);
  EXPECT_NEAR(p[0], 0.9, 0.005);
  EXPECT_NEAR(p[1], 0.1, 0.005);
}

TEST(RequestMix, OneTwoSeven) {
  const std::vector<double> p = proportions({1, 2, 7}, 7, 1'000'000);
  EXPECT_NEAR(p[0], 0.1, 0.005);
  EXPECT_NEAR(p[1], 0.2, 0.005);
  EXPECT_NEAR(p[2], 0.7, 0.005);
}

TEST(RequestMix, ZeroWeightsAreNeverPicked) {
  const std::vector<double> p = proportions({0, 5, 0, 5, 0}, 3, 100'000);
  EXPECT_EQ(p[0], 0);
  EXPECT_EQ(p[2], 0);
  EXPECT_EQ(p[4], 0);
  EXPECT_NEAR(p[1], 0.5, 0.01);
}

TEST(RequestMix, SingleRequest) {
  RequestMix mix({1}, 0);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(mix.next(), 0u);
}

TEST(RequestMix, SameSeedSameSequence) {
  RequestMix a({1, 1, 1, 1}, 1234);
  RequestMix b({1, 1, 1, 1}, 1234);
  for (int i = 0; i < 10'000; ++i) ASSERT_EQ(a.next(), b.next()) << i;
}

TEST(RequestMix, DifferentSeedDifferentSequence) {
  RequestMix a({1, 1, 1, 1}, 1);
  RequestMix b({1, 1, 1, 1}, 2);
  int differences = 0;
  for (int i = 0; i < 1000; ++i) differences += a.next() != b.next();
  // Independent uniform picks among four differ three times in four.
  EXPECT_GT(differences, 600);
}

TEST(RequestMix, ZeroTotalWeightIsAnError) {
  EXPECT_THROW(RequestMix({}, 1), common::ValueError);
  EXPECT_THROW(RequestMix({0, 0}, 1), common::ValueError);
}

class RequestsFile : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "firedrill-requests-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    const fs::path path = dir_ / name;
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  // The message of the error parsing `content` raises; fails the test if it parses.
  std::string error_for(const std::string& content) {
    const std::string path = write("requests.txt", content);
    try {
      parse_requests_file(path);
    } catch (const common::ValueError& e) {
      return e.what();
    }
    ADD_FAILURE() << "parsed without an error:\n" << content;
    return "";
  }

  std::string path_of(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

TEST_F(RequestsFile, HappyPath) {
  write("bodies/predict.json", "{\"x\": 1}\n");
  write("raw.bin", std::string("a\0b", 3));
  const std::string path = write("requests.txt",
                                 "# the checkout mix\n"
                                 "\n"
                                 "9 GET https://shop.example/predict\n"
                                 "  # indented comment\n"
                                 "1\tPOST   https://shop.example/predict bodies/predict.json\r\n"
                                 "DELETE http://shop.example/cart/1\n"
                                 "PUT https://shop.example/raw " +
                                     path_of("raw.bin") + "\n" + "   \n");
  const std::vector<RequestSpec> specs = parse_requests_file(path);
  ASSERT_EQ(specs.size(), 4u);

  EXPECT_EQ(specs[0].weight, 9u);
  EXPECT_EQ(specs[0].method, "GET");
  EXPECT_EQ(specs[0].url, "https://shop.example/predict");
  EXPECT_EQ(specs[0].body, "");

  EXPECT_EQ(specs[1].weight, 1u);
  EXPECT_EQ(specs[1].method, "POST");
  EXPECT_EQ(specs[1].url, "https://shop.example/predict");
  EXPECT_EQ(specs[1].body, "{\"x\": 1}\n");

  EXPECT_EQ(specs[2].weight, 1u);
  EXPECT_EQ(specs[2].method, "DELETE");
  EXPECT_EQ(specs[2].url, "http://shop.example/cart/1");

  EXPECT_EQ(specs[3].method, "PUT");
  EXPECT_EQ(specs[3].body, std::string("a\0b", 3));
}

TEST_F(RequestsFile, ZeroWeight) {
  const std::string message = error_for("GET http://a/\n0 GET http://a/\n");
  EXPECT_THAT(message, HasSubstr(path_of("requests.txt") + ":2: weight \"0\" must be a positive "
                                                           "integer"));
}

TEST_F(RequestsFile, NonIntegerWeights) {
  EXPECT_THAT(error_for("2.5 GET http://a/\n"), HasSubstr(":1: weight \"2.5\" must be a positive"));
  EXPECT_THAT(error_for("# c\n-1 GET http://a/\n"), HasSubstr(":2: weight \"-1\""));
  EXPECT_THAT(error_for("+3 GET http://a/\n"), HasSubstr(":1: weight \"+3\""));
  EXPECT_THAT(error_for("99999999999 GET http://a/\n"), HasSubstr(":1: weight \"99999999999\""));
}

TEST_F(RequestsFile, LowercaseMethod) {
  EXPECT_THAT(error_for("GET http://a/\n\nget http://a/\n"),
              HasSubstr(":3: method \"get\" must be an uppercase token like GET or POST"));
}

TEST_F(RequestsFile, MissingFields) {
  EXPECT_THAT(error_for("5\n"), HasSubstr(":1: METHOD and URL are missing"));
  EXPECT_THAT(error_for("GET http://a/\nPOST\n"), HasSubstr(":2: URL is missing"));
}

TEST_F(RequestsFile, BadUrl) {
  EXPECT_THAT(error_for("GET /predict\n"),
              HasSubstr(":1: URL \"/predict\" must start with http:// or https://"));
  EXPECT_THAT(error_for("GET ftp://a/\n"), HasSubstr(":1: URL \"ftp://a/\""));
  EXPECT_THAT(error_for("GET https://\n"), HasSubstr(":1: URL \"https://\""));
}

TEST_F(RequestsFile, MissingBodyFile) {
  EXPECT_THAT(
      error_for("GET http://a/\nPOST http://a/ missing.json\n"),
      HasSubstr(":2: body file \"missing.json\" (" + path_of("missing.json") + ") does not exist"));
}

TEST_F(RequestsFile, TooManyFields) {
  write("body.json", "{}");
  EXPECT_THAT(error_for("POST http://a/ body.json extra\n"),
              HasSubstr(":1: unexpected \"extra\" after the body file"));
}

TEST_F(RequestsFile, NoRequests) {
  EXPECT_THAT(error_for("# only a comment\n\n"),
              HasSubstr(path_of("requests.txt") + ": has no requests"));
}

TEST_F(RequestsFile, MissingFile) {
  EXPECT_THROW(
      {
        try {
          parse_requests_file(path_of("nope.txt"));
        } catch (const common::ValueError& e) {
          EXPECT_THAT(e.what(), HasSubstr(path_of("nope.txt") + ": cannot open requests file"));
          throw;
        }
      },
      common::ValueError);
}

}  // namespace
}  // namespace firedrill::loadgen

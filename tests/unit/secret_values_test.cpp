// What every output shows of an interpolated value: its reference, never the value.
#include "common/secret_values.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "common/safe_output.hpp"

namespace firedrill::common {
namespace {

TEST(SecretValues, AValueIsShownAsItsReferenceWhereverItAppears) {
  SecretValues secrets;
  secrets.add("s3cr3t-token-value", "${env:TOKEN}");
  EXPECT_EQ(secrets.redact("curl -H 'Authorization: Bearer s3cr3t-token-value' http://x/?k=s3cr3t-"
                           "token-valueX"),
            "curl -H 'Authorization: Bearer ${env:TOKEN}' http://x/?k=${env:TOKEN}X");
  EXPECT_EQ(secrets.redact("nothing here"), "nothing here");
}

TEST(SecretValues, ShortValuesOnlyWhereTheyStandApartAndTinyOnesNever) {
  SecretValues secrets;
  secrets.add("8080", "${env:PORT}");
  secrets.add("abc", "${env:TINY}");
  EXPECT_EQ(secrets.redact("127.0.0.1:8080/ 18080 8080x abc"),
            "127.0.0.1:${env:PORT}/ 18080 8080x abc");
}

TEST(SecretValues, TheLongerOfTwoOverlappingValuesWins) {
  SecretValues secrets;
  secrets.add("hunter22", "${env:SHORT}");
  secrets.add("hunter22-and-more", "${env:LONG}");
  EXPECT_EQ(secrets.redact("hunter22-and-more hunter22"), "${env:LONG} ${env:SHORT}");
}

TEST(SecretValues, AFilesLinesAreSecretToo) {
  SecretValues secrets;
  secrets.add("-----BEGIN KEY-----\nMIIEvQIBADANBgkq\r\nshort\n-----END KEY-----",
              "${file:key.pem}");
  EXPECT_EQ(secrets.redact("line MIIEvQIBADANBgkq seen"), "line ${file:key.pem} seen");
  EXPECT_EQ(secrets.redact("short"), "short");
}

TEST(SecretValues, EveryStringOfADocumentKeysIncluded) {
  SecretValues secrets;
  secrets.add("tok-1234567890", "${env:T}");
  nlohmann::json doc = {{"checks", {{{"description", "GET /?t=tok-1234567890"}, {"n", 3}}}},
                        {"tok-1234567890", true}};
  nlohmann::json shown = secrets.redact_json(doc);
  EXPECT_EQ(shown["checks"][0]["description"], "GET /?t=${env:T}");
  EXPECT_EQ(shown["checks"][0]["n"], 3);
  EXPECT_TRUE(shown.contains("${env:T}"));
  EXPECT_EQ(shown.dump().find("tok-1234567890"), std::string::npos);
}

TEST(SafeOutputBuf, RedactsAndEscapesWhatReachesTheTarget) {
  SecretValues secrets;
  secrets.add("tok-1234567890", "${env:T}");
  std::ostringstream target;
  {
    SafeOutputBuf buf(target.rdbuf(), secrets);
    std::ostream out(&buf);
    out << "token tok-1234567890 and \x1b]0;title\x07" << std::flush;
    EXPECT_EQ(target.str(), "token ${env:T} and \\u001b]0;title\\u0007");
    out << "held until flushed: tok-1234567890";
    EXPECT_EQ(target.str().find("held"), std::string::npos);
  }
  EXPECT_NE(target.str().find("held until flushed: ${env:T}"), std::string::npos);
}

}  // namespace
}  // namespace firedrill::common

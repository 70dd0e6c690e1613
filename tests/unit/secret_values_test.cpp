// What every output shows of an interpolated value: its reference, never the value.
#include "common/secret_values.hpp"

#include <gtest/gtest.h>

#include <sstream>

#include "common/safe_output.hpp"
#include "reporters/shown_result.hpp"

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

TEST(SecretValues, RedactingTwiceChangesNothingMore) {
  SecretValues secrets;
  secrets.add("shop", "${env:NAMESPACE:-shop}");
  secrets.add("s3cr3t-token-value", "${env:TOKEN}");
  const std::string once = secrets.redact("namespace shop, token s3cr3t-token-value");
  EXPECT_EQ(once, "namespace ${env:NAMESPACE:-shop}, token ${env:TOKEN}");
  EXPECT_EQ(secrets.redact(once), once);
  // An empty reference (a hand-edited revert journal) keeps nothing whole, and ends.
  SecretValues odd;
  odd.add("s3cr3t-token-value", "");
  EXPECT_EQ(odd.redact("${x} s3cr3t-token-value"), "${x} ");
  // Only its own references are kept whole: "${" does not hide a value from redaction.
  EXPECT_EQ(secrets.redact("${env:OTHER:-shop}"), "${env:OTHER:-${env:NAMESPACE:-shop}}");
}

TEST(SecretValues, AFilesLinesAreSecretToo) {
  SecretValues secrets;
  secrets.add("-----BEGIN KEY-----\nMIIEvQIBADANBgkq\r\nshort\n-----END KEY-----",
              "${file:key.pem}");
  EXPECT_EQ(secrets.redact("line MIIEvQIBADANBgkq seen"), "line ${file:key.pem} seen");
  EXPECT_EQ(secrets.redact("short"), "short");
}

// A secret may equal what firedrill writes itself (a namespace called firedrill, a step called
// failed): only the texts that came from outside are redacted, and the document stays valid.
TEST(ShownResult, RedactsWhatCameFromOutsideAndKeepsTheDocumentValid) {
  SecretValues secrets;
  secrets.add("firedrill", "${env:NAMESPACE}");
  secrets.add("tok-1234567890", "${env:T}");
  reporters::RunResult r;
  r.drill_name = "drill in firedrill";
  r.verdict = reporters::RunVerdict::Failed;
  reporters::CheckResult c;
  c.kind = "exec";
  c.verdict = reporters::CheckVerdict::Failed;
  c.window = reporters::WindowKind::Eventually;
  c.description = "curl -H 'Authorization: Bearer tok-1234567890'";
  c.evidence = {{"firedrill", {{"out", "tok-1234567890 firedrill"}}}, {"n", 3}};
  r.checks.push_back(c);
  reporters::LoadRun load;
  load.profile = "base";
  loadgen::RequestSpec request;
  request.url = "http://127.0.0.1/?t=tok-1234567890";
  request.headers = {{"Authorization", "Bearer tok-1234567890"}};
  load.result.config.requests.push_back(request);
  r.loads.push_back(load);

  reporters::RunResult shown = reporters::shown_result(r, secrets);
  const std::string text = reporters::to_json(shown).dump();
  EXPECT_EQ(text.find("tok-1234567890"), std::string::npos) << text;
  EXPECT_EQ(shown.drill_name, "drill in ${env:NAMESPACE}");
  EXPECT_EQ(shown.checks[0].evidence["firedrill"]["out"], "${env:T} ${env:NAMESPACE}");
  EXPECT_EQ(shown.loads[0].result.config.requests[0].headers[0].second, "Bearer ${env:T}");
  // Read back as it was written: the schema and the verdicts are firedrill's own.
  reporters::RunResult again = reporters::run_result_from_json(reporters::to_json(shown));
  EXPECT_EQ(again.verdict, reporters::RunVerdict::Failed);
  EXPECT_EQ(again.checks[0].description, "curl -H 'Authorization: Bearer ${env:T}'");
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

// Only firedrill's own sequences move the cursor: the same bytes in text are shown as escapes.
TEST(SafeOutputBuf, OnlyItsOwnControlSequencesPassThrough) {
  std::ostringstream target;
  SecretValues secrets;
  SafeOutputBuf buf(target.rdbuf(), secrets);
  std::ostream out(&buf);
  out << "check FAILED\r\x1b[K";
  write_verbatim(out, "\r\x1b[K");
  out << "next" << std::flush;
  EXPECT_EQ(target.str(), "check FAILED\\u000d\\u001b[K\r\x1b[Knext");
}

}  // namespace
}  // namespace firedrill::common

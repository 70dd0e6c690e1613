// `firedrill validate` and `firedrill schema` as a user runs them: every example drill is valid,
// and every broken drill in tests/fixtures/drills fails with exactly the errors its
// `# expect: LINE:COL: message` lines announce (a message may be given by its beginning).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "tests/integration/support.hpp"

namespace firedrill::testing {
namespace {

const fs::path kSource = FIREDRILL_SOURCE_DIR;

std::vector<fs::path> yaml_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".yaml") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::vector<std::string> expectations(const fs::path& file) {
  std::vector<std::string> out;
  std::ifstream in(file);
  const std::string marker = "# expect: ";
  for (std::string line; std::getline(in, line) && line.starts_with(marker);) {
    out.push_back(line.substr(marker.size()));
  }
  return out;
}

TEST(ValidateCommand, EveryExampleIsValid) {
  const auto examples = yaml_files(kSource / "scenarios" / "examples");
  ASSERT_FALSE(examples.empty());
  for (const auto& file : examples) {
    CommandResult r = run_firedrill({"validate", file.string()}, false);
    EXPECT_EQ(r.exit_code, 0) << file << "\n" << r.err;
    EXPECT_EQ(r.err, "") << file;
    EXPECT_TRUE(r.out.starts_with(file.string() + ": ok (")) << r.out;
  }
}

TEST(ValidateCommand, HttpSmokeCounts) {
  const fs::path file = kSource / "scenarios" / "examples" / "http-smoke.yaml";
  CommandResult r = run_firedrill({"validate", file.string()}, false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, file.string() + ": ok (6 steps, 4 checks, 1 fault)\n");
}

class BrokenDrill : public ::testing::TestWithParam<fs::path> {};

TEST_P(BrokenDrill, ExitTwoWithEachErrorAtItsLineAndColumn) {
  const fs::path& file = GetParam();
  const std::vector<std::string> expected = expectations(file);
  ASSERT_FALSE(expected.empty()) << file << " announces no error";
  CommandResult r = run_firedrill({"validate", file.string()}, false);
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_EQ(r.out, "");
  const std::vector<std::string> reported = lines_of(r.err);
  ASSERT_EQ(reported.size(), expected.size()) << r.err;
  for (size_t i = 0; i < expected.size(); ++i) {
    const std::string want = file.string() + ":" + expected[i];
    EXPECT_TRUE(reported[i].starts_with(want))
        << "expected: " << want << "\nreported: " << reported[i];
  }
}

INSTANTIATE_TEST_SUITE_P(EachFixture, BrokenDrill,
                         ::testing::ValuesIn(yaml_files(kSource / "tests" / "fixtures" / "drills")),
                         [](const ::testing::TestParamInfo<fs::path>& info) {
                           std::string name = info.param.stem().string();
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ValidateCommand, GoodAndBadFilesTogether) {
  const fs::path good = kSource / "scenarios" / "examples" / "http-smoke.yaml";
  const fs::path bad = kSource / "tests" / "fixtures" / "drills" / "wrong-header.yaml";
  CommandResult r = run_firedrill({"validate", good.string(), bad.string()}, false);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.starts_with(good.string() + ": ok (")) << r.out;
  EXPECT_TRUE(r.err.starts_with(bad.string() + ":4:13: ")) << r.err;
}

TEST(ValidateCommand, MissingFileAndNoFile) {
  CommandResult missing = run_firedrill({"validate", "/nonexistent/drill.yaml"}, false);
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(missing.err,
            "/nonexistent/drill.yaml: cannot read the drill file: No such file or directory\n");
  EXPECT_EQ(run_firedrill({"validate"}, false).exit_code, 2);
}

TEST(SchemaCommand, PrintsOrWritesTheSchema) {
  CommandResult printed = run_firedrill({"schema"}, false);
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  const nlohmann::json schema = nlohmann::json::parse(printed.out);
  EXPECT_EQ(schema.at("$schema"), "https://json-schema.org/draft/2020-12/schema");
  EXPECT_TRUE(schema.at("$defs").contains("check"));

  TempDir dir;
  const fs::path out = dir.path() / "firedrill.schema.json";
  CommandResult written = run_firedrill({"schema", "-o", out.string()}, false);
  ASSERT_EQ(written.exit_code, 0) << written.err;
  EXPECT_EQ(written.out, "");
  std::ifstream in(out);
  EXPECT_EQ(nlohmann::json::parse(in), schema);
}

}  // namespace
}  // namespace firedrill::testing

// `firedrill validate` and `firedrill schema` as a user runs them: every example drill is valid,
// and every broken drill in tests/fixtures/drills fails with exactly the errors its
// `# expect: LINE:COL: message` lines announce (a message may be given by its beginning).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "common/subprocess.hpp"
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

// Validates YAML files against a JSON Schema with Python's jsonschema; prints one line per
// invalid file.
const char* kSchemaValidator = R"(
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
validator = jsonschema.Draft202012Validator(schema)
for path in sys.argv[2:]:
    for error in validator.iter_errors(yaml.safe_load(open(path))):
        print(path, "/".join(map(str, error.absolute_path)), error.message)
)";

common::SubprocessResult run(std::vector<std::string> argv) {
  common::SubprocessRequest request;
  request.argv = std::move(argv);
  return common::run_subprocess(request);
}

TEST(SchemaCommand, ExamplesAndAServicesBlockValidateAgainstTheSchema) {
  ASSERT_TRUE(run({"python3", "-c", "import jsonschema, yaml"}).succeeded())
      << "needs python3-jsonschema and python3-yaml (tools/install-deps installs them)";
  TempDir dir;
  const fs::path schema = dir.path() / "schema.json";
  ASSERT_EQ(run_firedrill({"schema", "-o", schema.string()}, false).exit_code, 0);
  const std::string head =
      "apiVersion: firedrill/v1\nkind: Drill\nmetadata: {name: local}\nsteps: [{wait: 1s}]\n"
      "services:\n  target:\n";
  const fs::path good = dir.path() / "services.yaml";
  std::ofstream(good) << head
                      << "    command: [firedrill, target, --listen, \"127.0.0.1:$(PORT)\"]\n"
                         "    replicas: 2\n    port: 18080\n    env: {LOG_LEVEL: info}\n"
                         "    readiness: {path: /healthz, period: 500ms, timeout: 30s}\n"
                         "    restart: {policy: always, backoff: 1s, maxBackoff: 30s}\n"
                         "    memoryLimit: 256Mi\n"
                         "  worker: {command: ./worker.sh, restart: {policy: on-failure}}\n";
  const fs::path bad = dir.path() / "bad-services.yaml";
  std::ofstream(bad) << head << "    command: []\n    restart: {policy: sometimes}\n";

  std::vector<std::string> argv = {"python3", "-c", kSchemaValidator, schema.string(),
                                   good.string()};
  for (const auto& file : yaml_files(kSource / "scenarios" / "examples")) {
    argv.push_back(file.string());
  }
  common::SubprocessResult valid = run(argv);
  EXPECT_TRUE(valid.succeeded()) << valid.err;
  EXPECT_EQ(valid.out, "");

  common::SubprocessResult invalid =
      run({"python3", "-c", kSchemaValidator, schema.string(), bad.string()});
  EXPECT_TRUE(invalid.succeeded()) << invalid.err;
  EXPECT_EQ(lines_of(invalid.out).size(), 2u) << invalid.out;
}

}  // namespace
}  // namespace firedrill::testing

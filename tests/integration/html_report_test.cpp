// The HTML report in a real browser: `firedrill report --format html` of a realistic drill,
// opened in headless Chromium (Debian package chromium) with name resolution disabled. The page
// must log nothing to the console, fetch nothing, lay its charts out with long data paths, and
// its screenshot must not be a blank page.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "reporters/reporter.hpp"
#include "tests/fixtures/sample_run_result.hpp"
#include "tests/integration/support.hpp"
#include "tests/integration/tool_runner.hpp"

namespace firedrill::testing {
namespace {

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A fresh profile per run, no network: any fetch of a remote resource fails instead of loading.
std::string chromium(const fs::path& profile, const std::string& flags, const fs::path& page) {
  return "timeout 90 chromium --headless --no-sandbox --disable-gpu --disable-quic "
         "--no-first-run --disable-background-networking --disable-component-update "
         "--disable-sync --hide-scrollbars --host-resolver-rules='MAP * ~NOTFOUND' "
         "--user-data-dir=" +
         shell_quote(profile.string()) + " " + flags + " " + shell_quote("file://" + page.string());
}

// Console messages, which Chromium logs as "...:INFO:CONSOLE(line)] "message", source: ...".
std::vector<std::string> console_lines(const std::string& log) {
  std::vector<std::string> lines;
  std::istringstream in(log);
  for (std::string line; std::getline(in, line);) {
    if (line.find(":CONSOLE") != std::string::npos) lines.push_back(line);
  }
  return lines;
}

struct Screenshot {
  std::vector<std::string> console;
  std::string png;
  std::string log;
};

Screenshot screenshot(const TempDir& dir, const fs::path& page, const std::string& name) {
  fs::path png = dir.path() / (name + ".png");
  ToolResult run = run_tool(chromium(dir.path() / ("profile-" + name),
                                     "--enable-logging=stderr --v=0 --window-size=1280,2000 "
                                     "--screenshot=" +
                                         shell_quote(png.string()),
                                     page));
  return {console_lines(run.output), slurp(png), run.output};
}

uint32_t be32(const std::string& bytes, size_t at) {
  uint32_t v = 0;
  for (size_t i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(bytes.at(at + i));
  return v;
}

// Measured by the browser in a copy of the report with this script appended; the report itself
// has no script.
constexpr const char* kProbe = R"js(<script>
window.addEventListener('load', () => {
  const charts = [...document.querySelectorAll('svg.chart')].map(svg => {
    const box = svg.getBoundingClientRect();
    const paths = [...svg.querySelectorAll('path.series')];
    return {
      width: box.width, height: box.height, paths: paths.length,
      widest: Math.max(0, ...paths.map(p => p.getBBox().width)),
      longest: Math.max(0, ...paths.map(p => p.getTotalLength())),
      bars: svg.querySelectorAll('.bars rect').length,
      markers: svg.querySelectorAll('.marker line').length,
    };
  });
  const out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = JSON.stringify({
    charts,
    resources: performance.getEntriesByType('resource').map(e => e.name),
    details: document.querySelectorAll('details pre').length,
    rows: document.querySelectorAll('#checks tbody tr').length,
  }).replace(/[<>&]/g, '');
  document.body.appendChild(out);
});
</script>)js";

nlohmann::json probe(const TempDir& dir, const std::string& html) {
  fs::path copy = dir.path() / "probe.html";
  std::string page = html;
  page.insert(page.rfind("</body>"), kProbe);
  std::ofstream(copy) << page;
  ToolResult run =
      run_tool(chromium(dir.path() / "profile-probe", "--window-size=1280,2000 --dump-dom", copy));
  const std::string open = "<pre id=\"probe\">";
  size_t start = run.output.find(open);
  size_t end = run.output.find("</pre>", start);
  if (start == std::string::npos || end == std::string::npos) return nullptr;
  return nlohmann::json::parse(run.output.substr(start + open.size(), end - start - open.size()),
                               nullptr, false);
}

class HtmlReportInBrowser : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(have_tool("chromium"))
        << "chromium is not installed: run tools/install-deps (Debian package chromium)";
  }
  TempDir dir_;
};

TEST_F(HtmlReportInBrowser, RendersChartsWithoutErrorsOrFetches) {
  reporters::RunResult result = sample_run_result();
  fs::path input = dir_.path() / "result.json";
  std::ofstream(input) << reporters::to_json(result).dump();
  fs::path html = dir_.path() / "report.html";
  CommandResult r =
      run_firedrill({"report", input.string(), "--format", "html", "-o", html.string()}, false);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  Screenshot shot = screenshot(dir_, html, "report");
  EXPECT_TRUE(shot.console.empty()) << ::testing::PrintToString(shot.console);
  ASSERT_GT(shot.png.size(), 24u) << shot.log;
  EXPECT_EQ(shot.png.substr(0, 8), "\x89PNG\r\n\x1a\n");
  EXPECT_EQ(shot.png.substr(12, 4), "IHDR");
  EXPECT_EQ(be32(shot.png, 16), 1280u);
  EXPECT_EQ(be32(shot.png, 20), 2000u);
  // A uniform page compresses to almost nothing; charts, tables and text do not.
  fs::path blank = dir_.path() / "blank.html";
  std::ofstream(blank) << "<!DOCTYPE html><html><body></body></html>";
  Screenshot empty = screenshot(dir_, blank, "blank");
  ASSERT_FALSE(empty.png.empty()) << empty.log;
  EXPECT_GT(shot.png.size(), 8 * empty.png.size())
      << shot.png.size() << " bytes against " << empty.png.size() << " for a blank page";

  nlohmann::json measured = probe(dir_, slurp(html));
  ASSERT_TRUE(measured.is_object()) << "the probe did not run";
  EXPECT_EQ(measured.at("resources"), nlohmann::json::array());
  EXPECT_EQ(measured.at("details"), result.checks.size());
  EXPECT_EQ(measured.at("rows"), result.checks.size());
  const nlohmann::json& charts = measured.at("charts");
  ASSERT_EQ(charts.size(), 4u) << measured.dump(2);
  for (const auto& chart : charts) {
    EXPECT_GT(chart.at("width").get<double>(), 1000) << chart;
    EXPECT_GT(chart.at("height").get<double>(), 150) << chart;
  }
  for (size_t i : {0, 1}) {
    const nlohmann::json& line = charts[i];
    // The baseline runs from 0.5 s to 280.5 s of a 300 s drill across a 1008-unit plot.
    EXPECT_GT(line.at("widest").get<double>(), 900) << line;
    EXPECT_GT(line.at("longest").get<double>(), 900) << line;
    EXPECT_GE(line.at("paths").get<int>(), 3) << line;
    EXPECT_EQ(line.at("markers"), 11) << line;
  }
  EXPECT_GT(charts[2].at("bars").get<int>(), 20) << charts[2];
  EXPECT_GT(charts[3].at("bars").get<int>(), 20) << charts[3];
}

TEST_F(HtmlReportInBrowser, EdgeCasesRenderCleanly) {
  reporters::RunResult bare;
  bare.drill_name = "bare";
  bare.verdict = reporters::RunVerdict::Aborted;
  bare.exit_code = common::kExitAborted;
  bare.abort_reason = "interrupted before the first step";
  reporters::RunResult silent = sample_run_result();
  silent.loads[1].result.stats = loadgen::LoadStats();
  for (auto& p : silent.loads[1].result.series) {
    loadgen::TimeSeriesPoint none;
    none.elapsed_s = p.elapsed_s;
    p = none;
  }
  silent.checks.clear();
  for (const auto& [name, result] : {std::pair{"bare", bare}, std::pair{"silent", silent}}) {
    fs::path html = dir_.path() / (std::string(name) + ".html");
    std::ofstream(html) << [&] {
      std::ostringstream out;
      reporters::write_html(result, out);
      return out.str();
    }();
    Screenshot shot = screenshot(dir_, html, name);
    EXPECT_TRUE(shot.console.empty()) << name << ": " << ::testing::PrintToString(shot.console);
    EXPECT_FALSE(shot.png.empty()) << name << ": " << shot.log;
  }
}

// The console check above sees what it must: a chart path the browser cannot draw.
TEST_F(HtmlReportInBrowser, ConsoleErrorsAreSeen) {
  fs::path page = dir_.path() / "broken.html";
  std::ofstream(page) << "<!DOCTYPE html><html><body><svg viewBox=\"0 0 10 10\">"
                         "<path d=\"M nan 1 L 2 2\"/></svg></body></html>";
  Screenshot shot = screenshot(dir_, page, "broken");
  ASSERT_EQ(shot.console.size(), 1u) << shot.log;
  EXPECT_NE(shot.console[0].find("<path> attribute d"), std::string::npos) << shot.console[0];
}

}  // namespace
}  // namespace firedrill::testing

#pragma once
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/integration/support.hpp"

namespace firedrill::testing {

// A contract server of tests/fixtures (Python, standard library) on a free loopback port it
// picks itself and writes to a port file, answering from a scenario the test writes.
class ContractServer {
 public:
  ContractServer(const std::string& script, const nlohmann::json& scenario,
                 std::vector<std::string> extra_args = {}) {
    std::ofstream(dir_.path() / "scenario.json") << scenario.dump();
    const fs::path port_file = dir_.path() / "port";
    std::vector<std::string> argv = {
        FIREDRILL_PYTHON, std::string(FIREDRILL_SOURCE_DIR) + "/tests/fixtures/" + script,
        "--scenario",  (dir_.path() / "scenario.json").string(),
        "--port-file", port_file.string()};
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    process_ = std::make_unique<Process>(argv, dir_.path() / "server.log");
    for (int i = 0; i < 200 && !fs::exists(port_file); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    std::string port = read_text(port_file);
    if (!port.empty()) port_ = static_cast<uint16_t>(std::stoi(port));
  }

  bool running() const { return port_ != 0 && wait_for_port(port_); }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  // GET /_control/<what>: the calls it answered, the contract violations it saw.
  nlohmann::json control(const std::string& what) const {
    return nlohmann::json::parse(http_get(url("/_control/" + what)), nullptr, false);
  }
  std::string log() const { return read_text(dir_.path() / "server.log"); }

 private:
  TempDir dir_;
  std::unique_ptr<Process> process_;
  uint16_t port_ = 0;
};

}  // namespace firedrill::testing

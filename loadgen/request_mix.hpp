#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "loadgen/load_config.hpp"

namespace firedrill::loadgen {

// Picks request indices in proportion to their weights from a deterministic generator: the same
// weights and seed give the same sequence on every run and machine.
class RequestMix {
 public:
  RequestMix(const std::vector<uint32_t>& weights, uint64_t seed);
  size_t next() noexcept;

 private:
  std::vector<uint64_t> cumulative_;
  uint64_t state_;
};

// Reads a requests file: one request per line, "[weight] METHOD URL [BODY_FILE]"; blank lines and
// lines starting with '#' are skipped; a relative BODY_FILE is relative to the requests file.
// Throws common::ValueError naming "path:line" and what is wrong.
std::vector<RequestSpec> parse_requests_file(const std::string& path);

}  // namespace firedrill::loadgen

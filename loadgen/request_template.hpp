#pragma once
#include <string>
#include <vector>

#include "loadgen/hpack_encoder.hpp"
#include "loadgen/load_config.hpp"
#include "loadgen/url.hpp"

namespace firedrill::loadgen {

// A request prepared once before the run so that sending it costs a copy, never formatting
// or header compression.
struct RequestTemplate {
  std::string h1_bytes;  // request line, headers, body
  HpackRequestFields h2_fields;
  uint32_t index = 0;  // position in the run's templates: the HTTP/2 encoders key on it
  std::string body;
  bool head = false;
};

// Throws common::ValueError when a request's URL does not share `origin` or is malformed.
std::vector<RequestTemplate> build_request_templates(const std::vector<RequestSpec>& requests,
                                                     const Origin& origin);

}  // namespace firedrill::loadgen

#pragma once
#include <nghttp2/nghttp2.h>

#include <string>
#include <vector>

#include "loadgen/load_config.hpp"
#include "loadgen/url.hpp"

namespace firedrill::loadgen {

// A request prepared once before the run so that sending it costs a copy (HTTP/1.1) or a
// header-list submit (HTTP/2), never formatting.
struct RequestTemplate {
  std::string h1_bytes;                 // request line, headers, body
  std::vector<std::string> h2_strings;  // owns the names and values h2_headers point to
  std::vector<nghttp2_nv> h2_headers;
  std::string body;
  bool head = false;
};

// Throws common::ValueError when a request's URL does not share `origin` or is malformed.
std::vector<RequestTemplate> build_request_templates(const std::vector<RequestSpec>& requests,
                                                     const Origin& origin);

}  // namespace firedrill::loadgen

#pragma once
#include <cstdint>
#include <string>

namespace firedrill::target {

// Writes the port and a newline to `path`, whole under a temporary name and then renamed, so a
// polling test never reads half a file. Throws std::runtime_error.
void write_port_file(const std::string& path, uint16_t port);

}  // namespace firedrill::target

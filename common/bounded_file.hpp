#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace firedrill::common {

// The content of a regular file of at most `max_bytes`, or nullopt with `why` set ("is a
// character device, not a regular file", "is larger than 1 MiB", or the system's reason). Files
// a drill names are read whole; /dev/zero, a FIFO or a huge file must be refused, not read.
std::optional<std::string> read_bounded_file(const std::string& path, std::size_t max_bytes,
                                             std::string& why);

}  // namespace firedrill::common

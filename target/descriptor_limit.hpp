#pragma once

namespace firedrill::target {

// Thousands of concurrent connections need more descriptors than the usual soft limit: raises
// it to the hard limit.
void raise_descriptor_limit();

}  // namespace firedrill::target

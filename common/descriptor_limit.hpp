#pragma once

namespace firedrill::common {

// Thousands of concurrent connections need more descriptors than the usual soft limit: raises
// it to the hard limit.
void raise_descriptor_limit();

}  // namespace firedrill::common

// The wall clock, in one place so every timestamp the gateway stores has the same meaning.
#pragma once

#include "store/model.hpp"

namespace omnigate {

// Milliseconds since the Unix epoch (UTC), from the system clock.
store::UnixMs now_ms();

}  // namespace omnigate

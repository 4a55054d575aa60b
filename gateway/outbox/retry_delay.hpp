// When a failed send is tried again: the provider's Retry-After when it gave one, otherwise
// exponential backoff min(max_backoff, initial_backoff * 2^(attempts-1)), with jitter so that
// many rows failing together (a provider outage) do not all come back in the same instant.
#pragma once

#include "config/config.hpp"

#include <chrono>

namespace omnigate {

// `attempts`: attempts made so far (>= 1). `jitter` in [0, 1): the delay is scaled by
// (0.5 + jitter / 2), i.e. "equal jitter" — never less than half the backoff.
std::chrono::milliseconds retry_delay(const config::OutboxConfig& options, int attempts,
                                      int retry_after_ms, double jitter);

}  // namespace omnigate

// How many conversations to review to estimate a proportion (say, the share of conversations
// that pass) within ±margin at a confidence level: Cochran's n0 = z²·p(1−p)/e² with p = 0.5
// (the largest n0, since nothing is known in advance), then the finite population correction
// n = n0 / (1 + (n0 − 1)/N), rounded up.
#pragma once

#include <cstdint>
#include <optional>

namespace omnigate::qa {

struct SampleSizeAnswer {
  std::int64_t n = 0;  // conversations to review
  double n0 = 0;       // before the finite population correction
  double z = 0;        // the normal quantile of the confidence
};

// confidence and margin in (0, 1); population > 0 when known. Throws std::invalid_argument.
SampleSizeAnswer sample_size(double confidence, double margin,
                             std::optional<std::int64_t> population);

}  // namespace omnigate::qa

#include "qa/sample_size.hpp"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace omnigate::qa {

SampleSizeAnswer sample_size(double confidence, double margin,
                             std::optional<std::int64_t> population) {
  if (!(confidence > 0 && confidence < 1))
    throw std::invalid_argument("confidence must be in (0, 1), e.g. 0.95");
  if (!(margin > 0 && margin < 1))
    throw std::invalid_argument("margin must be in (0, 1), e.g. 0.05");
  if (population && *population <= 0) throw std::invalid_argument("population must be positive");
  SampleSizeAnswer a;
  a.z = boost::math::quantile(boost::math::normal(), 1 - (1 - confidence) / 2);
  a.n0 = a.z * a.z * 0.25 / (margin * margin);
  double n = a.n0;
  if (population) n = a.n0 / (1 + (a.n0 - 1) / static_cast<double>(*population));
  // Rounding up must not turn an exact 384.0000000001 into 385 for a float's last bit.
  a.n = static_cast<std::int64_t>(std::ceil(n - 1e-9));
  if (population) a.n = std::min(a.n, *population);
  return a;
}

}  // namespace omnigate::qa

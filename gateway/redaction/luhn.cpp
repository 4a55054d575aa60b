#include "redaction/luhn.hpp"

namespace omnigate::redaction {

bool passes_luhn(std::string_view digits) {
  int sum = 0;
  bool doubled = false;
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) {
    int d = *it - '0';
    if (doubled) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    doubled = !doubled;
  }
  return !digits.empty() && sum % 10 == 0;
}

}  // namespace omnigate::redaction

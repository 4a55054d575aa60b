#include "core/clock.hpp"

#include <chrono>

namespace omnigate {

store::UnixMs now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace omnigate

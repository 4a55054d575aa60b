#include "qa/draw_order.hpp"

namespace omnigate::qa {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t draw_key(std::int64_t seed, std::int64_t conversation_id) {
  return splitmix64(splitmix64(static_cast<std::uint64_t>(seed)) ^
                    static_cast<std::uint64_t>(conversation_id));
}

}  // namespace omnigate::qa

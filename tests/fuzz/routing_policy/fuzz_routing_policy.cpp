// The [routing] policy arrives from an operator's TOML file (converted to JSON): durations,
// clock times, dates and POSIX time-zone rules are parsed by hand. Any input must either
// parse or raise PolicyError, never crash; a parsed policy must survive SLA arithmetic.
#include <omnigate/routing/engine.hpp>
#include <omnigate/routing/policy.hpp>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  using namespace omnigate::routing;
  try {
    const Policy p = parse_policy_json(std::string_view(reinterpret_cast<const char*>(data), size));
    for (int t = 0; t < kTierCount; ++t)
      (void)compute_sla_deadlines(p, static_cast<Tier>(t), 1 + t, t % 2 == 0, 1795392000000LL,
                                  ChannelKind::voice);
  } catch (const PolicyError&) {
  }
  return 0;
}

#include "config/retention_config.hpp"

#include "config/config.hpp"
#include "config/config_reader.hpp"

namespace omnigate::config {

// A century: beyond it a rule is a mistake, not a policy.
constexpr std::int64_t kMaxRetentionDays = 36500;

store::RetentionRule read_retention(TableReader t) {
  store::RetentionRule r;
  r.channel = t.string("channel").value_or("");
  if (auto tier = t.string("tier")) {
    if (!store::tier_from_string(*tier))
      throw ConfigError(t.key_path("tier") + ": expected S, A, B or C");
    r.tier = *tier;
  }
  const auto days = t.integer("delete_after_days", 1, kMaxRetentionDays);
  if (!days)
    throw ConfigError(t.key_path("delete_after_days") + ": required (1.." +
                      std::to_string(kMaxRetentionDays) + ")");
  r.delete_after_days = static_cast<int>(*days);
  t.finish();
  return r;
}

}  // namespace omnigate::config

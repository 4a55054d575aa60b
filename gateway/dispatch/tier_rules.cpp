#include "dispatch/tier_rules.hpp"

#include "routing_specs/team_rules.hpp"

#include <functional>

namespace omnigate::dispatch {

namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool has_identity(const store::Customer& c, const std::string& kind,
                  const std::function<bool(const std::string&)>& matches) {
  for (const auto& [k, address] : c.identities)
    if (k == kind && matches(address)) return true;
  return false;
}

bool matches(const config::TierRule& r, const store::Customer& c) {
  // Identities are stored normalised (e-mail domains lower-case, E.164 phones).
  if (!r.email_domain.empty())
    return has_identity(c, "email", [&](const std::string& address) {
      return ends_with(address, "@" + r.email_domain);
    });
  if (!r.phone_prefix.empty())
    return has_identity(c, "phone", [&](const std::string& address) {
      return address.rfind(r.phone_prefix, 0) == 0;
    });
  return !r.attribute.empty() &&
         routing_specs::attribute_text(c.attributes_json, r.attribute) == r.equals;
}

}  // namespace

const config::TierRule* first_matching_rule(const std::vector<config::TierRule>& rules,
                                            const store::Customer& customer) {
  for (const auto& r : rules)
    if (matches(r, customer)) return &r;
  return nullptr;
}

std::optional<store::CustomerUpdate> tier_rule_update(const std::vector<config::TierRule>& rules,
                                                      const store::Customer& customer) {
  const auto* rule = first_matching_rule(rules, customer);
  if (!rule) return std::nullopt;
  store::CustomerUpdate u;
  u.customer_id = customer.id;
  u.tier_source = store::TierSource::rule;
  u.actor = "rule";
  // Tiers are ordered best first (S < A < B < C): a lower value is a better tier.
  // A person's tier and the one computed from the customer's value are decisions about this
  // customer: a rule written for a whole domain or prefix only raises them.
  const bool decided = customer.tier_source == store::TierSource::manual ||
                       customer.tier_source == store::TierSource::valuation;
  if (rule->tier && *rule->tier != customer.tier && (!decided || *rule->tier < customer.tier))
    u.tier = rule->tier;
  if (!rule->account_team.empty() && customer.account_team.empty())
    u.account_team = rule->account_team;
  if (!rule->account_manager.empty() && customer.account_manager.empty())
    u.account_manager = rule->account_manager;
  if (!u.tier && !u.account_team && !u.account_manager) return std::nullopt;
  return u;
}

}  // namespace omnigate::dispatch

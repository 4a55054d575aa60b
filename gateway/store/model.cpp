#include "store/model.hpp"
#include "store/service_case_records.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace omnigate::store {
namespace {

// One table per enum so to_string and from_string can never disagree.
template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::pair<E, const char*>, N>& table, std::string_view s) {
  for (const auto& [value, name] : table) {
    if (s == name) return value;
  }
  return std::nullopt;
}
template <class E, std::size_t N>
const char* name_of(const std::array<std::pair<E, const char*>, N>& table, E e) {
  for (const auto& [value, name] : table) {
    if (value == e) return name;
  }
  return "unknown";
}

constexpr std::array<std::pair<Tier, const char*>, 4> kTiers{
    {{Tier::S, "S"}, {Tier::A, "A"}, {Tier::B, "B"}, {Tier::C, "C"}}};
constexpr std::array<std::pair<ConversationStatus, const char*>, 5> kStatuses{
    {{ConversationStatus::queued, "queued"},
     {ConversationStatus::assigned, "assigned"},
     {ConversationStatus::waiting_customer, "waiting_customer"},
     {ConversationStatus::resolved, "resolved"},
     {ConversationStatus::closed, "closed"}}};
constexpr std::array<std::pair<Presence, const char*>, 4> kPresences{
    {{Presence::online, "online"},
     {Presence::busy, "busy"},
     {Presence::away, "away"},
     {Presence::offline, "offline"}}};
constexpr std::array<std::pair<TierSource, const char*>, 4> kTierSources{
    {{TierSource::initial, "initial"},
     {TierSource::rule, "rule"},
     {TierSource::manual, "manual"},
     {TierSource::valuation, "valuation"}}};
constexpr std::array<std::pair<Role, const char*>, 4> kRoles{{{Role::agent, "agent"},
                                                              {Role::supervisor, "supervisor"},
                                                              {Role::qa, "qa"},
                                                              {Role::admin, "admin"}}};

}  // namespace

const char* to_string(Tier t) {
  return name_of(kTiers, t);
}
std::optional<Tier> tier_from_string(std::string_view s) {
  return lookup(kTiers, s);
}
const char* to_string(ConversationStatus s) {
  return name_of(kStatuses, s);
}
std::optional<ConversationStatus> status_from_string(std::string_view s) {
  return lookup(kStatuses, s);
}
const char* to_string(Presence p) {
  return name_of(kPresences, p);
}
std::optional<Presence> presence_from_string(std::string_view s) {
  return lookup(kPresences, s);
}
const char* to_string(Role r) {
  return name_of(kRoles, r);
}
std::optional<Role> role_from_string(std::string_view s) {
  return lookup(kRoles, s);
}

bool User::has_role(Role r) const {
  return std::find(roles.begin(), roles.end(), r) != roles.end();
}

bool User::limited_to_own_work() const {
  return has_role(Role::agent) && !has_role(Role::supervisor) && !has_role(Role::admin);
}

std::vector<Role> normalised_roles(std::vector<Role> roles) {
  std::sort(roles.begin(), roles.end());
  roles.erase(std::unique(roles.begin(), roles.end()), roles.end());
  return roles;
}

std::string roles_text(const std::vector<Role>& roles, const char* separator) {
  std::string out;
  for (Role r : roles) out += (out.empty() ? "" : separator) + std::string(to_string(r));
  return out;
}
const char* to_string(TierSource s) {
  return name_of(kTierSources, s);
}
std::optional<TierSource> tier_source_from_string(std::string_view s) {
  return lookup(kTierSources, s);
}

std::optional<int> case_stage_index(std::string_view stage) {
  for (std::size_t i = 0; i < kCaseStages.size(); ++i)
    if (kCaseStages[i] == stage) return static_cast<int>(i);
  return std::nullopt;
}

}  // namespace omnigate::store

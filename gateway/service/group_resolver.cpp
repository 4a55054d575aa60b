#include "service/group_resolver.hpp"

#include <map>

namespace omnigate::service {

Resolver group_resolver(store::Store& store, store::Id customer_id) {
  std::map<std::string, std::string> who;
  if (auto customer = store.get_customer(customer_id);
      customer && !customer->account_manager.empty())
    who["account_manager"] = "agent:" + customer->account_manager;
  for (const auto& c : store.customer_contacts(customer_id)) {
    if (!c.agent_id.empty())
      who[c.role] = "agent:" + c.agent_id;
    else if (!c.name.empty())
      who[c.role] = "person:" + c.name;
  }
  return [who = std::move(who)](const std::string& role) {
    const auto it = who.find(role);
    return it == who.end() ? "role:" + role : it->second;
  };
}

}  // namespace omnigate::service

#include "app/cli.hpp"
#include "app/startup.hpp"

#include <iomanip>
#include <iostream>

namespace omnigate::app {

int agents_list_command(const Args& args) {
  return with_configured_store(args, [](const config::GatewayConfig&, store::Store& store) {
    const auto agents = store.list_agents();
    std::cout << std::left << std::setw(16) << "ID" << std::setw(24) << "NAME" << std::setw(16)
              << "TEAM" << std::setw(10) << "PRESENCE" << std::setw(10) << "TIERS"
              << "SKILLS / CAPACITY\n";
    for (const auto& a : agents) {
      std::string tiers;
      for (auto t : a.tiers) tiers += store::to_string(t);
      std::string skills;
      for (const auto& s : a.skills) {
        skills += (skills.empty() ? "" : ",") + s.skill + ":" + std::to_string(s.level);
      }
      std::string capacity;
      for (const auto& [kind, n] : a.capacity) {
        capacity += (capacity.empty() ? "" : ",") + kind + ":" + std::to_string(n);
      }
      std::cout << std::setw(16) << a.id << std::setw(24) << a.display_name << std::setw(16)
                << a.team << std::setw(10) << store::to_string(a.presence) << std::setw(10)
                << (tiers.empty() ? "all" : tiers) << skills << " / " << capacity << '\n';
    }
    std::cout << agents.size() << " agent(s)" << std::endl;
    return kExitOk;
  });
}

}  // namespace omnigate::app

#include "app/seed.hpp"

#include "core/clock.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace omnigate::app {

std::size_t seed_from_config(store::Store& store, const config::GatewayConfig& config) {
  // Once stored, an agent belongs to the admin API: a restart does not undo its changes.
  std::vector<store::Agent> new_agents;
  for (const auto& agent : config.agents)
    if (!store.get_agent(agent.id)) new_agents.push_back(agent);
  std::mutex mu;
  std::condition_variable done;
  std::size_t pending = new_agents.size() + config.users.size();
  for (const auto& u : config.users) pending += u.password_hash.empty() ? 0 : 1;
  std::string first_error;
  // Completions run on the store's writer thread after the commit.
  auto record = [&](std::string what) {
    return [&, what = std::move(what)](store::Outcome<store::Nothing> outcome) {
      std::lock_guard lock(mu);
      if (!outcome.ok && first_error.empty()) first_error = what + ": " + outcome.error;
      if (--pending == 0) done.notify_all();
    };
  };
  const store::UnixMs now = now_ms();
  for (store::Agent& agent : new_agents) {
    agent.presence_since = now;
    const std::string what = "seeding agent " + agent.id;
    store.upsert_agent(std::move(agent), record(what));
  }
  for (const auto& u : config.users) {
    store::User user;
    user.name = u.name;
    user.roles = u.roles;
    if (!u.agent_id.empty()) user.agent_id = u.agent_id;
    store.upsert_user(std::move(user), u.token_sha256, record("seeding user " + u.name));
    // The config is the source of a config user's password, as of their token; their sessions
    // stay (a restart must not log everyone out).
    if (!u.password_hash.empty())
      store.set_password_hash(u.name, u.password_hash, /*end_sessions=*/false,
                              record("seeding the password of user " + u.name));
  }
  std::unique_lock lock(mu);
  if (!done.wait_for(lock, std::chrono::minutes(1), [&] { return pending == 0; })) {
    throw std::runtime_error("seeding agents and users: the store did not commit within 1 min");
  }
  if (!first_error.empty()) throw std::runtime_error(first_error);
  return new_agents.size();
}

}  // namespace omnigate::app

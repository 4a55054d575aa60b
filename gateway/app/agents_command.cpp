#include "app/blocking_write.hpp"
#include "app/cli.hpp"
#include "app/startup.hpp"

#include "api/json_views.hpp"
#include "api/request_body.hpp"

#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <sstream>

namespace omnigate::app {

namespace {

using nlohmann::json;

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> parts;
  std::stringstream in(text);
  for (std::string part; std::getline(in, part, sep);)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

// "7" as a number; anything else stays text so the validator names the field.
json number_or_text(const std::string& text) {
  const bool digits = !text.empty() && text.size() < 10 &&
                      text.find_first_not_of("0123456789") == std::string::npos;
  return digits ? json(std::stoi(text)) : json(text);
}

// --skills sms:3,email:2  --tiers A,B  --capacity sms:5,total:10 as the admin API's JSON, so the
// CLI and the API accept exactly the same profiles (api::parse_agent_body).
void apply_profile_options(const Args& args, json& profile) {
  if (auto v = args.get("display-name")) profile["display_name"] = *v;
  if (auto v = args.get("team")) profile["team"] = *v;
  if (auto v = args.get("skills")) {
    json skills = json::array();
    for (const auto& item : split(*v, ',')) {
      const auto colon = item.find(':');
      skills.push_back(
          {{"skill", item.substr(0, colon)},
           {"level",
            colon == std::string::npos ? json(1) : number_or_text(item.substr(colon + 1))}});
    }
    profile["skills"] = skills;
  }
  if (auto v = args.get("tiers")) profile["tiers"] = split(*v, ',');
  if (auto v = args.get("capacity")) {
    json capacity = json::object();
    for (const auto& item : split(*v, ',')) {
      const auto colon = item.find(':');
      capacity[item.substr(0, colon)] =
          colon == std::string::npos ? json(nullptr) : number_or_text(item.substr(colon + 1));
    }
    profile["capacity"] = capacity;
  }
}

// The profile the options describe, validated like the API's body; nullopt after printing why.
std::optional<store::Agent> profile_from(const json& profile, bool with_id) {
  auto parsed = api::parse_agent_body(profile.dump(), with_id);
  if (!parsed.value) {
    print_error(parsed.error.message);
    return std::nullopt;
  }
  return parsed.value;
}

int save(store::Store& store, store::Agent agent, const char* verb) {
  if (agent.display_name.empty()) agent.display_name = agent.id;
  const auto r =
      committed<store::Nothing>([&](auto done) { store.upsert_agent(agent, std::move(done)); });
  if (!r.ok) {
    print_error(r.error);
    return kExitFailure;
  }
  std::cout << verb << " agent " << agent.id << "; " << kReloadHint << std::endl;
  return kExitOk;
}

std::optional<std::string> one_positional(const Args& args, const char* what) {
  if (args.positional.size() == 1) return args.positional[0];
  print_error(std::string("expected one argument: ") + what);
  return std::nullopt;
}

}  // namespace

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

int agents_add_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id = one_positional(args, "the new agent's ID");
    if (!id) return kExitUsage;
    json profile = {{"id", *id}};
    apply_profile_options(args, profile);
    auto agent = profile_from(profile, /*with_id=*/true);
    if (!agent) return kExitUsage;
    if (store.get_agent(agent->id)) {
      print_error("agent " + agent->id + " already exists (change it with `agents set`)");
      return kExitFailure;
    }
    return save(store, std::move(*agent), "added");
  });
}

int agents_set_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id = one_positional(args, "the agent's ID");
    if (!id) return kExitUsage;
    const auto existing = store.get_agent(*id);
    if (!existing) {
      print_error("no agent " + *id);
      return kExitFailure;
    }
    // The stored profile, with what the options name replaced.
    json profile = api::agent_json(*existing);
    for (const char* key : {"id", "presence", "presence_since"}) profile.erase(key);
    apply_profile_options(args, profile);
    auto agent = profile_from(profile, /*with_id=*/false);
    if (!agent) return kExitUsage;
    agent->id = existing->id;
    agent->presence = existing->presence;
    agent->presence_since = existing->presence_since;
    return save(store, std::move(*agent), "updated");
  });
}

int agents_remove_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id = one_positional(args, "the agent's ID");
    if (!id) return kExitUsage;
    if (!store.get_agent(*id)) {
      print_error("no agent " + *id);
      return kExitFailure;
    }
    if (const auto users = store.users_of_agent(*id); !users.empty()) {
      print_error("agent " + *id + " is the profile of user " + users.front().name +
                  "; remove the user first (omnigate users remove " + users.front().name + ")");
      return kExitFailure;
    }
    // Their open conversations go back to the queue, as the admin API does.
    int requeued = 0;
    for (const auto status :
         {store::ConversationStatus::assigned, store::ConversationStatus::waiting_customer}) {
      store::ConversationFilter filter;
      filter.assigned_agent = *id;
      filter.status = status;
      filter.limit = 500;
      for (;;) {
        const auto page = store.list_conversations(filter);
        for (const auto& c : page) {
          const auto r = committed<store::Nothing>([&](auto done) {
            store.requeue_conversation(
                c.id, "cli",
                json{{"reason", "agent " + *id + " was removed (omnigate agents remove)"}}.dump(),
                std::move(done));
          });
          if (!r.ok) {
            print_error("re-queue conversation " + std::to_string(c.id) + ": " + r.error);
            return kExitFailure;
          }
          ++requeued;
        }
        if (page.size() < 500) break;
      }
    }
    const auto r =
        committed<store::Nothing>([&](auto done) { store.delete_agent(*id, std::move(done)); });
    if (!r.ok) {
      print_error(r.error);
      return kExitFailure;
    }
    std::cout << "removed agent " << *id << "; re-queued " << requeued << " conversation(s); "
              << kReloadHint << std::endl;
    return kExitOk;
  });
}

}  // namespace omnigate::app

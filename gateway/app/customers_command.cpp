#include "app/blocking_write.hpp"
#include "app/cli.hpp"
#include "app/startup.hpp"

#include "api/json_views.hpp"
#include "api/request_body.hpp"
#include "core/clock.hpp"
#include "customers/valuation_run.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace omnigate::app {

namespace {

std::optional<store::Id> customer_id_arg(const Args& args, std::size_t count, const char* usage) {
  const auto id =
      args.positional.size() == count ? api::parse_path_id(args.positional[0]) : std::nullopt;
  if (!id) print_error(std::string("expected ") + usage);
  return id;
}

}  // namespace

int customers_show_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id = customer_id_arg(args, 1, "one argument: the customer ID (a number)");
    if (!id) return kExitUsage;
    const auto customer = store.get_customer(*id);
    if (!customer) {
      print_error("no customer " + std::to_string(*id));
      return kExitFailure;
    }
    std::cout << api::customer_json(*customer).dump(2) << std::endl;
    return kExitOk;
  });
}

int customers_set_tier_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id = customer_id_arg(args, 2, "two arguments: the customer ID and a tier S|A|B|C");
    if (!id) return kExitUsage;
    // Validated like PATCH /api/v1/customers/{id}.
    nlohmann::json body = {{"tier", args.positional[1]}};
    if (auto team = args.get("account-team")) body["account_team"] = *team;
    if (auto manager = args.get("account-manager")) body["account_manager"] = *manager;
    auto parsed = api::parse_customer_patch_body(body.dump());
    if (!parsed.value) {
      print_error(parsed.error.message);
      return kExitUsage;
    }
    store::CustomerUpdate update = *parsed.value;
    if (update.account_manager && !update.account_manager->empty() &&
        !store.get_agent(*update.account_manager)) {
      print_error("no agent " + *update.account_manager + " for --account-manager");
      return kExitFailure;
    }
    update.customer_id = *id;
    update.tier_source = store::TierSource::manual;
    update.actor = "cli";
    const auto r = committed<store::CustomerChange>(
        [&](auto done) { store.update_customer(update, std::move(done)); });
    if (!r.ok) {
      print_error(r.error);
      return kExitFailure;
    }
    std::cout << "customer " << *id << ": tier " << store::to_string(r.value.before.tier) << " -> "
              << store::to_string(r.value.after.tier) << ", account team \""
              << r.value.after.account_team << "\", account manager \""
              << r.value.after.account_manager << "\"; " << r.value.open_conversations.size()
              << " open conversation(s) updated; " << kReloadHint << std::endl;
    return kExitOk;
  });
}

int customers_revalue_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig& config, store::Store& store) {
    if (!args.positional.empty()) {
      print_error("expected no arguments");
      return kExitUsage;
    }
    if (config.valuation.factors.empty()) {
      print_error("[customers.valuation] is not configured in " + config.source_path);
      return kExitUsage;
    }
    try {
      const auto outcome = customers::run_valuation(store, config.valuation, "cli", "cli", now_ms);
      nlohmann::json changes = nlohmann::json::array();
      for (const auto& c : outcome.changes)
        changes.push_back({{"customer_id", c.after.id},
                           {"old_tier", store::to_string(c.before.tier)},
                           {"new_tier", store::to_string(c.after.tier)}});
      std::cout << nlohmann::json{{"valued", outcome.run.valued},
                                  {"changed", outcome.run.changed},
                                  {"kept_manual", outcome.run.kept_manual},
                                  {"changes", std::move(changes)}}
                       .dump(2)
                << std::endl;
      std::cerr << kReloadHint << std::endl;
    } catch (const std::exception& e) {
      print_error(e.what());
      return kExitFailure;
    }
    return kExitOk;
  });
}

}  // namespace omnigate::app

// omnigate plugins enable: clears the disabled flag the crash-loop guard set on an instance
// (docs/operations.md "Quarantine and disabled instances").
#include "app/blocking_write.hpp"
#include "app/cli.hpp"
#include "app/operator_name.hpp"
#include "app/startup.hpp"

#include <iostream>

namespace omnigate::app {

int plugins_enable_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig& config, store::Store& store) {
    if (args.positional.size() != 1) {
      print_error("expected one argument: the plugin INSTANCE");
      return kExitUsage;
    }
    const std::string instance = args.positional[0];
    std::optional<store::PluginInstanceState> state;
    for (auto& s : store.plugin_instance_states())
      if (s.instance == instance) state = s;
    bool configured = false;
    for (const auto& p : config.plugins) configured = configured || p.instance == instance;
    if (!state && !configured) {
      print_error("no plugin instance " + instance + " in " + config.source_path +
                  " or in the database");
      return kExitFailure;
    }
    if (!state || !state->disabled) {
      std::cout << "plugin instance " << instance << " is not disabled; nothing to do" << std::endl;
      return kExitOk;
    }
    const std::string actor = args.get("actor").value_or(default_cli_actor());
    const auto r = committed<store::Nothing>([&](auto done) {
      store.set_plugin_instance_disabled(instance, false, "enabled by " + actor, actor,
                                         std::move(done));
    });
    if (!r.ok) {
      print_error(r.error);
      return kExitFailure;
    }
    std::cout << "enabled plugin instance " << instance << " (was disabled: " << state->reason
              << "); a running gateway starts it again by itself" << std::endl;
    return kExitOk;
  });
}

}  // namespace omnigate::app

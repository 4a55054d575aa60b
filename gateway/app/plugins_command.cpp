#include "app/cli.hpp"
#include "app/startup.hpp"
#include "plugin_host/config_schema.hpp"
#include "plugin_host/plugin_host.hpp"
#include "routing_specs/routing_specs.hpp"

#include <omnigate/routing/policy.hpp>

#include <iostream>
#include <string>
#include <vector>

namespace omnigate::app {
namespace {

void print_inspection(const PluginInspection& p, const std::string& indent) {
  std::cout << indent << "plugin:        " << p.name << ' ' << p.version << '\n'
            << indent << "channel kind:  " << p.channel_kind << '\n'
            << indent << "abi:           " << p.abi_major << '.' << p.abi_minor << '\n';
  if (!p.description.empty()) std::cout << indent << "description:   " << p.description << '\n';
}

}  // namespace

int plugins_check_command(const Args& args) {
  if (args.positional.size() != 1) {
    print_error("plugins check needs exactly one FILE");
    return kExitUsage;
  }
  // The routing policy and agents the plugin's kind is described under: the config's, or the
  // defaults without one. A bad config is refused before the plugin is loaded.
  routing::Policy policy = routing::Policy::defaults();
  std::vector<store::Agent> agents;
  const bool with_config = args.get("config").has_value();
  try {
    if (with_config) {
      const auto config = load_config_arg(args);
      if (!config.routing_policy_json.empty())
        policy = routing::parse_policy_json(config.routing_policy_json);
      agents = config.agents;
    }
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const routing::PolicyError& e) {
    print_error(e.what());
    return kExitUsage;
  }
  const std::string& file = args.positional[0];
  const PluginInspection p = inspect_plugin(file);
  if (!p.ok) {
    print_error(p.error.find(file) == std::string::npos ? file + ": " + p.error : p.error);
    return kExitFailure;
  }
  std::cout << "file:          " << file << '\n';
  print_inspection(p, "");
  if (!p.config_schema_json.empty()) std::cout << "config schema: " << p.config_schema_json << '\n';
  const auto routing_lines = routing_specs::describe_kind_routing(policy, agents, p.channel_kind);
  for (std::size_t i = 0; i < routing_lines.size(); ++i)
    std::cout << (i == 0 ? "routing:       " : "               ") << routing_lines[i] << '\n';
  if (!with_config)
    std::cout << "               (the default routing policy: pass --config FILE for yours)\n";
  std::cout << "ok" << std::endl;
  return kExitOk;
}

int plugins_list_command(const Args& args) {
  try {
    const auto config = load_config_arg(args);
    int broken = 0;
    for (const auto& instance : config.plugins) {
      const bool own_process =
          instance.isolation == config::PluginInstanceConfig::Isolation::process;
      std::cout << instance.instance << (instance.enabled ? "" : " (disabled)") << '\n'
                << "  file:          " << instance.file << '\n'
                << "  isolation:     "
                << (own_process ? "process (a supervised plugin-host process)"
                                : "in_process (inside the gateway)")
                << '\n';
      const PluginInspection p = inspect_plugin(instance.file);
      if (p.ok) {
        print_inspection(p, "  ");
        // The check `serve` makes before it creates an enabled instance. No schema: nothing to
        // check (one that does not compile made inspect_plugin() fail already).
        std::string ignored;
        const auto schema = plugin_host::ConfigSchema::compile(p.config_schema_json, ignored);
        const auto violations = schema && instance.enabled
                                    ? schema->violations(instance.config_json)
                                    : std::vector<std::string>{};
        if (!violations.empty()) {
          ++broken;
          std::cout << "  error:         " << plugin_host::join_violations(violations) << '\n';
        }
      } else {
        ++broken;
        std::cout << "  error:         " << p.error << '\n';
      }
    }
    std::cout << config.plugins.size() << " instance(s), " << broken << " unusable" << std::endl;
    return broken == 0 ? kExitOk : kExitFailure;
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  }
}

}  // namespace omnigate::app

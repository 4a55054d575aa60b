// Loading a plugin library and checking that it speaks our ABI, before anything of it runs
// except its entry function.
#pragma once

#include "plugin_host/config_schema.hpp"

#include <omnigate/plugin_abi.h>

#include <memory>
#include <optional>
#include <string>

namespace omnigate::plugin_host {

// A loaded plugin and a validated copy of its og_plugin_api: a dlopen()ed library, or the proxy
// of a plugin-host process (plugin_process/remote_plugin.hpp). `library` is what keeps the
// functions valid (the dlopen handle, dlclose()d when the last owner lets go; the proxy), so
// anything that may still call into the plugin holds a shared_ptr.
class LoadedPlugin {
 public:
  LoadedPlugin(std::shared_ptr<void> library, std::string path, const og_plugin_api& api,
               std::optional<ConfigSchema> config_schema);
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  const og_plugin_api& api() const { return api_; }
  const std::string& path() const { return path_; }
  // The compiled config_schema_json; nullopt when the plugin declares none.
  const std::optional<ConfigSchema>& config_schema() const { return config_schema_; }

 private:
  std::shared_ptr<void> library_;
  std::string path_;
  og_plugin_api api_;  // zero-extended copy: fields of a newer minor we do not know are dropped
  std::optional<ConfigSchema> config_schema_;
};

struct LoadResult {
  std::shared_ptr<LoadedPlugin> plugin;  // null on error
  std::string error;                     // "<path>: <reason>"
};

// dlopen(RTLD_NOW | RTLD_LOCAL), find og_plugin_entry, call it, and refuse anything that does not
// satisfy plugin_abi.h: struct too small, other major, newer minor, missing name / version /
// channel_kind, missing create / destroy / send_message, config schema that is not a JSON object
// or not a JSON Schema the host can apply (ConfigSchema::compile).
LoadResult load_plugin(const std::string& path);

}  // namespace omnigate::plugin_host

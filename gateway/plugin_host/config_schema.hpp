// A plugin's config schema (og_plugin_api.config_schema_json): compiled with valijson when the
// plugin loads, applied to each instance's config before the instance is created, so that a
// config the plugin declared wrong never reaches it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::plugin_host {

class ConfigSchema {
 public:
  // JSON Schema draft-07 (also draft-04 when `$schema` says so; no `$schema` means draft-07).
  // nullopt, with `error` saying why, when `text` is not a JSON object, names another dialect,
  // or is not a schema valijson can apply (e.g. `"type": "objekt"`, a remote `$ref`).
  static std::optional<ConfigSchema> compile(std::string_view text, std::string& error);

  // How `config_json` breaks the schema, one entry per key, each naming the key as a path
  // (`skills[0].min_level`) and what was expected, e.g.
  //   config key "bogus_key" is not allowed by the plugin's schema
  //   config key "reconcile_after_ms": expected integer >= 0 and <= 604800000, got "ten"
  // Values of keys the schema marks `"writeOnly": true` (secrets) are never quoted.
  // Empty when the config is valid.
  std::vector<std::string> violations(std::string_view config_json) const;

 private:
  struct Compiled;
  explicit ConfigSchema(std::shared_ptr<const Compiled> compiled);
  std::shared_ptr<const Compiled> compiled_;
};

// "a; b; c" — the form a log line or a `failed` reason carries the violations in.
std::string join_violations(const std::vector<std::string>& violations);

}  // namespace omnigate::plugin_host

// Typed, path-aware access to one TOML table for the config loader: every value read is
// checked, every error names the full key path ("agents[1].capacity.voice: expected an integer
// 0..100"), and finish() rejects the keys nobody read ("plugins[0].fle: unknown key").
#pragma once

#include <toml++/toml.h>

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::config {

// Replaces every ${NAME} in `value` with the environment variable NAME, so secrets can stay
// out of the file. Throws ConfigError naming `key_path` if NAME is unset or the syntax is bad.
std::string interpolate_env(const std::string& value, const std::string& key_path);

class TableReader {
 public:
  TableReader(const toml::table& table, std::string path);

  const std::string& path() const { return path_; }
  std::string key_path(std::string_view key) const;

  // Each getter returns nullopt when the key is absent and throws ConfigError on a wrong type
  // or value. Strings are env-interpolated.
  std::optional<std::string> string(std::string_view key);
  std::string required_string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::vector<std::string>> string_array(std::string_view key);
  std::optional<TableReader> table(std::string_view key);
  std::optional<std::vector<TableReader>> table_array(std::string_view key);
  // The table as a JSON object text (strings interpolated), for plugins and the routing engine.
  std::optional<std::string> table_as_json(std::string_view key);
  // Every key of this table (marked as read), for tables whose keys are data (skills).
  std::vector<std::string> keys();

  // Throws ConfigError for the first key that no getter asked for.
  void finish() const;

 private:
  const toml::node* find(std::string_view key);

  const toml::table* table_;
  std::string path_;
  std::set<std::string, std::less<>> used_;
};

}  // namespace omnigate::config

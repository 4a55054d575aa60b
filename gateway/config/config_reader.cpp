#include "config/config_reader.hpp"

#include "config/config.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <sstream>

namespace omnigate::config {
namespace {

bool is_env_name(std::string_view name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return false;
    }
  }
  return true;
}

nlohmann::json to_json(const toml::node& node, const std::string& path) {
  switch (node.type()) {
    case toml::node_type::table: {
      nlohmann::json obj = nlohmann::json::object();
      for (const auto& [k, v] : *node.as_table()) {
        const std::string key(k.str());
        obj[key] = to_json(v, path + "." + key);
      }
      return obj;
    }
    case toml::node_type::array: {
      nlohmann::json arr = nlohmann::json::array();
      std::size_t i = 0;
      for (const auto& v : *node.as_array()) {
        arr.push_back(to_json(v, path + "[" + std::to_string(i++) + "]"));
      }
      return arr;
    }
    case toml::node_type::string:
      return interpolate_env(node.as_string()->get(), path);
    case toml::node_type::integer:
      return node.as_integer()->get();
    case toml::node_type::floating_point:
      return node.as_floating_point()->get();
    case toml::node_type::boolean:
      return node.as_boolean()->get();
    default: {
      // Dates and times travel as their TOML text.
      std::ostringstream text;
      node.visit([&](const auto& v) { text << v; });
      return text.str();
    }
  }
}

}  // namespace

std::string interpolate_env(const std::string& value, const std::string& key_path) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const auto start = value.find("${", pos);
    if (start == std::string::npos) break;
    const auto end = value.find('}', start + 2);
    if (end == std::string::npos) {
      throw ConfigError(key_path + ": unterminated ${ in \"" + value + "\"");
    }
    const std::string name = value.substr(start + 2, end - start - 2);
    if (!is_env_name(name)) {
      throw ConfigError(key_path + ": \"${" + name + "}\" is not an environment variable name");
    }
    const char* env = std::getenv(name.c_str());
    if (env == nullptr) {
      throw ConfigError(key_path + ": environment variable " + name + " is not set");
    }
    out.append(value, pos, start - pos);
    out += env;
    pos = end + 1;
  }
  out.append(value, pos, std::string::npos);
  return out;
}

TableReader::TableReader(const toml::table& table, std::string path)
    : table_(&table), path_(std::move(path)) {}

std::string TableReader::key_path(std::string_view key) const {
  return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
}

const toml::node* TableReader::find(std::string_view key) {
  used_.emplace(key);
  return table_->get(key);
}

std::optional<std::string> TableReader::string(std::string_view key) {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_string()) throw ConfigError(key_path(key) + ": expected a string");
  return interpolate_env(n->as_string()->get(), key_path(key));
}

std::string TableReader::required_string(std::string_view key) {
  auto s = string(key);
  if (!s) throw ConfigError(key_path(key) + ": required");
  return *s;
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  const std::string expected =
      key_path(key) + ": expected an integer " + std::to_string(min) + ".." + std::to_string(max);
  if (!n->is_integer()) throw ConfigError(expected);
  const std::int64_t v = n->as_integer()->get();
  if (v < min || v > max) throw ConfigError(expected);
  return v;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_boolean()) throw ConfigError(key_path(key) + ": expected true or false");
  return n->as_boolean()->get();
}

std::optional<std::vector<std::string>> TableReader::string_array(std::string_view key) {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_array()) throw ConfigError(key_path(key) + ": expected an array of strings");
  std::vector<std::string> out;
  std::size_t i = 0;
  for (const auto& item : *n->as_array()) {
    const std::string item_path = key_path(key) + "[" + std::to_string(i++) + "]";
    if (!item.is_string()) throw ConfigError(item_path + ": expected a string");
    out.push_back(interpolate_env(item.as_string()->get(), item_path));
  }
  return out;
}

std::optional<TableReader> TableReader::table(std::string_view key) {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_table()) throw ConfigError(key_path(key) + ": expected a table");
  return TableReader(*n->as_table(), key_path(key));
}

std::optional<std::vector<TableReader>> TableReader::table_array(std::string_view key) {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_array_of_tables()) {
    throw ConfigError(key_path(key) + ": expected an array of tables ([[" + key_path(key) + "]])");
  }
  std::vector<TableReader> out;
  std::size_t i = 0;
  for (const auto& item : *n->as_array()) {
    out.emplace_back(*item.as_table(), key_path(key) + "[" + std::to_string(i++) + "]");
  }
  return out;
}

std::optional<std::string> TableReader::table_as_json(std::string_view key) {
  const toml::node* n = find(key);
  if (n == nullptr) return std::nullopt;
  if (!n->is_table()) throw ConfigError(key_path(key) + ": expected a table");
  return to_json(*n, key_path(key)).dump();
}

std::vector<std::string> TableReader::keys() {
  std::vector<std::string> out;
  for (const auto& [k, v] : *table_) {
    out.emplace_back(k.str());
    used_.emplace(k.str());
  }
  return out;
}

void TableReader::finish() const {
  for (const auto& [k, v] : *table_) {
    if (!used_.count(k.str())) throw ConfigError(key_path(k.str()) + ": unknown key");
  }
}

}  // namespace omnigate::config

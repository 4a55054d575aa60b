#include "plugin_host/config_schema.hpp"

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include <algorithm>
#include <cstddef>
#include <regex>
#include <set>
#include <utility>

namespace omnigate::plugin_host {

using nlohmann::json;

struct ConfigSchema::Compiled {
  json document;  // kept to say what a failing key expected (valijson's messages do not)
  valijson::Schema schema;
};

namespace {

// The dialect named by `$schema`, when valijson implements it.
std::optional<valijson::SchemaParser::Version> dialect(const json& document, std::string& error) {
  const auto it = document.find("$schema");
  if (it == document.end()) return valijson::SchemaParser::kDraft7;
  if (!it->is_string()) {
    error = "has a $schema that is not a string";
    return std::nullopt;
  }
  std::string uri = it->get<std::string>();
  if (uri.ends_with('#')) uri.pop_back();
  if (uri.starts_with("https://")) uri.erase(4, 1);
  if (uri == "http://json-schema.org/draft-07/schema") return valijson::SchemaParser::kDraft7;
  if (uri == "http://json-schema.org/draft-04/schema") return valijson::SchemaParser::kDraft4;
  error = "declares $schema " + it->get<std::string>() +
          ", but the host applies JSON Schema draft-07 (or draft-04)";
  return std::nullopt;
}

// One step from a config value to one of its members.
struct Step {
  bool is_index = false;
  std::string key;
  std::size_t index = 0;
};
using Path = std::vector<Step>;

bool is_prefix(const Path& shorter, const Path& longer) {
  if (shorter.size() >= longer.size()) return false;
  return std::equal(shorter.begin(), shorter.end(), longer.begin(),
                    [](const Step& a, const Step& b) {
                      return a.is_index == b.is_index && a.key == b.key && a.index == b.index;
                    });
}

bool is_plain_key(const std::string& key) {
  return !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
}

// skills[0].min_level — the way the TOML file spells it; odd keys as ["a key"].
std::string path_text(const Path& path) {
  std::string out;
  for (const Step& step : path) {
    if (step.is_index) {
      out += "[" + std::to_string(step.index) + "]";
    } else if (is_plain_key(step.key)) {
      out += (out.empty() ? "" : ".") + step.key;
    } else {
      out += "[" + json(step.key).dump() + "]";
    }
  }
  return out;
}

// valijson's context ("<root>", "[skills]", "[0]", ...) as a path. "[0]" is an array index or
// a key named "0": the config itself says which.
Path context_path(const std::vector<std::string>& context, const json& config) {
  Path path;
  const json* node = &config;
  for (std::size_t i = 1; i < context.size(); ++i) {
    std::string part = context[i];
    if (part.size() >= 2 && part.front() == '[' && part.back() == ']') {
      part = part.substr(1, part.size() - 2);
    }
    Step step;
    const bool digits = !part.empty() && std::all_of(part.begin(), part.end(),
                                                     [](char c) { return c >= '0' && c <= '9'; });
    if (node != nullptr && node->is_array() && digits) {
      step.is_index = true;
      step.index = std::stoul(part);
      node = step.index < node->size() ? &(*node)[step.index] : nullptr;
    } else {
      step.key = part;
      if (node != nullptr && node->is_object() && node->contains(part)) {
        node = &(*node)[part];
      } else {
        node = nullptr;
      }
    }
    path.push_back(std::move(step));
  }
  return path;
}

const json* value_at(const json& config, const Path& path) {
  const json* node = &config;
  for (const Step& step : path) {
    if (step.is_index) {
      if (!node->is_array() || step.index >= node->size()) return nullptr;
      node = &(*node)[step.index];
    } else {
      if (!node->is_object() || !node->contains(step.key)) return nullptr;
      node = &(*node)[step.key];
    }
  }
  return node;
}

// Follows a local "$ref" ("#/definitions/x"); remote ones were refused at compile time.
const json* resolve(const json& root, const json* schema) {
  for (int hops = 0; schema != nullptr && schema->is_object() && hops < 8; ++hops) {
    const auto ref = schema->find("$ref");
    if (ref == schema->end() || !ref->is_string()) return schema;
    const std::string target = ref->get<std::string>();
    if (target == "#") {
      schema = &root;
      continue;
    }
    if (!target.starts_with("#/")) return nullptr;
    try {
      const json::json_pointer pointer(target.substr(1));
      schema = root.contains(pointer) ? &root.at(pointer) : nullptr;
    } catch (const json::exception&) {
      return nullptr;
    }
  }
  return schema;
}

// The subschema that applies to the value at `path`, when one can be told without validating
// (properties, patternProperties, additionalProperties, items); nullptr otherwise.
const json* schema_at(const json& root, const Path& path) {
  const json* schema = resolve(root, &root);
  for (const Step& step : path) {
    if (schema == nullptr || !schema->is_object()) return nullptr;
    const json* next = nullptr;
    if (step.is_index) {
      const auto items = schema->find("items");
      if (items != schema->end() && items->is_object()) {
        next = &*items;
      } else if (items != schema->end() && items->is_array() && step.index < items->size()) {
        next = &(*items)[step.index];
      }
    } else {
      const auto properties = schema->find("properties");
      if (properties != schema->end() && properties->is_object() &&
          properties->contains(step.key)) {
        next = &(*properties)[step.key];
      }
      const auto patterns = schema->find("patternProperties");
      if (next == nullptr && patterns != schema->end() && patterns->is_object()) {
        for (const auto& [pattern, sub] : patterns->items()) {
          try {
            if (std::regex_search(step.key, std::regex(pattern))) {
              next = &sub;
              break;
            }
          } catch (const std::regex_error&) {
          }
        }
      }
      const auto additional = schema->find("additionalProperties");
      if (next == nullptr && additional != schema->end() && additional->is_object()) {
        next = &*additional;
      }
    }
    schema = resolve(root, next);
  }
  return schema;
}

bool write_only(const json& root, const Path& path) {
  // A secret stays unquoted also when the failing value is inside it.
  for (std::size_t n = 0; n <= path.size(); ++n) {
    const json* schema = schema_at(root, Path(path.begin(), path.begin() + n));
    if (schema != nullptr && schema->is_object() && schema->value("writeOnly", false)) return true;
  }
  return false;
}

std::string join(const std::vector<std::string>& parts, const std::string& separator) {
  std::string out;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

std::string plural(const json& n, const std::string& word) {
  return n.dump() + " " + word + (n == 1 ? "" : "s");
}

// What a schema accepts, in words: "integer >= 0 and <= 604800000", "string of at least 1
// character", "0 or >= 100". Empty when the schema says nothing this can put in words.
std::string describe(const json& root, const json* schema, int depth = 0) {
  schema = resolve(root, schema);
  if (schema == nullptr || depth > 4) return {};
  if (schema->is_boolean()) return schema->get<bool>() ? "any value" : "no value";
  if (!schema->is_object()) return {};
  const json& s = *schema;
  std::string head;
  if (const auto type = s.find("type"); type != s.end()) {
    if (type->is_string()) {
      head = type->get<std::string>();
    } else if (type->is_array()) {
      std::vector<std::string> names;
      for (const auto& t : *type) names.push_back(t.is_string() ? t.get<std::string>() : t.dump());
      head = join(names, " or ");
    }
  }
  std::vector<std::string> quals;
  if (const auto c = s.find("const"); c != s.end()) quals.push_back(c->dump());
  if (const auto e = s.find("enum"); e != s.end() && e->is_array()) {
    std::vector<std::string> values;
    for (const auto& v : *e) values.push_back(v.dump());
    quals.push_back("one of " + join(values, ", "));
  }
  const bool draft4_exclusive_min =
      s.value("exclusiveMinimum", json()).is_boolean() && s["exclusiveMinimum"].get<bool>();
  const bool draft4_exclusive_max =
      s.value("exclusiveMaximum", json()).is_boolean() && s["exclusiveMaximum"].get<bool>();
  if (const auto v = s.find("minimum"); v != s.end() && v->is_number()) {
    quals.push_back((draft4_exclusive_min ? "> " : ">= ") + v->dump());
  }
  if (const auto v = s.find("exclusiveMinimum"); v != s.end() && v->is_number()) {
    quals.push_back("> " + v->dump());
  }
  if (const auto v = s.find("maximum"); v != s.end() && v->is_number()) {
    quals.push_back((draft4_exclusive_max ? "< " : "<= ") + v->dump());
  }
  if (const auto v = s.find("exclusiveMaximum"); v != s.end() && v->is_number()) {
    quals.push_back("< " + v->dump());
  }
  if (const auto v = s.find("multipleOf"); v != s.end())
    quals.push_back("a multiple of " + v->dump());
  if (const auto v = s.find("minLength"); v != s.end()) {
    quals.push_back("of at least " + plural(*v, "character"));
  }
  if (const auto v = s.find("maxLength"); v != s.end()) {
    quals.push_back("of at most " + plural(*v, "character"));
  }
  if (const auto v = s.find("pattern"); v != s.end() && v->is_string()) {
    quals.push_back("matching " + v->get<std::string>());
  }
  if (const auto v = s.find("format"); v != s.end() && v->is_string()) {
    quals.push_back("in the format " + v->get<std::string>());
  }
  if (const auto v = s.find("minItems"); v != s.end()) {
    quals.push_back("with at least " + plural(*v, "item"));
  }
  if (const auto v = s.find("maxItems"); v != s.end()) {
    quals.push_back("with at most " + plural(*v, "item"));
  }
  if (s.value("uniqueItems", false)) quals.push_back("without duplicates");
  for (const char* keyword : {"anyOf", "oneOf"}) {
    if (const auto v = s.find(keyword); v != s.end() && v->is_array()) {
      std::vector<std::string> alternatives;
      for (const auto& sub : *v) alternatives.push_back(describe(root, &sub, depth + 1));
      if (std::find(alternatives.begin(), alternatives.end(), "") == alternatives.end()) {
        quals.push_back("(" + join(alternatives, " or ") + ")");
      }
    }
  }
  if (const auto v = s.find("allOf"); v != s.end() && v->is_array()) {
    for (const auto& sub : *v) quals.push_back(describe(root, &sub, depth + 1));
  }
  if (const auto v = s.find("not"); v != s.end()) {
    if (auto inner = describe(root, &*v, depth + 1); !inner.empty())
      quals.push_back("not " + inner);
  }
  // A lone alternative group needs no parentheses.
  if (head.empty() && quals.size() == 1 && quals[0].starts_with('(') && quals[0].ends_with(')')) {
    return quals[0].substr(1, quals[0].size() - 2);
  }
  return join({head, join(quals, " and ")}, " ");
}

std::string shown(const json& value) {
  constexpr std::size_t kMax = 64;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > kMax) text = text.substr(0, kMax) + "...";
  return text;
}

std::string type_name(const json& value) {
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  return value.type_name();
}

// Every key of the object at `path` that its schema does not allow. valijson names only the
// first (`first`); an operator should not have to fix a misspelt table one key per restart.
std::vector<std::string> unknown_keys(const json& root, const json& config, const Path& path,
                                      const std::string& first) {
  const json* schema = schema_at(root, path);
  const json* object = value_at(config, path);
  if (schema == nullptr || !schema->is_object() || object == nullptr || !object->is_object() ||
      schema->value("additionalProperties", json(true)) != json(false)) {
    return {first};
  }
  const json properties = schema->value("properties", json::object());
  const json patterns = schema->value("patternProperties", json::object());
  std::vector<std::string> out;
  for (const auto& [key, value] : object->items()) {
    if (properties.is_object() && properties.contains(key)) continue;
    bool matched = false;
    if (patterns.is_object()) {
      for (const auto& [pattern, sub] : patterns.items()) {
        try {
          matched = matched || std::regex_search(key, std::regex(pattern));
        } catch (const std::regex_error&) {
        }
      }
    }
    if (!matched) out.push_back(key);
  }
  if (std::find(out.begin(), out.end(), first) == out.end()) return {first};
  return out;
}

// The name valijson quotes in a message that ends with '<name>'.
std::string quoted_name(const std::string& description, const std::string& after) {
  const auto start = description.find(after);
  if (start == std::string::npos) return {};
  const std::size_t from = start + after.size();
  const auto end = description.rfind('\'');
  if (end == std::string::npos || end < from) return {};
  return description.substr(from, end - from);
}

}  // namespace

ConfigSchema::ConfigSchema(std::shared_ptr<const Compiled> compiled)
    : compiled_(std::move(compiled)) {}

std::optional<ConfigSchema> ConfigSchema::compile(std::string_view text, std::string& error) {
  auto compiled = std::make_shared<Compiled>();
  compiled->document = json::parse(text, nullptr, false);
  if (compiled->document.is_discarded() || !compiled->document.is_object()) {
    error = "is not a JSON object";
    return std::nullopt;
  }
  const auto version = dialect(compiled->document, error);
  if (!version) return std::nullopt;
  try {
    // No fetch function: a remote $ref is an error, never a download.
    valijson::SchemaParser parser(*version);
    parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(compiled->document),
                          compiled->schema);
  } catch (const std::exception& e) {
    error = std::string("is not a JSON Schema the host can apply: ") + e.what();
    return std::nullopt;
  }
  return ConfigSchema(std::move(compiled));
}

std::vector<std::string> ConfigSchema::violations(std::string_view config_json) const {
  const json config =
      config_json.empty() ? json::object() : json::parse(config_json, nullptr, false);
  if (config.is_discarded()) return {"config is not valid JSON"};
  valijson::Validator validator(valijson::Validator::kStrongTypes);
  valijson::ValidationResults results;
  try {
    if (validator.validate(compiled_->schema, valijson::adapters::NlohmannJsonAdapter(config),
                           &results)) {
      return {};
    }
  } catch (const std::exception& e) {
    // E.g. a "pattern" std::regex cannot compile: valijson compiles them while validating.
    return {std::string("the plugin's config schema cannot be applied: ") + e.what()};
  }

  const json& root = compiled_->document;
  std::vector<std::string> out;
  std::vector<Path> reported;
  auto quote = [](const Path& path) {
    return path.empty() ? std::string("config") : "config key \"" + path_text(path) + "\"";
  };
  // valijson reports the innermost failure first, then one "failed to validate ..." per
  // enclosing object or array: one message per key, for the innermost keys.
  for (const auto& error : results) {
    Path path = context_path(error.context, config);
    const std::string unknown =
        quoted_name(error.description, "or 'additionalProperties' constraints: '");
    const std::string missing = quoted_name(error.description, "Missing required property '");
    std::string message;
    if (!unknown.empty()) {
      for (const auto& key : unknown_keys(root, config, path, unknown)) {
        Path key_path = path;
        key_path.push_back({false, key, 0});
        const std::string one = quote(key_path) + " is not allowed by the plugin's schema";
        if (std::find(out.begin(), out.end(), one) == out.end()) out.push_back(one);
        reported.push_back(std::move(key_path));
      }
      continue;
    } else if (!missing.empty()) {
      path.push_back({false, missing, 0});
      message = quote(path) + " is required by the plugin's schema";
    } else {
      // Said already, or an enclosing value of a key already reported.
      const bool covered = std::any_of(reported.begin(), reported.end(), [&](const Path& p) {
        return path_text(p) == path_text(path) || is_prefix(path, p);
      });
      if (covered) continue;
      const std::string expected = describe(root, schema_at(root, path));
      message =
          quote(path) + ": " + (expected.empty() ? error.description : "expected " + expected);
      if (const json* value = value_at(config, path); value != nullptr && !expected.empty()) {
        message += write_only(root, path) ? ", got a " + type_name(*value) + " (not shown)"
                                          : ", got " + shown(*value);
      }
    }
    if (std::find(out.begin(), out.end(), message) == out.end()) out.push_back(std::move(message));
    reported.push_back(std::move(path));
  }
  return out;
}

std::string join_violations(const std::vector<std::string>& violations) {
  return join(violations, "; ");
}

}  // namespace omnigate::plugin_host

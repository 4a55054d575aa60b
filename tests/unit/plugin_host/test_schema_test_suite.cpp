// The validator behind ConfigSchema against the official JSON Schema test suite (Debian's
// json-schema-test-suite, draft-07): a handful of its files, the keywords plugin schemas use,
// run through the wrapper the host uses. Proves the integration, not valijson itself.
#include "plugin_host/config_schema.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

using omnigate::plugin_host::ConfigSchema;

TEST_CASE("config schema: draft-07 cases of the JSON Schema test suite") {
  const auto file =
      GENERATE(as<std::string>{}, "type.json", "required.json", "additionalProperties.json",
               "properties.json", "minimum.json", "maximum.json", "enum.json", "pattern.json",
               "items.json", "minLength.json", "anyOf.json", "const.json");
  std::ifstream in(std::string(OG_JSON_SCHEMA_TEST_SUITE_DIR) + "/draft7/" + file);
  REQUIRE(in);
  const auto groups = nlohmann::json::parse(in);
  REQUIRE(groups.is_array());
  for (const auto& group : groups) {
    // The wrapper compiles object schemas only (a plugin's schema is one); draft-07 boolean
    // schemas appear nested in some groups and are covered there.
    if (!group["schema"].is_object()) continue;
    std::string error;
    const auto schema = ConfigSchema::compile(group["schema"].dump(), error);
    INFO(file << ": " << group["description"].get<std::string>() << ": " << error);
    REQUIRE(schema);
    for (const auto& test : group["tests"]) {
      INFO(test["description"].get<std::string>() << ": " << test["data"].dump());
      CHECK(schema->violations(test["data"].dump()).empty() == test["valid"].get<bool>());
    }
  }
}

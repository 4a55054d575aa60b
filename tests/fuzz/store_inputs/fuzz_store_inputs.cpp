// The store's parsers of channel-supplied text: identity normalisation (any "From" a provider
// sends) and the JSON columns (event data, agent skills). First byte picks the parser.
#include "store/identity.hpp"
#include "store/model_json.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  using namespace omnigate::store;
  switch (data[0] % 4) {
    case 0: {
      const Identity id = parse_identity("phone", input, "US");
      // Parsing is idempotent: a stored address looks itself up again.
      const Identity again = parse_identity("phone", id.address, "US");
      if (id.kind != "unverified" && (again.kind != id.kind || again.address != id.address))
        std::abort();
      if (id.address.size() > kMaxAddressBytes) std::abort();
      break;
    }
    case 1: {
      const std::string email = normalise_email(input);
      if (normalise_email(email) != email) std::abort();
      break;
    }
    case 2:
      try {
        json_object_with(input, {{"agent", "x"}}, "fuzz");
      } catch (const std::invalid_argument&) {
        // Not an object: the store reports this as the write's error.
      }
      break;
    default:
      (void)skills_from_json(input);
      (void)tiers_from_json(input);
      (void)capacity_from_json(input);
      break;
  }
  return 0;
}

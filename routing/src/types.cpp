// String forms of the routing value types; the same spellings the gateway's store uses.
#include "omnigate/routing/types.hpp"

namespace omnigate::routing {

const char* to_string(Tier t) {
  switch (t) {
    case Tier::S:
      return "S";
    case Tier::A:
      return "A";
    case Tier::B:
      return "B";
    case Tier::C:
      return "C";
  }
  return "?";
}

std::optional<Tier> tier_from_string(std::string_view s) {
  if (s == "S") return Tier::S;
  if (s == "A") return Tier::A;
  if (s == "B") return Tier::B;
  if (s == "C") return Tier::C;
  return std::nullopt;
}

const char* to_string(Presence p) {
  switch (p) {
    case Presence::online:
      return "online";
    case Presence::busy:
      return "busy";
    case Presence::away:
      return "away";
    case Presence::offline:
      return "offline";
  }
  return "?";
}

std::optional<Presence> presence_from_string(std::string_view s) {
  if (s == "online") return Presence::online;
  if (s == "busy") return Presence::busy;
  if (s == "away") return Presence::away;
  if (s == "offline") return Presence::offline;
  return std::nullopt;
}

}  // namespace omnigate::routing

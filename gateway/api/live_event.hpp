// A stream event's JSON form (docs/api.md "Event stream"): serialised once per event, whoever
// published it (the routing dispatcher, the complaint service).
#pragma once

#include "dispatch/live_event.hpp"

#include <cstdint>
#include <string>

namespace omnigate::api {

// The event as one JSON object text with its sequence number (the stream adds "prev_seq" per
// subscriber, docs/api.md "Sequence numbers").
std::string event_message(const dispatch::LiveEvent& e, std::uint64_t seq);

}  // namespace omnigate::api

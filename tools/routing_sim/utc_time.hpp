// Instants on the command line and in the report: UTC, to the second.
#pragma once

#include <optional>
#include <string>

#include "day.hpp"

namespace routing_sim {

// "2026-11-23", "2026-11-23T08:00", "2026-11-23T08:00:30" (a trailing "Z" is allowed), or Unix
// milliseconds; nullopt when it is none of these.
std::optional<UnixMs> parse_utc_time(const std::string& text);

// "2026-11-23 08:00:30 UTC"
std::string format_utc_time(UnixMs at);

}  // namespace routing_sim

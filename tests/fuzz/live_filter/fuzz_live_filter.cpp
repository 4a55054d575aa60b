// ?team=&tier=&priority= on GET /api/v1/queue and GET /api/v1/stream come from any client: the
// parser must answer (a filter or an error naming the parameter) for any query string, and a
// filter it accepts must hold only values the view can match on.
#include "api/live_filter.hpp"

#include <cstddef>
#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  omnigate::http::Request req;
  req.query.assign(reinterpret_cast<const char*>(data), size);
  const auto parsed = omnigate::api::parse_live_filter(req);
  if (!parsed.value) {
    if (parsed.error.field.empty() || parsed.error.status != 400) __builtin_trap();
    return 0;
  }
  const auto& f = *parsed.value;
  if (f.priority && (*f.priority < 1 || *f.priority > 4)) __builtin_trap();
  if (f.team && (f.team->empty() || f.team->size() > omnigate::api::kMaxTeamNameBytes))
    __builtin_trap();
  omnigate::dispatch::QueuedConversation q;
  q.team = f.team.value_or("");
  q.tier = f.tier.value_or("C");
  q.priority = f.priority.value_or(4);
  if (!omnigate::api::passes(f, q)) __builtin_trap();  // its own values pass its own filter
  return 0;
}

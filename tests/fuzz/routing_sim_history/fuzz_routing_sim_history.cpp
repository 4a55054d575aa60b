// routing-sim --from-db derives a replay from whatever a gateway database holds: event kinds in
// any order, JSON columns that may not be JSON, agents and conversations the engine refuses,
// and the operator's --add-agents / --from texts. Any history must give a Day the real engine
// accepts (simulate() throws on anything it refuses) or a clear error, never a crash.
#include <fuzzer/FuzzedDataProvider.h>

#include <stdexcept>

#include "history.hpp"
#include "roster_change.hpp"
#include "simulation.hpp"
#include "utc_time.hpp"

namespace {

using namespace routing_sim;
namespace st = omnigate::store;

constexpr UnixMs kT0 = 1795392000000LL;
constexpr UnixMs kSpan = 6 * 3600000LL;  // keeps the simulated clock short

const char* const kKinds[] = {"conversation.queued",   "conversation.reopened",
                              "conversation.requeued", "conversation.assigned",
                              "conversation.resolved", "conversation.closed",
                              "message.sent",          "conversation.created"};
const char* const kChannels[] = {"email", "sms", "webchat", "voice", "fax", ""};
const char* const kAgents[] = {"ann", "bo", "cy", ""};

std::string agent_json(FuzzedDataProvider& in) {
  if (in.ConsumeBool()) return in.ConsumeRandomLengthString(64);
  return std::string("{\"agent\":\"") + in.PickValueInArray(kAgents) + "\"}";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, size_t size) {
  FuzzedDataProvider in(data, size);
  HistoryRows rows;
  const auto time = [&] { return kT0 + in.ConsumeIntegralInRange<UnixMs>(0, kSpan); };
  for (int i = in.ConsumeIntegralInRange(0, 6); i > 0; --i) {
    ConversationRow c;
    c.id = in.ConsumeIntegralInRange<st::Id>(1, 8);
    c.customer_id = in.ConsumeIntegralInRange<st::Id>(1, 4);
    c.channel_kind = in.PickValueInArray(kChannels);
    c.tier = static_cast<st::Tier>(in.ConsumeIntegralInRange(0, 3));
    c.priority = in.ConsumeIntegralInRange(-1, 6);
    if (in.ConsumeBool())
      c.skills.push_back({in.ConsumeRandomLengthString(8), in.ConsumeIntegral<int>()});
    c.account_manager = in.PickValueInArray(kAgents);
    rows.conversations.push_back(c);
  }
  for (int i = in.ConsumeIntegralInRange(0, 40); i > 0; --i)
    rows.events.push_back({in.ConsumeIntegralInRange<st::Id>(1, 8), in.PickValueInArray(kKinds),
                           "system", agent_json(in), time()});
  for (int i = in.ConsumeIntegralInRange(0, 3); i > 0; --i) {
    st::Agent a;
    a.id = in.PickValueInArray(kAgents);
    a.skills = {{in.PickValueInArray(kChannels), in.ConsumeIntegralInRange(0, 6)}};
    a.capacity = {{in.PickValueInArray(kChannels), in.ConsumeIntegralInRange(-1, 3)}};
    a.presence = static_cast<st::Presence>(in.ConsumeIntegralInRange(0, 3));
    a.presence_since = time();
    rows.agents.push_back(a);
  }
  for (int i = in.ConsumeIntegralInRange(0, 6); i > 0; --i)
    rows.presence.push_back({std::string("agent:") + in.PickValueInArray(kAgents),
                             in.ConsumeRandomLengthString(40), time()});
  rows.last_activity = time();
  ReplayWindow window;
  if (in.ConsumeBool()) window = {time(), time()};
  try {
    Replay replay = replay_from_history(rows, window);
    if (in.ConsumeBool())
      add_agents(replay.day, parse_add_agents(in.ConsumeRandomLengthString(32)));
    (void)simulate(replay.day, omnigate::routing::Policy::defaults(), 60000);
  } catch (const std::invalid_argument&) {
    // An empty window, a bad --add-agents: reported to the operator, not a crash.
  }
  (void)parse_utc_time(in.ConsumeRemainingBytesAsString());
  return 0;
}

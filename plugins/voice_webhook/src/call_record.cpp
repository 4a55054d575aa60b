#include "call_record.hpp"

#include <nlohmann/json.hpp>

#include <array>

namespace omnigate::voice {
namespace {
constexpr std::array<const char*, 7> kStageNames = {"ivr",       "queued",   "ringing", "connected",
                                                    "voicemail", "callback", "ended"};
}

const char* to_string(Stage s) {
  return kStageNames.at(static_cast<size_t>(s));
}

std::optional<Stage> stage_from_string(std::string_view s) {
  for (size_t i = 0; i < kStageNames.size(); ++i)
    if (s == kStageNames[i]) return static_cast<Stage>(i);
  return std::nullopt;
}

std::string CallRecord::to_json() const {
  nlohmann::json j = {{"call_sid", call_sid},
                      {"thread_key", thread_key},
                      {"from", from},
                      {"to", to},
                      {"caller_name", caller_name},
                      {"direction", direction},
                      {"raw", raw},
                      {"malformed", malformed},
                      {"choice", choice},
                      {"ivr_digits", ivr_digits},
                      {"ivr_speech", ivr_speech},
                      {"voicemail_recording", voicemail_recording},
                      {"message_stored", message_stored},
                      {"language", language},
                      {"tier", tier},
                      {"customer_id", customer_id},
                      {"stage", to_string(stage)},
                      {"started_ms", started_ms},
                      {"queued_ms", queued_ms},
                      {"ivr_attempts", ivr_attempts},
                      {"conversation_id", conversation_id},
                      {"agent", agent},
                      {"agent_contact", agent_contact_json},
                      {"agent_leg_sid", agent_leg_sid},
                      {"previous_agent", previous_agent},
                      {"warm_transfer", warm_transfer},
                      {"rounds", rounds},
                      {"announced_position", announced_position},
                      {"queue_position", queue_position},
                      {"expected_wait_ms", expected_wait_ms},
                      {"leave_pending", leave_pending},
                      {"recorded", recorded}};
  // Caller names and numbers come from the provider: replace bytes that are not UTF-8.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<CallRecord> CallRecord::from_json(std::string_view text) {
  const auto j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  try {
    CallRecord r;
    r.call_sid = j.at("call_sid").get<std::string>();
    r.thread_key = j.value("thread_key", r.call_sid);
    r.from = j.value("from", "");
    r.to = j.value("to", "");
    r.caller_name = j.value("caller_name", "");
    r.direction = j.value("direction", "");
    r.raw = j.value("raw", "");
    r.malformed = j.value("malformed", false);
    r.choice = j.value("choice", -1);
    r.ivr_digits = j.value("ivr_digits", "");
    r.ivr_speech = j.value("ivr_speech", "");
    r.voicemail_recording = j.value("voicemail_recording", "");
    r.message_stored = j.value("message_stored", false);
    r.language = j.value("language", "");
    r.tier = j.value("tier", "");
    r.customer_id = j.value("customer_id", int64_t{0});
    const auto stage = stage_from_string(j.value("stage", ""));
    if (!stage) return std::nullopt;
    r.stage = *stage;
    r.started_ms = j.value("started_ms", int64_t{0});
    r.queued_ms = j.value("queued_ms", int64_t{0});
    r.ivr_attempts = j.value("ivr_attempts", 0);
    r.conversation_id = j.value("conversation_id", int64_t{0});
    r.agent = j.value("agent", "");
    r.agent_contact_json = j.value("agent_contact", "");
    r.agent_leg_sid = j.value("agent_leg_sid", "");
    r.previous_agent = j.value("previous_agent", "");
    r.warm_transfer = j.value("warm_transfer", false);
    r.rounds = j.value("rounds", 0);
    r.announced_position = j.value("announced_position", 0);
    r.queue_position = j.value("queue_position", 0);
    r.expected_wait_ms = j.value("expected_wait_ms", int64_t{-1});
    r.leave_pending = j.value("leave_pending", false);
    r.recorded = j.value("recorded", false);
    return r;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace omnigate::voice

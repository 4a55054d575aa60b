// What the plugin remembers about one call leg it handles, keyed by the provider's CallSid and
// kept in the instance's key/value store (kv "call/<CallSid>") so that a restarted gateway still
// knows the calls in progress: every webhook names its CallSid, every notice its thread key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace omnigate::voice {

enum class Stage {
  ivr,        // greeting and menu: nothing stored yet
  queued,     // in the provider's queue, routing looks for an agent
  ringing,    // the assigned agent's phone rings (the reservation)
  connected,  // the agent answered
  voicemail,  // leaving (or left) a message
  callback,   // a call-back we placed to the customer (outbound)
  ended,
};
const char* to_string(Stage s);
std::optional<Stage> stage_from_string(std::string_view s);

struct CallRecord {
  std::string call_sid;
  std::string thread_key;  // the conversation's thread: the inbound CallSid (call-backs: theirs)
  std::string from, to, caller_name, direction;
  std::string raw;         // the incoming-call webhook's body: the message's audit copy
  bool malformed = false;  // a webhook of the call could not be parsed cleanly
  int choice = -1;         // the IVR option chosen (index), -1 none
  std::string ivr_digits, ivr_speech;
  bool message_stored = false;      // the call's message (call, voicemail, missed call) is in
  std::string voicemail_recording;  // the voicemail's RecordingSid once the caller left one
  std::string language;
  std::string tier;         // the customer's tier when known (the greeting), else empty
  int64_t customer_id = 0;  // caller-ID lookup: the customer record, 0 = a new caller
  Stage stage = Stage::ivr;
  int64_t started_ms = 0;
  int64_t queued_ms = 0;  // when it entered the queue (wait of an abandoned call)
  int ivr_attempts = 0;
  int64_t conversation_id = 0;  // 0 until a notice or the commit named it
  std::string agent;            // assigned agent being dialled or talking
  std::string agent_contact_json;
  std::string agent_leg_sid;   // the agent's call leg once it rang
  std::string previous_agent;  // warm transfer: who stays on until the new agent joined
  bool warm_transfer = false;  // a warm transfer is in progress (conference)
  int rounds = 0;              // agents offered the call so far (assignments, transfers):
                               // keys its events so a provider's retry is stored once
  int announced_position = 0;  // last queue place told to the caller
  int queue_position = 0;      // last place routing reported
  int64_t expected_wait_ms = -1;
  bool leave_pending = false;  // assigned while the caller heard hold music
  bool recorded = false;       // the answered call is being recorded

  std::string to_json() const;
  static std::optional<CallRecord> from_json(std::string_view text);
};

// An agent leg we know of ("leg/<sid>" → the caller's CallSid), for legs whose callbacks carry
// no ParentCallSid (the warm-transfer leg we create through the REST API).
inline std::string call_key(std::string_view call_sid) {
  return "call/" + std::string(call_sid);
}
inline std::string leg_key(std::string_view leg_sid) {
  return "leg/" + std::string(leg_sid);
}
// A recording stored once ("recording/<RecordingSid>"): the provider's repeated callback is
// answered without fetching it again.
inline std::string recording_key(std::string_view recording_sid) {
  return "recording/" + std::string(recording_sid);
}

}  // namespace omnigate::voice

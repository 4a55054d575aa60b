// The voice channel plugin: a phone line at a cloud telephony provider speaking Twilio's Voice
// webhooks and TwiML. The provider asks what to do at every step of a call; the routing engine,
// not the provider's queue, decides which agent takes it. README.md has the routes, the TwiML
// of each step and a sequence diagram of one call.
//
// A call's state lives in a CallRecord (kv "call/<CallSid>"), read back after a restart; the
// conversation is the call's thread (thread key = the inbound CallSid). Webhooks whose answer
// must wait — the queue's wait request until routing has chosen an agent, a recording callback
// until the recording is stored — are deferred replies (ABI 2.0), so the provider's retry is
// the safety net and nothing acknowledged is lost.
#define OMNIGATE_PLUGIN_NEEDS_MINOR 2

#include "call_record.hpp"
#include "provider_api.hpp"
#include "twiml.hpp"
#include "voice_config.hpp"

#include <omnigate/common/form.hpp>
#include <omnigate/common/twilio_signature.hpp>
#include <omnigate/plugin.hpp>
#include <omnigate/utf8.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <variant>

namespace omnigate::voice {
namespace {

using nlohmann::json;

constexpr uint64_t kWebhookBodyBytes = 64 * 1024;  // Twilio's voice webhooks are a few KiB
constexpr uint32_t kLeaveGraceMs = 1000;  // an assignment waits this long for the next wait request
constexpr uint32_t kRecordingReplyMs = 30000;

HttpResponse text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body) + "\n", {}};
}
HttpResponse twiml(const Twiml& doc) {
  return HttpResponse{200, "text/xml", doc.str(), {}};
}
HttpResponse empty_ok() {
  return HttpResponse{200, "text/plain", "", {}};
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string field(const form::Fields& fields, std::string_view name) {
  const auto v = form::find(fields, name);
  return v ? utf8::repaired(*v) : std::string();
}

// A dialable target from the agent's contact: the TwiML noun and its value, and the address a
// REST-created call goes to.
struct DialTarget {
  std::string noun, value, rest_to;
};
std::optional<DialTarget> dial_target(const std::string& contact_json,
                                      const std::vector<std::string>& order) {
  const auto c = json::parse(contact_json.empty() ? "{}" : contact_json, nullptr, false);
  if (!c.is_object()) return std::nullopt;
  for (const auto& f : order) {
    const auto it = c.find(f);
    if (it == c.end() || !it->is_string() || it->get<std::string>().empty()) continue;
    const std::string v = it->get<std::string>();
    if (f == "client") return DialTarget{"Client", v, "client:" + v};
    if (f == "sip") return DialTarget{"Sip", v, v};
    return DialTarget{"Number", v, v};
  }
  return std::nullopt;
}

class VoicePlugin final : public Plugin {
 public:
  explicit VoicePlugin(const PluginContext& context)
      : Plugin(context),
        config_(parse_config(context.config_json)),
        signer_(config_.auth_token),
        api_(config_),
        instance_(context.instance_name),
        calls_total_(host().counter("voice_calls_total", "Incoming calls answered")),
        abandoned_total_(
            host().counter("voice_abandoned_total", "Callers who hung up in the queue")),
        ivr_hangups_total_(
            host().counter("voice_ivr_hangups_total", "Callers who hung up in the menu")),
        blocked_total_(
            host().counter("voice_blocked_total", "Calls from blocked numbers rejected")) {
    const auto info = host().host_info();
    std::string base = config_.public_base_url;
    if (base.empty() && info) base = info->public_base_url;
    if (base.empty())
      throw ConfigError("public_base_url",
                        "is required (here or as the instance's public_base_url): the provider "
                        "signs and is sent absolute URLs");
    public_base_ = base;
    base_ = base + (info ? info->mount_path : "/channels/" + instance_);

    const RouteOptions plain{kWebhookBodyBytes, 0};
    auto on = [this, plain](const char* path, HttpResponse (VoicePlugin::*fn)(const Call&)) {
      host().route(
          "POST", path, [this, fn](const HttpRequest& r) { return handle(r, fn); }, plain);
    };
    on("/voice", &VoicePlugin::on_incoming);
    on("/ivr", &VoicePlugin::on_ivr);
    on("/queue-exit", &VoicePlugin::on_queue_exit);
    on("/dial-done", &VoicePlugin::on_dial_done);
    on("/agent-status", &VoicePlugin::on_agent_status);
    on("/status", &VoicePlugin::on_status);
    on("/transcription", &VoicePlugin::on_transcription);
    on("/voicemail-done", &VoicePlugin::on_voicemail_done);
    on("/connect", &VoicePlugin::on_connect);
    on("/conference", &VoicePlugin::on_conference);
    on("/callback", &VoicePlugin::on_callback_answered);
    host().deferred_route(
        "POST", "/wait", [this](const HttpRequest& r) { deferred(r, &VoicePlugin::on_wait); },
        RouteOptions{kWebhookBodyBytes, static_cast<uint32_t>(config_.hold_poll_ms + 3000)});
    host().deferred_route(
        "POST", "/recording",
        [this](const HttpRequest& r) { deferred(r, &VoicePlugin::on_recording); },
        RouteOptions{kWebhookBodyBytes, kRecordingReplyMs});
    if (!config_.validate_signature)
      host().warn(
          "validate_signature = false: webhooks are accepted without checking who sent them");
  }

  // ---- conversations (routing's side of the call)

  void on_conversation(const ConversationNotice& n) override {
    CallRecord* rec = load(n.state.thread_key);
    if (rec == nullptr) return;  // a conversation this plugin keeps no call for (deleted kv)
    rec->conversation_id = n.state.conversation_id;
    switch (n.change) {
      case OG_CONVERSATION_QUEUE_CHANGED:
        rec->queue_position = n.state.queue_position;
        rec->expected_wait_ms = n.state.expected_wait_ms;
        save(*rec);
        if (rec->stage == Stage::queued) answer_wait_if_news(*rec);
        break;
      case OG_CONVERSATION_ASSIGNED:
        if (rec->stage == Stage::queued)
          assigned(*rec, n.state);
        else
          save(*rec);
        break;
      case OG_CONVERSATION_TRANSFERRED:
        transferred(*rec, n);
        break;
      default:
        save(*rec);
        break;
    }
  }

  // ---- call-back: an agent's reply on a voice conversation calls the customer

  void send(uint64_t ticket, const OutboundMessage& m) override {
    if (m.to_address.empty()) throw PermanentError("To: the conversation has no customer number");
    std::string from = config_.caller_id.empty() ? m.from_address : config_.caller_id;
    if (from.empty()) throw PermanentError("From: no caller_id configured and no number called");
    const auto request = api_.create_call(
        m.to_address, from, url("/callback", {{"conversation", std::to_string(m.conversation_id)}}),
        url("/status"), config_.ring_timeout_s * 3, m.idempotency_key);
    const std::string thread = m.thread_key, customer = m.to_address;
    const int64_t conversation = m.conversation_id;
    host().fetch(request,
                 [this, ticket, thread, customer, from, conversation](const FetchResponse& r) {
                   SendResult result = twilio::read_create_answer(r);
                   if (result.status == OG_OK) {
                     CallRecord rec;
                     rec.call_sid = result.provider_message_id;
                     rec.thread_key = thread;
                     rec.from = customer;
                     rec.to = from;
                     rec.stage = Stage::callback;
                     rec.started_ms = now_ms();
                     rec.conversation_id = conversation;
                     save(rec);
                   } else {
                     host().warn("call-back (ticket " + std::to_string(ticket) +
                                 ") failed: " + result.error_code + " " + result.error_text);
                   }
                   host().send_result(ticket, result);
                 });
  }

  // ---- agents' commands (PCI: recording paused while card details are given)

  og_status on_command(const ChannelCommand& c) override {
    const bool pause = c.command == "recording.pause";
    if (!pause && c.command != "recording.resume")
      throw Error(OG_PERMANENT, "unknown command " + c.command +
                                    " (voice knows recording.pause and recording.resume)");
    if (!config_.record_calls) throw Error(OG_PERMANENT, "calls are not recorded on this line");
    CallRecord* rec = load(c.thread_key);
    if (rec == nullptr || rec->stage != Stage::connected || !rec->recorded)
      throw Error(OG_NOT_FOUND, "no recorded call in progress");
    const std::string sid = rec->call_sid, agent = c.agent_id;
    host().fetch(api_.recording_status(sid, pause ? "paused" : "in-progress"),
                 [this, sid, pause, agent](const FetchResponse& r) {
                   const auto answer = twilio::read_create_answer(r);
                   CallRecord* current = load(sid);
                   if (current == nullptr) return;
                   if (answer.status != OG_OK) {
                     host().warn("recording " + std::string(pause ? "pause" : "resume") + " of " +
                                 sid + " failed: " + answer.error_text);
                     return;
                   }
                   submit_event(0, *current,
                                pause ? "call.recording_paused" : "call.recording_resumed", "",
                                {{"by", agent}});
                 });
    return OG_OK;
  }

  void on_timer(uint64_t id) override {
    const auto it = timers_.find(id);
    if (it == timers_.end()) return;
    const auto [kind, sid] = it->second;
    timers_.erase(it);
    CallRecord* rec = load(sid);
    if (rec == nullptr) return;
    if (kind == TimerKind::hold) {
      const auto w = waits_.find(sid);
      if (w == waits_.end() || w->second.timer != id) return;
      const uint64_t request = w->second.request;
      waits_.erase(w);
      host().respond(request, twiml(hold(*rec, false)));
    } else if (kind == TimerKind::leave_grace && rec->leave_pending) {
      // The caller hears hold music and asks nothing now: take them out of the queue directly.
      rec->leave_pending = false;
      save(*rec);
      redirect(*rec, rec->call_sid, url("/connect", {{"call", rec->call_sid}}));
    }
  }

 private:
  struct Call {
    const HttpRequest& request;
    form::Fields fields;
    form::Fields query;
    bool malformed = false;
    std::string sid;  // CallSid
  };
  using Handler = HttpResponse (VoicePlugin::*)(const Call&);
  using DeferredHandler = void (VoicePlugin::*)(const Call&);
  enum class TimerKind { hold, leave_grace };
  struct Wait {
    uint64_t request = 0;
    uint64_t timer = 0;
  };

  // Parse, check the signature and the CallSid; nullopt-like answers come back as a response.
  std::variant<Call, HttpResponse> read(const HttpRequest& r) {
    auto parsed = form::parse(r.body);
    if (!signature_ok(r, parsed.fields)) {
      host().warn("rejected webhook " + std::string(r.path) + " from " +
                  std::string(r.remote_addr) +
                  ": X-Twilio-Signature missing or wrong (check public_base_url and auth_token)");
      return text(403, "invalid X-Twilio-Signature");
    }
    Call c{r, std::move(parsed.fields), form::parse(r.query).fields, parsed.malformed, {}};
    c.sid = field(c.fields, "CallSid");
    if (c.sid.empty()) return text(400, "CallSid: missing");
    if (c.sid.size() > 64 || c.sid.find_first_of("/ \r\n") != std::string::npos)
      return text(400, "CallSid: not a call sid");
    return c;
  }

  HttpResponse handle(const HttpRequest& r, Handler fn) {
    auto c = read(r);
    if (auto* answer = std::get_if<HttpResponse>(&c)) return *answer;
    return (this->*fn)(std::get<Call>(c));
  }

  void deferred(const HttpRequest& r, DeferredHandler fn) {
    auto c = read(r);
    if (auto* answer = std::get_if<HttpResponse>(&c)) {
      host().respond(r.id, *answer);
      return;
    }
    (this->*fn)(std::get<Call>(c));
  }

  bool signature_ok(const HttpRequest& request, const form::Fields& fields) const {
    if (!config_.validate_signature) return true;
    const auto signature = request.header("X-Twilio-Signature");
    return signature &&
           signer_.matches(public_base_ + std::string(request.target), fields, *signature);
  }

  // ---- call records

  CallRecord* load(const std::string& sid) {
    if (sid.empty()) return nullptr;
    if (auto it = calls_.find(sid); it != calls_.end()) return &it->second;
    const auto stored = host().kv_get(call_key(sid));
    if (!stored) return nullptr;
    auto rec = CallRecord::from_json(*stored);
    if (!rec) {
      host().warn("call " + sid + ": stored state unreadable; the call is treated as unknown");
      return nullptr;
    }
    return &calls_.emplace(sid, std::move(*rec)).first->second;
  }

  void save(const CallRecord& rec) {
    calls_[rec.call_sid] = rec;
    host().kv_put(call_key(rec.call_sid), rec.to_json());
  }

  // The call a callback names: its own CallSid, or the parent leg for an agent leg.
  CallRecord* call_of_leg(const Call& c) {
    if (CallRecord* rec = load(field(c.fields, "ParentCallSid"))) return rec;
    if (const auto parent = host().kv_get(leg_key(c.sid))) return load(*parent);
    return load(c.sid);
  }

  std::string url(std::string_view path, const form::Fields& query = {}) const {
    std::string u = base_ + std::string(path);
    if (!query.empty()) u += "?" + form::encode(query);
    return u;
  }

  Speech speech(const CallRecord& rec, const std::string& text) const {
    const Texts& t = config_.texts(rec.language);
    return Speech{text, t.say_language, t.voice};
  }
  const Texts& texts(const CallRecord& rec) const { return config_.texts(rec.language); }

  // ---- storing

  void submit_event(uint64_t request_id, const CallRecord& rec, const std::string& kind,
                    const std::string& event_id, json data,
                    std::vector<Attachment> attachments = {}, CommitCallback done = {}) {
    ChannelEvent e;
    e.provider_event_id = event_id;
    e.kind = kind;
    e.from_kind = "phone";
    e.from_address = rec.from;
    e.to_address = rec.to;
    e.thread_key = rec.thread_key;
    data["call_sid"] = rec.call_sid;
    e.data_json = data.dump(-1, ' ', false, json::error_handler_t::replace);
    e.attachments = std::move(attachments);
    host().submit_event(request_id, e, std::move(done));
  }

  void action(const CallRecord& rec, og_conversation_action_kind kind, const std::string& agent,
              const std::string& reason, json data = json::object()) {
    const og_status st = host().conversation_action(
        kind, rec.conversation_id, rec.thread_key, agent, reason, data.dump(),
        [this, sid = rec.call_sid, kind](og_status status, int64_t) {
          if (status != OG_OK)
            host().warn("call " + sid + ": the gateway refused action " + std::to_string(kind));
        });
    if (st != OG_OK)
      host().warn("call " + rec.call_sid + ": action " + std::to_string(kind) + " not taken (" +
                  std::to_string(st) + ")");
  }

  enum class Contact { call, voicemail, missed_call };

  // The call as a customer message: it creates the conversation and queues it with the skills
  // and priority the caller chose. A live call is submitted when it joins the queue; a voicemail
  // when its recording is stored (attached); a caller who reached the voicemail but left no
  // recording as a missed call, so that someone calls back.
  void submit_call(uint64_t request_id, CallRecord& rec, Contact kind,
                   std::vector<Attachment> attachments = {}, CommitCallback done = {}) {
    const IvrOption* choice = rec.choice >= 0 && rec.choice < int(config_.ivr.options.size())
                                  ? &config_.ivr.options[size_t(rec.choice)]
                                  : nullptr;
    InboundMessage m;
    m.provider_message_id = rec.call_sid;
    m.from_kind = "phone";
    m.from_address = rec.from;
    m.from_name = rec.caller_name;
    m.to_address = rec.to;
    m.thread_key = rec.thread_key;
    static constexpr const char* kSubjects[] = {"Phone call", "Voicemail", "Missed call"};
    m.subject = kSubjects[static_cast<int>(kind)];
    m.body_text = m.subject + " from " + rec.from;
    if (!rec.caller_name.empty()) m.body_text += " (" + rec.caller_name + ")";
    if (choice && !choice->label.empty()) m.body_text += ": " + choice->label;
    m.skills = config_.skills;
    m.priority = config_.default_priority;
    if (choice) {
      for (const auto& sk : choice->skills) m.skills.push_back(sk);
      if (choice->priority) m.priority = choice->priority;
    }
    m.sent_at_ms = rec.started_ms;
    json meta = {{"CallSid", rec.call_sid},
                 {"From", rec.from},
                 {"To", rec.to},
                 {"CallerName", rec.caller_name},
                 {"Direction", rec.direction},
                 {"started_at_ms", rec.started_ms},
                 {"language", rec.language},
                 {"contact", m.subject}};
    if (rec.customer_id != 0) meta["customer_id"] = rec.customer_id;  // caller-ID lookup
    if (!rec.tier.empty()) meta["tier"] = rec.tier;
    if (choice) meta["ivr_choice"] = choice->label;
    if (!rec.ivr_digits.empty()) meta["ivr_digits"] = rec.ivr_digits;
    if (!rec.ivr_speech.empty()) meta["ivr_speech"] = rec.ivr_speech;
    m.metadata_json = meta.dump(-1, ' ', false, json::error_handler_t::replace);
    m.raw = rec.raw;  // the incoming-call webhook as the provider sent it
    m.malformed = rec.malformed;
    m.attachments = std::move(attachments);
    host().submit_inbound(request_id, m, std::move(done));
    rec.message_stored = true;
    if (kind == Contact::call) rec.queued_ms = now_ms();
    save(rec);
  }

  // ---- TwiML of each step

  Twiml& enqueue(Twiml& doc) const {
    return doc.enqueue({{"action", url("/queue-exit")},
                        {"method", "POST"},
                        {"waitUrl", url("/wait")},
                        {"waitUrlMethod", "POST"}},
                       "og-" + instance_);
  }

  Twiml& gather(Twiml& doc, const CallRecord& rec, int attempt) const {
    const std::string next = url("/ivr", {{"attempt", std::to_string(attempt)}});
    doc.gather({{"input", config_.ivr.speech ? "dtmf speech" : "dtmf"},
                {"numDigits", "1"},
                {"timeout", std::to_string(config_.ivr.timeout_s)},
                {"action", next},
                {"method", "POST"}},
               speech(rec, texts(rec).menu));
    // No input at all: the Gather falls through to here.
    return doc.redirect(url("/ivr", {{"attempt", std::to_string(attempt)}, {"timeout", "1"}}));
  }

  std::string greeting(const CallRecord& rec) const {
    const Texts& t = texts(rec);
    if (!rec.tier.empty())
      if (auto it = t.greeting_by_tier.find(rec.tier); it != t.greeting_by_tier.end())
        return it->second;
    return t.greeting;
  }

  Twiml record_voicemail(const CallRecord& rec, const std::string& prompt) const {
    Twiml doc;
    doc.say(speech(rec, prompt));
    Attributes a = {{"action", url("/voicemail-done")},
                    {"method", "POST"},
                    {"maxLength", std::to_string(config_.voicemail_max_s)},
                    {"finishOnKey", "#"},
                    {"playBeep", "true"},
                    {"recordingStatusCallback", url("/recording")},
                    {"recordingStatusCallbackMethod", "POST"}};
    if (config_.transcribe) {
      a.emplace_back("transcribe", "true");
      a.emplace_back("transcribeCallback", url("/transcription"));
    }
    doc.record(a);
    return doc;
  }

  // Hold: what the caller hears while nothing new is to be said (announce: the place changed).
  Twiml hold(CallRecord& rec, bool announce) {
    Twiml doc;
    if (announce && rec.queue_position > 0) {
      const Texts& t = texts(rec);
      doc.say(speech(rec, fill(t.queue_position, "position", std::to_string(rec.queue_position))));
      if (rec.expected_wait_ms > 0) {
        const auto minutes = std::max<int64_t>(1, (rec.expected_wait_ms + 59999) / 60000);
        doc.say(speech(rec, fill(t.expected_wait, "minutes", std::to_string(minutes))));
      }
      rec.announced_position = rec.queue_position;
      save(rec);
    }
    if (!config_.hold_music_url.empty())
      doc.play(config_.hold_music_url);
    else
      doc.pause(10);
    return doc;
  }

  // The assigned agent's phone rings; the caller is put through when they answer.
  Twiml& dial_agent(Twiml& doc, CallRecord& rec, uint64_t request_id) {
    const auto target = dial_target(rec.agent_contact_json, config_.agent_dial_order);
    if (!target) {
      host().warn("agent " + rec.agent + " has no client, sip or phone contact: call " +
                  rec.call_sid + " goes back to the queue");
      const std::string agent = rec.agent;
      back_to_queue(rec, request_id, agent, "no contact to dial", "no-contact");
      doc.say(speech(rec, texts(rec).connecting));
      return enqueue(doc);
    }
    rec.stage = rec.stage == Stage::callback ? Stage::callback : Stage::ringing;
    save(rec);
    if (config_.record_calls && config_.consent_announcement)
      doc.say(speech(rec, texts(rec).consent));
    Attributes a = {{"action", url("/dial-done")},
                    {"method", "POST"},
                    {"timeout", std::to_string(config_.ring_timeout_s)},
                    {"answerOnBridge", "true"}};
    if (config_.record_calls) {
      a.emplace_back("record", "record-from-answer-dual");
      a.emplace_back("recordingStatusCallback", url("/recording"));
      a.emplace_back("recordingStatusCallbackMethod", "POST");
    }
    doc.dial(a, target->noun,
             {{"statusCallback", url("/agent-status")},
              {"statusCallbackMethod", "POST"},
              {"statusCallbackEvent", "initiated ringing answered completed"}},
             target->value);
    // Keyed by the round: a provider's retry of the same step is stored once.
    submit_event(request_id, rec, "call.agent_dialled",
                 rec.call_sid + "/dialled/" + std::to_string(rec.rounds),
                 {{"agent", rec.agent}, {"to", target->rest_to}});
    return doc;
  }

  Twiml conference(const CallRecord& rec, bool caller) const {
    Twiml doc;
    Attributes a = {{"startConferenceOnEnter", caller ? "false" : "true"},
                    {"endConferenceOnExit", caller ? "true" : "false"},
                    {"beep", "false"}};
    if (caller && !config_.hold_music_url.empty())
      a.emplace_back("waitUrl", config_.hold_music_url);
    doc.dial({}, "Conference", a, "og-" + rec.call_sid);
    return doc;
  }

  // ---- routes

  HttpResponse on_incoming(const Call& c) {
    if (CallRecord* known = load(c.sid)) return repeat_incoming(*known);  // the provider retried
    CallRecord rec;
    rec.call_sid = c.sid;
    rec.thread_key = c.sid;
    rec.from = field(c.fields, "From");
    rec.to = field(c.fields, "To");
    rec.caller_name = field(c.fields, "CallerName");
    rec.language = config_.default_language;
    rec.direction = field(c.fields, "Direction");
    rec.started_ms = now_ms();
    rec.raw = std::string(c.request.body);
    rec.malformed = c.malformed;
    if (rec.from.empty()) return text(400, "From: missing");
    if (config_.blocked_numbers.count(rec.from)) {
      blocked_total_.add();
      host().info("rejected a call from a blocked number");
      Twiml doc;
      return twiml(doc.reject("rejected"));
    }
    calls_total_.add();
    // Caller-ID lookup: a known customer is greeted by their tier's text.
    if (const auto customer = host().customer_lookup("phone", rec.from)) {
      rec.tier = customer->tier;
      rec.customer_id = customer->customer_id;
    }
    if (config_.service_hours &&
        !config_.service_hours->open_at(std::chrono::system_clock::now())) {
      rec.stage = Stage::voicemail;
      save(rec);
      return twiml(record_voicemail(rec, texts(rec).closed));
    }
    if (!config_.ivr.options.empty()) {
      rec.stage = Stage::ivr;
      save(rec);
      Twiml doc;
      doc.say(speech(rec, greeting(rec)));
      return twiml(gather(doc, rec, 1));
    }
    rec.stage = Stage::queued;
    submit_call(c.request.id, rec, Contact::call);
    save(rec);
    Twiml doc;
    doc.say(speech(rec, greeting(rec))).say(speech(rec, texts(rec).connecting));
    return twiml(enqueue(doc));
  }

  HttpResponse repeat_incoming(CallRecord& rec) {
    switch (rec.stage) {
      case Stage::ivr: {
        Twiml doc;
        doc.say(speech(rec, greeting(rec)));
        return twiml(gather(doc, rec, std::max(1, rec.ivr_attempts)));
      }
      case Stage::voicemail:
        return twiml(record_voicemail(rec, texts(rec).voicemail));
      default: {
        Twiml doc;
        return twiml(enqueue(doc));
      }
    }
  }

  HttpResponse on_ivr(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    if (rec->stage != Stage::ivr) return repeat_incoming(*rec);
    int attempt = 1;
    if (const auto a = form::find(c.query, "attempt"))
      attempt = std::clamp(std::atoi(std::string(*a).c_str()), 1, 100);
    rec->ivr_attempts = attempt;
    const std::string digits = field(c.fields, "Digits");
    const std::string said = field(c.fields, "SpeechResult");
    const IvrOption* choice = config_.ivr_option(digits, said);
    if (choice == nullptr && attempt < config_.ivr.attempts) {
      save(*rec);
      Twiml doc;
      if (!digits.empty() || !said.empty()) doc.say(speech(*rec, texts(*rec).invalid_choice));
      return twiml(gather(doc, *rec, attempt + 1));
    }
    if (choice) {
      rec->choice = int(choice - config_.ivr.options.data());
      if (!choice->language.empty()) rec->language = choice->language;
    }
    rec->ivr_digits = digits;
    rec->ivr_speech = said;
    rec->malformed = rec->malformed || c.malformed;
    if (choice && choice->voicemail) {
      rec->stage = Stage::voicemail;
      save(*rec);
      return twiml(record_voicemail(*rec, texts(*rec).voicemail));
    }
    rec->stage = Stage::queued;
    submit_call(c.request.id, *rec, Contact::call);
    save(*rec);
    Twiml doc;
    doc.say(speech(*rec, texts(*rec).connecting));
    return twiml(enqueue(doc));
  }

  void on_wait(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) {
      host().respond(c.request.id, text(404, "unknown call"));
      return;
    }
    if (rec->leave_pending || rec->stage == Stage::ringing) {
      rec->leave_pending = false;
      save(*rec);
      Twiml doc;
      host().respond(c.request.id, twiml(doc.leave()));
      return;
    }
    if (rec->stage != Stage::queued) {  // a transfer or the end overtook this request
      Twiml doc;
      host().respond(c.request.id, twiml(doc.leave()));
      return;
    }
    if (rec->queue_position > 0 && rec->queue_position != rec->announced_position) {
      host().respond(c.request.id, twiml(hold(*rec, true)));
      return;
    }
    // Nothing new: hold the request until routing assigns the call or moves it, at most
    // hold_poll_ms; then hold music.
    drop_wait(c.sid);
    const uint64_t timer = host().set_timer(static_cast<uint32_t>(config_.hold_poll_ms));
    timers_[timer] = {TimerKind::hold, c.sid};
    waits_[c.sid] = Wait{c.request.id, timer};
  }

  void drop_wait(const std::string& sid) {
    const auto w = waits_.find(sid);
    if (w == waits_.end()) return;
    host().cancel_timer(w->second.timer);
    timers_.erase(w->second.timer);
    // A wait request replaced by a newer one: the provider gave up on it already.
    host().respond(w->second.request, twiml(Twiml{}));
    waits_.erase(w);
  }

  void answer_wait_if_news(CallRecord& rec) {
    const auto w = waits_.find(rec.call_sid);
    if (w == waits_.end() || rec.queue_position <= 0 ||
        rec.queue_position == rec.announced_position)
      return;
    const uint64_t request = w->second.request;
    host().cancel_timer(w->second.timer);
    timers_.erase(w->second.timer);
    waits_.erase(w);
    host().respond(request, twiml(hold(rec, true)));
  }

  void assigned(CallRecord& rec, const ConversationState& state) {
    ++rec.rounds;
    rec.agent = state.agent_id;
    rec.agent_contact_json = state.agent_contact_json;
    rec.stage = Stage::ringing;
    const auto w = waits_.find(rec.call_sid);
    if (w != waits_.end()) {
      const uint64_t request = w->second.request;
      host().cancel_timer(w->second.timer);
      timers_.erase(w->second.timer);
      waits_.erase(w);
      save(rec);
      Twiml doc;
      host().respond(request, twiml(doc.leave()));
      return;
    }
    rec.leave_pending = true;
    save(rec);
    timers_[host().set_timer(kLeaveGraceMs)] = {TimerKind::leave_grace, rec.call_sid};
  }

  HttpResponse on_queue_exit(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    const std::string result = field(c.fields, "QueueResult");
    Twiml doc;
    if (result == "leave") {
      if (!rec->agent.empty()) return twiml(dial_agent(doc, *rec, c.request.id));
      return twiml(enqueue(doc));  // left without an agent (cannot happen): back in
    }
    if (result == "error" || result == "system-error") return twiml(enqueue(doc));
    return twiml(doc);  // hangup, bridged, redirected: the status callback tells the rest
  }

  HttpResponse on_dial_done(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    const std::string status = field(c.fields, "DialCallStatus");
    if (rec->warm_transfer && (status == "completed" || status == "answered"))
      return twiml(conference(*rec, true));  // the first agent's leg went to the conference
    if (status == "completed" || status == "answered" || rec->stage == Stage::connected) {
      Twiml doc;
      return twiml(doc.hangup());
    }
    if (status.empty()) return text(400, "DialCallStatus: missing");
    if (rec->stage == Stage::queued) {  // the provider repeats a no-answer already handled
      Twiml doc;
      return twiml(enqueue(doc));
    }
    if (rec->stage == Stage::callback) {  // the agent missed their own call-back
      submit_event(c.request.id, *rec, "call.agent_no_answer", c.sid + "/dial-done/" + status,
                   {{"agent", rec->agent}, {"status", status}});
      Twiml doc;
      return twiml(doc.hangup());
    }
    // The reservation lapsed (no answer, busy, failed): the next agent, the caller stays queued.
    const std::string agent = rec->agent;
    back_to_queue(*rec, c.request.id, agent, "did not answer (" + status + ")", status);
    Twiml doc;
    doc.say(speech(*rec, texts(*rec).connecting));
    return twiml(enqueue(doc));
  }

  void back_to_queue(CallRecord& rec, uint64_t request_id, const std::string& agent,
                     const std::string& why, const std::string& status) {
    rec.stage = Stage::queued;
    rec.agent.clear();
    rec.agent_contact_json.clear();
    rec.announced_position = 0;
    save(rec);
    submit_event(request_id, rec, "call.agent_no_answer",
                 rec.call_sid + "/no-answer/" + std::to_string(rec.rounds),
                 {{"agent", agent}, {"status", status}}, {},
                 [this, sid = rec.call_sid, agent, why](og_status st, int64_t) {
                   if (st != OG_OK) return;
                   if (CallRecord* r = load(sid))
                     action(*r, OG_ACTION_REQUEUE, agent, "agent " + agent + " " + why);
                 });
  }

  HttpResponse on_agent_status(const Call& c) {
    CallRecord* rec = call_of_leg(c);
    if (rec == nullptr) return text(404, "unknown call");
    const std::string status = field(c.fields, "CallStatus");
    if (status.empty()) return text(400, "CallStatus: missing");
    const bool answered = status == "in-progress" || status == "answered";
    if (rec->warm_transfer && c.sid == rec->agent_leg_sid) {
      if (answered) {
        rec->warm_transfer = false;
        save(*rec);
        submit_event(c.request.id, *rec, "call.transfer_joined", c.sid + "/joined",
                     {{"agent", rec->agent}, {"previous_agent", rec->previous_agent}});
      } else if (status == "busy" || status == "no-answer" || status == "failed" ||
                 status == "canceled") {
        // The second agent did not come: the call stays with the first, who is still on it.
        const std::string back = rec->previous_agent;
        submit_event(c.request.id, *rec, "call.transfer_failed", c.sid + "/" + status,
                     {{"agent", rec->agent}, {"status", status}});
        rec->warm_transfer = false;
        rec->agent = back;
        rec->previous_agent.clear();
        save(*rec);
        action(*rec, OG_ACTION_TRANSFER, back, "warm transfer not answered (" + status + ")");
      }
      return empty_ok();
    }
    if (answered && (rec->stage == Stage::ringing || rec->stage == Stage::callback)) {
      rec->stage = Stage::connected;
      rec->agent_leg_sid = c.sid;
      rec->recorded = config_.record_calls;
      host().kv_put(leg_key(c.sid), rec->call_sid);
      save(*rec);
      submit_event(c.request.id, *rec, "call.agent_answered", c.sid + "/answered",
                   {{"agent", rec->agent}}, {}, [this, sid = rec->call_sid](og_status st, int64_t) {
                     if (st != OG_OK) return;
                     if (CallRecord* r = load(sid))
                       action(*r, OG_ACTION_ANSWERED, r->agent, "call answered");
                   });
    }
    return empty_ok();
  }

  HttpResponse on_status(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    const std::string status = field(c.fields, "CallStatus");
    if (status.empty()) return text(400, "CallStatus: missing");
    static const std::set<std::string> kKnown = {"queued",      "initiated", "ringing",
                                                 "in-progress", "completed", "busy",
                                                 "no-answer",   "failed",    "canceled"};
    if (!kKnown.count(status)) return text(400, "CallStatus: not a call status");
    const bool final = status == "completed" || status == "busy" || status == "no-answer" ||
                       status == "failed" || status == "canceled";
    const std::string event_id = c.sid + "/" + status;
    if (rec->call_sid != rec->thread_key) report_callback_delivery(c, *rec, status);
    if (!final) {
      if (rec->stage != Stage::ivr)
        submit_event(c.request.id, *rec, "call." + status, event_id, {{"status", status}});
      return empty_ok();
    }
    const Stage was = rec->stage;
    if (was == Stage::ended) return empty_ok();  // a repeated final callback: already stored
    rec->stage = Stage::ended;
    drop_wait(rec->call_sid);
    save(*rec);
    json data = {{"status", status}};
    if (const auto d = field(c.fields, "CallDuration"); !d.empty())
      data["duration_s"] = std::atoll(d.c_str());
    switch (was) {
      case Stage::ivr:
        ivr_hangups_total_.add();  // nothing was stored for this call: no conversation
        return empty_ok();
      case Stage::queued:
      case Stage::ringing: {
        const int64_t wait = rec->queued_ms ? now_ms() - rec->queued_ms : 0;
        abandoned_total_.add();
        data["wait_ms"] = wait;
        data["callback"] = config_.callback_on_abandon;
        const bool close = !config_.callback_on_abandon;
        submit_event(
            c.request.id, *rec, "call.abandoned", event_id, data, {},
            [this, sid = rec->call_sid, wait, close](og_status st, int64_t) {
              if (st != OG_OK || !close) return;
              if (CallRecord* r = load(sid))
                action(*r, OG_ACTION_ABANDONED, "",
                       "caller hung up after " + std::to_string(wait / 1000) + " s in the queue",
                       {{"wait_ms", wait}});
            });
        return empty_ok();
      }
      case Stage::connected:
        submit_event(c.request.id, *rec, "call.completed", event_id, data, {},
                     [this, sid = rec->call_sid](og_status st, int64_t) {
                       if (st != OG_OK) return;
                       if (CallRecord* r = load(sid))
                         action(*r, OG_ACTION_ENDED, r->agent, "call ended");
                     });
        return empty_ok();
      case Stage::voicemail:
        // The recording's callback stores the voicemail; without one the caller only left a
        // missed call, which is still someone to call back.
        if (rec->voicemail_recording.empty()) submit_call(c.request.id, *rec, Contact::missed_call);
        return empty_ok();
      default:  // a call-back nobody answered
        submit_event(c.request.id, *rec, "call." + status, event_id, data);
        return empty_ok();
    }
  }

  // A call-back's progress is also the delivery state of the agent's reply that asked for it.
  void report_callback_delivery(const Call& c, const CallRecord& rec, const std::string& status) {
    DeliveryReport d;
    d.provider_message_id = rec.call_sid;
    if (status == "queued")
      d.state = OG_DELIVERY_QUEUED;
    else if (status == "initiated" || status == "ringing")
      d.state = OG_DELIVERY_SENT;
    else if (status == "in-progress" || status == "completed")
      d.state = OG_DELIVERY_DELIVERED;
    else if (status == "failed")
      d.state = OG_DELIVERY_FAILED;
    else
      d.state = OG_DELIVERY_UNDELIVERED;  // busy, no-answer, canceled
    if (d.state == OG_DELIVERY_UNDELIVERED || d.state == OG_DELIVERY_FAILED) d.error_text = status;
    d.raw = std::string(c.request.body);
    host().submit_delivery(c.request.id, d);
  }

  void on_recording(const Call& c) {
    CallRecord* rec = load(c.sid);
    const uint64_t request = c.request.id;
    if (rec == nullptr) {
      host().respond(request, text(404, "unknown call"));
      return;
    }
    const std::string sid = field(c.fields, "RecordingSid");
    const std::string recording_url = field(c.fields, "RecordingUrl");
    const std::string status = field(c.fields, "RecordingStatus");
    if (sid.empty() || recording_url.empty()) {
      host().respond(request,
                     text(400, sid.empty() ? "RecordingSid: missing" : "RecordingUrl: missing"));
      return;
    }
    json data = {{"recording_sid", sid}, {"url", recording_url}};
    if (const auto d = field(c.fields, "RecordingDuration"); !d.empty())
      data["duration_s"] = std::atoll(d.c_str());
    if (!status.empty() && status != "completed") {
      data["reason"] = "recording " + status;
      recording_failed(request, *rec, sid, std::move(data));
      return;
    }
    if (host().kv_get(recording_key(sid))) {  // stored before: the provider repeats its callback
      host().respond(request, empty_ok());
      return;
    }
    host().fetch(api_.recording_download(recording_url), [this, request, call = rec->call_sid, sid,
                                                          data](const FetchResponse& r) mutable {
      CallRecord* current = load(call);
      if (current == nullptr) return;
      if (r.http_status != 200) {
        data["reason"] = r.http_status == 0
                             ? r.error
                             : "provider answered HTTP " + std::to_string(r.http_status);
        recording_failed(request, *current, sid, std::move(data));
        return;
      }
      if (static_cast<long long>(r.body.size()) > config_.max_recording_bytes) {
        data["reason"] =
            "larger than max_recording_bytes (" + std::to_string(config_.max_recording_bytes) + ")";
        recording_failed(request, *current, sid, std::move(data));
        return;
      }
      Attachment a;
      a.filename = "recording-" + sid + ".wav";
      a.content_type = "audio/wav";
      for (const auto& [name, value] : r.headers)
        if (detail::iequals(name, "Content-Type") && value.starts_with("audio/"))
          a.content_type = value;
      Host::BlobWriter writer(host());
      writer.write(r.body);
      a.blob_ref = writer.finish(&a.size);
      data["bytes"] = a.size;
      auto stored = [this, sid](og_status st, int64_t) {
        if (st == OG_OK) host().kv_put(recording_key(sid), "stored");
      };
      if (!current->message_stored &&
          (current->voicemail_recording == sid || current->stage == Stage::voicemail))
        submit_call(request, *current, Contact::voicemail, {a}, stored);
      else
        submit_event(request, *current, "call.recording", sid, data, {a}, stored);
      host().respond(request, empty_ok());
    });
  }

  void recording_failed(uint64_t request, CallRecord& rec, const std::string& sid, json data) {
    host().warn("recording " + sid + " of call " + rec.call_sid +
                " not stored: " + data.value("reason", std::string()));
    Attachment link;
    link.filename = "recording-" + sid + ".wav";
    link.content_type = "audio/wav";
    link.url = data.value("url", std::string());
    // A voicemail whose audio cannot be stored is still a message: with the provider's link.
    if (rec.voicemail_recording == sid && !rec.message_stored)
      submit_call(request, rec, Contact::voicemail, {link});
    submit_event(request, rec, "call.recording_failed", sid, std::move(data), {link});
    host().respond(request, empty_ok());
  }

  HttpResponse on_transcription(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    const std::string sid = field(c.fields, "TranscriptionSid");
    if (sid.empty()) return text(400, "TranscriptionSid: missing");
    submit_event(c.request.id, *rec, "call.transcription", sid,
                 {{"transcription_sid", sid},
                  {"recording_sid", field(c.fields, "RecordingSid")},
                  {"status", field(c.fields, "TranscriptionStatus")},
                  {"text", field(c.fields, "TranscriptionText")}});
    return empty_ok();
  }

  HttpResponse on_voicemail_done(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    // A recording follows (its status callback stores the voicemail); none: a missed call.
    const std::string recording = field(c.fields, "RecordingSid");
    if (!recording.empty() && field(c.fields, "RecordingDuration") != "0") {
      rec->voicemail_recording = recording;
      save(*rec);
    }
    Twiml doc;
    doc.say(speech(*rec, texts(*rec).voicemail_thanks)).hangup();
    return twiml(doc);
  }

  HttpResponse on_connect(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    rec->leave_pending = false;
    Twiml doc;
    if (!rec->agent.empty()) return twiml(dial_agent(doc, *rec, c.request.id));
    rec->stage = Stage::queued;
    save(*rec);
    doc.say(speech(*rec, texts(*rec).connecting));
    return twiml(enqueue(doc));
  }

  HttpResponse on_conference(const Call& c) {
    const auto call = form::find(c.query, "call");
    CallRecord* rec = call ? load(std::string(*call)) : nullptr;
    if (rec == nullptr) return text(404, "unknown call");
    const auto role = form::find(c.query, "role");
    return twiml(conference(*rec, role && *role == "caller"));
  }

  HttpResponse on_callback_answered(const Call& c) {
    CallRecord* rec = load(c.sid);
    if (rec == nullptr) return text(404, "unknown call");
    const auto conv = host().get_conversation(rec->conversation_id);
    if (!conv || conv->agent_id.empty()) {
      Twiml doc;
      return twiml(doc.say(speech(*rec, texts(*rec).voicemail_thanks)).hangup());
    }
    rec->agent = conv->agent_id;
    rec->agent_contact_json = conv->agent_contact_json;
    Twiml doc;
    doc.say(speech(*rec, texts(*rec).callback));
    return twiml(dial_agent(doc, *rec, c.request.id));
  }

  // ---- transfers

  void transferred(CallRecord& rec, const ConversationNotice& n) {
    if (rec.stage != Stage::connected && rec.stage != Stage::ringing) {
      save(rec);
      return;
    }
    const std::string from = n.previous_agent_id, to = n.state.agent_id;
    const auto detail = json::parse(n.detail_json.empty() ? "{}" : n.detail_json, nullptr, false);
    const bool warm = detail.is_object() && detail.value("mode", "") == "warm" && !to.empty() &&
                      rec.stage == Stage::connected && !rec.agent_leg_sid.empty();
    ++rec.rounds;
    submit_event(0, rec, "call.transfer", rec.call_sid + "/transfer/" + std::to_string(rec.rounds),
                 {{"mode", warm ? "warm" : "cold"}, {"from", from}, {"to", to}});
    if (!warm) {
      rec.agent = to;
      rec.agent_contact_json = to.empty() ? "" : n.state.agent_contact_json;
      rec.stage = to.empty() ? Stage::queued : Stage::ringing;
      save(rec);
      redirect(rec, rec.call_sid, url("/connect", {{"call", rec.call_sid}}));
      return;
    }
    const auto target = dial_target(n.state.agent_contact_json, config_.agent_dial_order);
    if (!target) {
      host().warn("warm transfer of " + rec.call_sid + ": agent " + to + " has no contact to dial");
      action(rec, OG_ACTION_TRANSFER, from, "agent " + to + " has no contact to dial");
      return;
    }
    // The first agent's leg goes into the conference; the caller follows from /dial-done (their
    // <Dial> ended); the new agent is called into it.
    rec.previous_agent = from;
    rec.agent = to;
    rec.agent_contact_json = n.state.agent_contact_json;
    rec.warm_transfer = true;
    const std::string first_leg = rec.agent_leg_sid;
    save(rec);
    redirect(rec, first_leg, url("/conference", {{"call", rec.call_sid}, {"role", "agent"}}));
    const std::string from_number = config_.caller_id.empty() ? rec.to : config_.caller_id;
    host().fetch(api_.create_call(target->rest_to, from_number,
                                  url("/conference", {{"call", rec.call_sid}, {"role", "agent"}}),
                                  url("/agent-status"), config_.ring_timeout_s, ""),
                 [this, sid = rec.call_sid](const FetchResponse& r) {
                   const auto answer = twilio::read_create_answer(r);
                   CallRecord* current = load(sid);
                   if (current == nullptr) return;
                   if (answer.status != OG_OK) {
                     host().warn("warm transfer of " + sid +
                                 ": calling the agent failed: " + answer.error_text);
                     const std::string back = current->previous_agent;
                     current->warm_transfer = false;
                     current->agent = back;
                     save(*current);
                     action(*current, OG_ACTION_TRANSFER, back,
                            "warm transfer: the agent could not be called");
                     return;
                   }
                   current->agent_leg_sid = answer.provider_message_id;
                   host().kv_put(leg_key(answer.provider_message_id), sid);
                   save(*current);
                 });
  }

  void redirect(const CallRecord& rec, const std::string& leg, const std::string& to_url) {
    host().fetch(api_.redirect_call(leg, to_url), [this, sid = rec.call_sid,
                                                   leg](const FetchResponse& r) {
      const auto answer = twilio::read_create_answer(r);
      if (answer.status != OG_OK)
        host().warn("redirecting call leg " + leg + " of " + sid + " failed: " + answer.error_text);
    });
  }

  VoiceConfig config_;
  twilio::RequestSigner signer_;
  ProviderApi api_;
  std::string instance_;
  std::string public_base_;  // signatures are over this + the request target
  std::string base_;         // public_base_ + mount path: our URLs in TwiML
  std::map<std::string, CallRecord> calls_;
  std::map<std::string, Wait> waits_;  // CallSid → the held wait request
  std::map<uint64_t, std::pair<TimerKind, std::string>> timers_;
  Host::Metric calls_total_, abandoned_total_, ivr_hangups_total_, blocked_total_;
};

}  // namespace
}  // namespace omnigate::voice

OMNIGATE_PLUGIN(omnigate::voice::VoicePlugin, "voice_webhook", "1.0.0", "voice",
                "Phone calls through a Twilio-compatible telephony provider: IVR, queue, agent "
                "legs, recordings and transcriptions in the transcript",
                omnigate::voice::kConfigSchemaJson)

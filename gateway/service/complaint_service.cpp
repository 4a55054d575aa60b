#include "service/complaint_service.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"
#include "service/complaint_json.hpp"
#include "service/group_resolver.hpp"

#include <chrono>
#include <map>

namespace omnigate::service {
namespace {

constexpr auto kTickInterval = std::chrono::seconds(1);

// The routing tier's business calendar for a normal complaint, the wall clock for a major one.
DeadlineFn deadline_for(const routing::Policy& policy, store::Tier tier, bool major) {
  if (major) return [](UnixMs from, std::int64_t ms) { return from + ms; };
  const auto rtier = routing::tier_from_string(store::to_string(tier)).value_or(routing::Tier::C);
  const routing::BusinessCalendar calendar = policy.calendar_for(rtier);
  return [calendar](UnixMs from, std::int64_t ms) { return calendar.add_service_time(from, ms); };
}

}  // namespace

LadderWindows ladder_windows(const config::ComplaintsConfig& c) {
  constexpr std::int64_t kMinuteMs = 60'000;
  return {c.contact_window_minutes * kMinuteMs, c.director_window_minutes * kMinuteMs,
          c.fix_due_minutes * kMinuteMs, c.executive_window_minutes * kMinuteMs,
          c.major_close_minutes * kMinuteMs};
}

struct ComplaintService::State : std::enable_shared_from_this<State> {
  store::Store& store;
  dispatch::RoutingDispatcher& dispatcher;
  std::shared_ptr<api::LiveEvents> live;
  const LadderWindows windows;
  std::shared_ptr<Strand> strand;
  std::uint64_t tick_timer = 0;
  bool running = false;
  std::map<store::Id, Complaint> open;  // by id

  State(store::Store& s, Executor& e, dispatch::RoutingDispatcher& d,
        std::shared_ptr<api::LiveEvents> l, LadderWindows w)
      : store(s), dispatcher(d), live(std::move(l)), windows(w), strand(e.make_strand()) {}

  // Runs fn on the strand with the routing policy in force.
  void with_policy(std::function<void(State&, const routing::Policy&)> fn) {
    std::weak_ptr<State> weak = weak_from_this();
    dispatcher.current_policy([weak, fn = std::move(fn)](routing::Policy policy) {
      auto self = weak.lock();
      if (!self) return;
      self->strand->post([weak, fn, policy = std::move(policy)] {
        if (auto s = weak.lock()) fn(*s, policy);
      });
    });
  }

  Resolver resolver_for(store::Id customer_id) { return group_resolver(store, customer_id); }

  DeadlineFn deadline_of(const Complaint& c, const routing::Policy& policy) {
    const auto conv = store.get_conversation(c.conversation_id);
    return deadline_for(policy, conv ? conv->tier : store::Tier::C, c.major);
  }

  static store::StoredComplaint row_of(const Complaint& c) {
    return {c.id,
            c.conversation_id,
            c.customer_id,
            c.major ? "major" : "normal",
            c.open ? "open" : "closed",
            c.level,
            c.filed_at,
            complaint_to_json(c).dump()};
  }

  static std::vector<store::EventRecord> events_of(const Complaint& c,
                                                   const std::vector<Step>& steps) {
    std::vector<store::EventRecord> out;
    for (const auto& s : steps) {
      nlohmann::json data = {{"level", s.level}, {"detail", s.detail}};
      if (!s.role.empty()) data["role"] = s.role;
      if (!s.notified.empty()) data["notified"] = s.notified;
      if (s.due_at != 0) data["due_at"] = s.due_at;
      out.push_back({c.conversation_id, "complaint." + s.kind, s.actor, data.dump(), s.at});
    }
    return out;
  }

  // After the commit: every step on the stream, and a notification to each person a step
  // addresses.
  void publish(const Complaint& c, const std::vector<Step>& steps) {
    if (!live) return;
    for (const auto& s : steps) {
      dispatch::LiveEvent e;
      e.type = "complaint." + s.kind;
      e.at = s.at;
      e.conversation_id = c.conversation_id;
      e.complaint_id = c.id;
      e.level = s.level;
      e.reason = s.detail;
      live->publish(e);
      if (!s.notify) continue;
      dispatch::LiveEvent n = e;
      n.type = "complaint.notification";
      n.target = s.role;
      n.due_at = s.due_at;
      n.recipient = s.notified;
      if (s.notified.rfind("agent:", 0) == 0) n.agent = s.notified.substr(6);
      live->publish(n);
    }
  }

  // Writes the complaint with its steps; once committed, keeps it (open) and publishes.
  void save(Complaint c, std::vector<Step> steps, int status, ComplaintDone done) {
    std::weak_ptr<State> weak = weak_from_this();
    store.save_complaint(
        {row_of(c), events_of(c, steps), now_ms()},
        [weak, c, steps, status, done](store::Outcome<store::Id> r) mutable {
          auto self = weak.lock();
          if (!self) return;
          self->strand->post([self, c = std::move(c), steps, status, done, r]() mutable {
            if (!r.ok) {
              log(LogLevel::error, "complaints", "storing complaint failed: " + r.error);
              if (done)
                done({r.error.find("does not exist") != std::string::npos ? 404 : 500, r.error,
                      nullptr});
              return;
            }
            // A new complaint joins the open ones once it has its id; a changed one was
            // updated there before the write, so the next tick never repeats its steps.
            if (c.id == 0) {
              c.id = r.value;
              self->open[c.id] = c;
            }
            self->publish(c, steps);
            if (done) done({status, "", complaint_to_json(c)});
          });
        });
  }

  void tick(const routing::Policy& policy) {
    const UnixMs now = now_ms();
    for (auto& [id, c] : open) {
      const auto due = next_due(c);
      if (!due || *due > now) continue;
      auto steps = advance(c, now, windows, deadline_of(c, policy), resolver_for(c.customer_id));
      if (!steps.empty()) save(c, std::move(steps), 200, nullptr);
    }
  }

  void schedule_tick() {
    std::weak_ptr<State> weak = weak_from_this();
    tick_timer = strand->post_after(kTickInterval, [weak] {
      auto self = weak.lock();
      if (!self || !self->running) return;
      self->with_policy([](State& s, const routing::Policy& p) {
        s.tick(p);
        if (s.running) s.schedule_tick();
      });
    });
  }
};

ComplaintService::ComplaintService(store::Store& store, Executor& executor,
                                   dispatch::RoutingDispatcher& dispatcher,
                                   std::shared_ptr<api::LiveEvents> live, LadderWindows windows)
    : state_(std::make_shared<State>(store, executor, dispatcher, std::move(live), windows)) {}

ComplaintService::~ComplaintService() {
  stop();
}

void ComplaintService::start() {
  auto state = state_;
  state->strand->post([state] {
    for (const auto& row : state->store.list_complaints("open")) {
      auto c = complaint_from_json(nlohmann::json::parse(row.record_json));
      c.id = row.id;
      state->open[row.id] = std::move(c);
    }
    state->running = true;
    state->schedule_tick();
  });
}

void ComplaintService::stop() {
  auto state = state_;
  state->strand->post([state] {
    state->running = false;
    state->strand->cancel(state->tick_timer);
  });
}

void ComplaintService::file(Filing filing, ComplaintDone done) {
  state_->with_policy([filing = std::move(filing), done](State& s, const routing::Policy& p) {
    const auto conv = s.store.get_conversation(filing.conversation_id);
    if (!conv)
      return done({404, "no conversation " + std::to_string(filing.conversation_id), nullptr});
    if (conv->status == store::ConversationStatus::closed)
      return done({409, "conversation " + std::to_string(conv->id) + " is closed", nullptr});
    Filing f = filing;
    f.customer_id = conv->customer_id;
    if (f.channel.empty()) f.channel = conv->channel_kind;
    std::vector<Step> steps;
    const UnixMs now = now_ms();
    const auto deadline = deadline_for(p, conv->tier, f.major);
    Complaint c = file_complaint(f, now, s.windows, deadline, s.resolver_for(f.customer_id), steps);
    s.save(std::move(c), std::move(steps), 201, done);
  });
}

void ComplaintService::act(store::Id id, ComplaintAction action, ComplaintDone done) {
  state_->with_policy([id, action = std::move(action), done](State& s, const routing::Policy& p) {
    auto it = s.open.find(id);
    if (it == s.open.end()) {
      const auto row = s.store.get_complaint(id);
      if (!row) return done({404, "no complaint " + std::to_string(id), nullptr});
      return done({409, "complaint " + std::to_string(id) + " is closed", nullptr});
    }
    Complaint c = it->second;
    const UnixMs now = now_ms();
    const auto deadline = s.deadline_of(c, p);
    const auto resolve = s.resolver_for(c.customer_id);
    // Lapses first: an action after its window is judged at the level the ladder is at now.
    auto steps = advance(c, now, s.windows, deadline, resolve);
    StepResult r;
    using K = ComplaintAction::Kind;
    switch (action.kind) {
      case K::contact:
        r = record_contact(c, action.actor, now);
        break;
      case K::escalate:
        r = escalate(c, action.actor, action.text, now, s.windows, deadline, resolve);
        break;
      case K::commitment:
        r = record_commitment(c, action.actor, action.text, action.fix_due, now, s.windows);
        break;
      case K::assign_executive:
        r = assign_executive(c, action.actor, action.text, now);
        break;
      case K::close:
        r = close_complaint(c, action.actor, action.text, now);
        break;
    }
    if (!r.error.empty()) {
      if (!steps.empty()) s.save(it->second = c, std::move(steps), 200, nullptr);
      return done({409, r.error, nullptr});
    }
    steps.insert(steps.end(), r.steps.begin(), r.steps.end());
    if (c.open)
      it->second = c;
    else
      s.open.erase(it);
    s.save(std::move(c), std::move(steps), 200, done);
  });
}

}  // namespace omnigate::service

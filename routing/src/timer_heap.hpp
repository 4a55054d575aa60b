// The routing engine's conversation timers (SLA warnings and breaches, progress reminders,
// escalations, offer expiry) in one min-heap (private to the routing engine).
//
// Timers are never searched for or erased: a conversation that is re-timed, paused or gone
// leaves its old timers in the heap, and the engine skips them when they come due (it compares
// the generation a timer was pushed with against the conversation's current one).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <queue>
#include <tuple>
#include <vector>

#include "omnigate/routing/engine.hpp"

namespace omnigate::routing {

struct Timer {
  UnixMs due = 0;
  std::uint64_t seq = 0;  // push order: equal due times pop first in, first out
  ConversationId conv = 0;
  TimerKind kind = TimerKind::escalation;
  std::uint32_t gen = 0;
  // The instant the timer stands for (a deadline, a reminder's slot): `due` is later when it
  // came due while the gateway was down and fires at the rebuild instead.
  UnixMs deadline = 0;
  bool operator>(const Timer& o) const { return std::tie(due, seq) > std::tie(o.due, o.seq); }
};

class TimerHeap {
 public:
  // `deadline` defaults to `due`: the timer fires at the instant it stands for.
  void push(UnixMs due, ConversationId conv, TimerKind kind, std::uint32_t gen,
            std::optional<UnixMs> deadline = std::nullopt) {
    heap_.push(Timer{due, next_seq_++, conv, kind, gen, deadline.value_or(due)});
  }

  // The earliest timer due by `now`, removed from the heap; none if nothing is due yet.
  std::optional<Timer> pop_due(UnixMs now) {
    if (heap_.empty() || heap_.top().due > now) return std::nullopt;
    Timer t = heap_.top();
    heap_.pop();
    return t;
  }

  // When the earliest timer comes due; none if the heap is empty.
  std::optional<UnixMs> next_due() const {
    return heap_.empty() ? std::nullopt : std::optional<UnixMs>(heap_.top().due);
  }

 private:
  std::priority_queue<Timer, std::vector<Timer>, std::greater<>> heap_;
  std::uint64_t next_seq_ = 0;
};

}  // namespace omnigate::routing

// Where the dispatcher reports what routing decides as it happens: the supervisors' event stream
// (api::LiveEvents implements it; serve_command wires the two). An interface so the dispatcher
// does not depend on the API that renders and sends the events.
#pragma once

#include "dispatch/live_event.hpp"
#include "dispatch/live_view.hpp"
#include "store/model.hpp"

#include <cstddef>
#include <vector>

namespace omnigate::dispatch {

class LivePublisher {
 public:
  virtual ~LivePublisher() = default;

  virtual void publish(const LiveEvent& event) = 0;
  // 0: nobody listens, and the dispatcher builds no events.
  virtual std::size_t subscriber_count() const = 0;
  // The engine was rebuilt (policy reload) and earlier events no longer describe its state:
  // every subscriber gets a fresh snapshot of `view` with the stored `agents`.
  virtual void resnapshot(const LiveView& view, const std::vector<store::Agent>& agents) = 0;
};

}  // namespace omnigate::dispatch

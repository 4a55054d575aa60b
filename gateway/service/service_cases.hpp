// After-sales service cases (DOMAIN.md "After-sales"; docs/service-processes.md): a case moves
// through the handbook's stages, each with a response target ([service_cases], default 24 h).
// This watches the targets by itself — a stage whose target passed is flagged once in the
// transcript and on the event stream — and gives each move its target.
#pragma once

#include "api/live_events.hpp"
#include "config/config.hpp"
#include "core/executor.hpp"
#include "service/repeating_pass.hpp"
#include "store/store.hpp"

#include <functional>
#include <memory>
#include <optional>

namespace omnigate::service {

class ServiceCases {
 public:
  using Clock = std::function<store::UnixMs()>;
  ServiceCases(store::Store& store, Executor& executor, std::shared_ptr<api::LiveEvents> live,
               config::ServiceCasesConfig config, Clock clock);
  ~ServiceCases();
  ServiceCases(const ServiceCases&) = delete;
  ServiceCases& operator=(const ServiceCases&) = delete;

  void start();
  void stop();

  // The target of `stage` entered at `at` (none for "closed").
  std::optional<store::UnixMs> due_at(const std::string& stage, store::UnixMs at) const;

  struct State;

 private:
  std::shared_ptr<State> state_;
  RepeatingPass passes_;
};

}  // namespace omnigate::service

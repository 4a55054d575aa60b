// Sends webhook deliveries: POSTs each due delivery's stored body to its subscription's URL
// through the gateway's guarded HTTP client (plugin_host/http_fetcher.hpp: no redirects, no
// proxies, loopback/private addresses refused unless the subscription has
// allow_private_fetch), signed (signature.hpp) afresh at every attempt. A 2xx answer delivers
// it; anything else is retried with exponential backoff and jitter until max_attempts, then the
// delivery is "failed" (visible in the admin API, retried from there). Each attempt is
// recorded before the request goes out, so a restart resumes deliveries left pending,
// retrying or sending: at least once, and receivers deduplicate on Omnigate-Delivery.
#pragma once

#include "core/executor.hpp"
#include "core/metrics.hpp"
#include "store/store.hpp"
#include "webhooks/subscriptions.hpp"

#include <memory>

namespace omnigate::plugin_host {
class HttpFetcher;
}

namespace omnigate::webhooks {

class DeliverySender {
 public:
  // References must outlive the sender (stop() first).
  DeliverySender(store::Store& store, Executor& executor, Metrics& metrics,
                 const Subscriptions& subscriptions);
  ~DeliverySender();
  DeliverySender(const DeliverySender&) = delete;
  DeliverySender& operator=(const DeliverySender&) = delete;

  void start();  // resumes what a previous run left
  void stop();   // no new attempts; requests in flight are abandoned and resumed at next start
  void wake();   // deliveries were enqueued or retried: look now, not at the next poll

  struct State;

 private:
  // Outside State and destroyed after it: completions of requests still in flight hold the
  // State, and the fetcher's transfer thread must never be the one that destroys (and so
  // joins) the fetcher.
  std::unique_ptr<plugin_host::HttpFetcher> fetcher_;
  std::shared_ptr<State> state_;
};

}  // namespace omnigate::webhooks

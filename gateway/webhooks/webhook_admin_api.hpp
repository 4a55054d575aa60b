// The admin API of outbound webhooks (docs/api.md "Outbound webhooks"): the subscriptions with
// their deliveries counted by state, the deliveries (failed ones above all), and sending a
// failed delivery again. Admins only; the store audits each retry ("webhook.retry").
#pragma once

#include "http/router.hpp"
#include "store/store.hpp"
#include "webhooks/subscriptions.hpp"

#include <functional>
#include <memory>

namespace omnigate::webhooks {

class WebhookAdminApi {
 public:
  // `retried` runs after a retry was committed (on the store's writer thread: keep it short),
  // so the sender looks at once instead of at its next poll.
  WebhookAdminApi(store::Store& store, const Subscriptions& subscriptions,
                  std::function<void()> retried);
  ~WebhookAdminApi();
  WebhookAdminApi(const WebhookAdminApi&) = delete;
  WebhookAdminApi& operator=(const WebhookAdminApi&) = delete;

  void register_routes(http::Router& router);

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace omnigate::webhooks

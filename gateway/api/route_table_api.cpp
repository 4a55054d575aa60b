#include "api/route_table_api.hpp"

#include "api/json_response.hpp"
#include "api/role_guard.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

struct RouteTableApi::Impl {
  store::Store& store;
  const http::Router& router;

  Impl(store::Store& s, const http::Router& r) : store(s), router(r) {}

  void list(const http::Request&, const Caller&, http::Reply reply) {
    nlohmann::json routes = nlohmann::json::array();
    for (const auto& r : router.routes()) {
      routes.push_back({{"method", r.method},
                        {"pattern", r.pattern},
                        {"websocket", r.websocket},
                        {"access", http::to_string(r.access.kind)},
                        {"roles", r.access.roles}});
    }
    reply(json_response(200, {{"routes", std::move(routes)}}));
  }
};

RouteTableApi::RouteTableApi(store::Store& store, const http::Router& router)
    : impl_(std::make_shared<Impl>(store, router)) {}

RouteTableApi::~RouteTableApi() = default;

void RouteTableApi::register_routes(http::Router& router) {
  router.add("GET", "/api/v1/admin/routes",
             guarded_method(impl_, {store::Role::admin}, &Impl::list));
}

}  // namespace omnigate::api

// The API's JSON responses and its one error shape (docs/api.md "Errors"):
// {"error": "<code>", "message": "<human text>", "field": "<field>"}.
#pragma once

#include "api/request_body.hpp"
#include "http/http_types.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>

namespace omnigate::api {

http::Response json_response(int status, const nlohmann::json& body);
// `field` is left out of the body when empty.
http::Response error_response(int status, std::string code, std::string message,
                              std::string field = {});
http::Response body_error(const BodyError& e);
// A store write's refusal: "... does not exist" is 404 not_found, anything else 409 conflict
// (without the store's "conflict: " prefix).
http::Response store_refusal(const std::string& error);

// The route's {id} as a positive integer; otherwise a 400 naming it is sent and nullopt returned.
std::optional<store::Id> id_param(const http::Request& req, const http::Reply& reply);

}  // namespace omnigate::api

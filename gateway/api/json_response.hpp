// The API's JSON responses and its one error shape (docs/api.md "Errors"):
// {"error": "<code>", "message": "<human text>", "field": "<field>"}.
#pragma once

#include "api/request_body.hpp"
#include "http/http_types.hpp"

#include <nlohmann/json_fwd.hpp>

#include <string>

namespace omnigate::api {

http::Response json_response(int status, const nlohmann::json& body);
// `field` is left out of the body when empty.
http::Response error_response(int status, std::string code, std::string message,
                              std::string field = {});
http::Response body_error(const BodyError& e);

}  // namespace omnigate::api

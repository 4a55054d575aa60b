#include "api/json_response.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

http::Response json_response(int status, const nlohmann::json& body) {
  return {status, "application/json", body.dump(), {}};
}

http::Response error_response(int status, std::string code, std::string message,
                              std::string field) {
  nlohmann::json body = {{"error", std::move(code)}, {"message", std::move(message)}};
  if (!field.empty()) body["field"] = std::move(field);
  return json_response(status, body);
}

http::Response body_error(const BodyError& e) {
  return error_response(e.status, e.code, e.message, e.field);
}

}  // namespace omnigate::api

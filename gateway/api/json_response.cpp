#include "api/json_response.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::api {

http::Response json_response(int status, const nlohmann::json& body) {
  // Stored text is what customers sent, not always UTF-8 (a Latin-1 mail part, a carrier's odd
  // SMS): such bytes are shown as U+FFFD instead of failing the whole answer.
  return {status,
          "application/json",
          body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace),
          {}};
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

http::Response store_refusal(const std::string& error) {
  if (error.find("does not exist") != std::string::npos)
    return error_response(404, "not_found", error);
  constexpr std::string_view kConflict = "conflict: ";
  return error_response(409, "conflict",
                        error.starts_with(kConflict) ? error.substr(kConflict.size()) : error);
}

std::optional<store::Id> id_param(const http::Request& req, const http::Reply& reply) {
  const auto it = req.params.find("id");
  const auto id = parse_path_id(it == req.params.end() ? std::string_view() : it->second);
  if (!id) reply(error_response(400, "invalid_field", "id must be a positive integer", "id"));
  return id;
}

}  // namespace omnigate::api

// TEMPORARY local placeholder (not committed): replaced by the wc-mail branch.
#pragma once
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
namespace omnigate::webchat {
class ServiceHours {
 public:
  static ServiceHours from_json(const nlohmann::json&) { return {}; }
  static ServiceHours always_open() { return {}; }
  bool open_at(std::chrono::system_clock::time_point) const { return true; }
  std::optional<std::chrono::system_clock::time_point> next_opening(
      std::chrono::system_clock::time_point) const {
    return std::nullopt;
  }
};
inline const char* const kServiceHoursSchema = R"({"type":"object"})";
}  // namespace omnigate::webchat

// The API's JSON shapes of the store's model (docs/api.md "Shapes"). Absent values are null;
// times are Unix milliseconds.
#pragma once

#include "store/model.hpp"
#include "store/workspace_records.hpp"

#include <nlohmann/json_fwd.hpp>

#include <optional>

namespace omnigate::api {

nlohmann::json conversation_json(const store::Conversation& c);
nlohmann::json customer_json(const store::Customer& c);
nlohmann::json transcript_entry_json(const store::TranscriptEntry& e);
nlohmann::json agent_json(const store::Agent& a);
// {"name", "roles": [...], "role": the last of roles (what clients from before roles read),
//  "agent_id": id or null}
nlohmann::json user_json(const store::User& u);
// {"language": "zh-CN" | null, "time_zone": "Asia/Shanghai" | null}: the user's console
// settings (GET /me, GET /auth/me, PUT /auth/me/preferences).
nlohmann::json preferences_json(const std::optional<store::UserPreferences>& p);

}  // namespace omnigate::api

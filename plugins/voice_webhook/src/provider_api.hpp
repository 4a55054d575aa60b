// The provider's REST API calls the voice plugin makes (Twilio's Call and Recording resources,
// https://www.twilio.com/docs/voice/api/call-resource), built as host fetch requests: Basic auth
// AccountSid:AuthToken, form bodies, JSON answers.
#pragma once

#include "voice_config.hpp"

#include <omnigate/common/twilio_rest.hpp>
#include <omnigate/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace omnigate::voice {

class ProviderApi {
 public:
  explicit ProviderApi(const VoiceConfig& config) : config_(config) {}

  // POST /Calls/{sid}.json Url=…: the call leaves whatever TwiML it runs and fetches `url`.
  FetchRequest redirect_call(std::string_view call_sid, std::string_view url) const;
  // POST /Calls.json: a new call to `to` that runs `url` when answered.
  FetchRequest create_call(std::string_view to, std::string_view from, std::string_view url,
                           std::string_view status_callback, int timeout_s,
                           std::string_view idempotency_key) const;
  // POST /Calls/{sid}/Recordings/Twilio.CURRENT.json Status=paused|in-progress.
  FetchRequest recording_status(std::string_view call_sid, std::string_view status) const;
  // GET of a recording: the provider's RecordingUrl with ".wav". Loopback/private addresses are
  // asked for only when the URL is on api_base's origin and allow_private_api is set; any other
  // URL (a forged callback's) stays under the host's SSRF guard.
  FetchRequest recording_download(std::string_view recording_url) const;

 private:
  FetchRequest request(std::string method, std::string path_below_account) const;
  const VoiceConfig& config_;
};

// "scheme://host[:port]" of an absolute URL, lower-cased; empty when it is not one.
std::string url_origin(std::string_view url);

}  // namespace omnigate::voice

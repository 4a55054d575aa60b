#include "provider_api.hpp"

#include <omnigate/common/form.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace omnigate::voice {

FetchRequest ProviderApi::request(std::string method, std::string path_below_account) const {
  FetchRequest r;
  r.method = std::move(method);
  r.url = config_.api_base + "/2010-04-01/Accounts/" + config_.account_sid + path_below_account;
  r.headers = {{"Accept", "application/json"}};
  if (r.method == "POST")
    r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
  r.basic_auth_user = config_.account_sid;
  r.basic_auth_password = config_.auth_token;
  r.timeout_ms = config_.timeout_ms;
  r.allow_private = config_.allow_private_api;
  return r;
}

FetchRequest ProviderApi::redirect_call(std::string_view call_sid, std::string_view url) const {
  auto r = request("POST", "/Calls/" + form::encode_component(call_sid) + ".json");
  r.body = form::encode({{"Url", std::string(url)}, {"Method", "POST"}});
  return r;
}

FetchRequest ProviderApi::create_call(std::string_view to, std::string_view from,
                                      std::string_view url, std::string_view status_callback,
                                      int timeout_s, std::string_view idempotency_key) const {
  auto r = request("POST", "/Calls.json");
  form::Fields f = {{"To", std::string(to)},
                    {"From", std::string(from)},
                    {"Url", std::string(url)},
                    {"Method", "POST"},
                    {"Timeout", std::to_string(timeout_s)},
                    {"StatusCallback", std::string(status_callback)},
                    {"StatusCallbackMethod", "POST"}};
  for (const char* e : {"initiated", "ringing", "answered", "completed"})
    f.emplace_back("StatusCallbackEvent", e);
  r.body = form::encode(f);
  // Real Twilio ignores it; the stand-in (and compatible providers) make a retried create a no-op.
  if (!idempotency_key.empty())
    r.headers.emplace_back("Idempotency-Key", std::string(idempotency_key));
  return r;
}

FetchRequest ProviderApi::recording_status(std::string_view call_sid,
                                           std::string_view status) const {
  auto r = request(
      "POST", "/Calls/" + form::encode_component(call_sid) + "/Recordings/Twilio.CURRENT.json");
  r.body = form::encode({{"Status", std::string(status)}});
  return r;
}

FetchRequest ProviderApi::recording_download(std::string_view recording_url) const {
  FetchRequest r;
  r.method = "GET";
  r.url = std::string(recording_url);
  const auto slash = r.url.rfind('/');
  if (r.url.find('.', slash == std::string::npos ? 0 : slash) == std::string::npos) r.url += ".wav";
  r.basic_auth_user = config_.account_sid;
  r.basic_auth_password = config_.auth_token;
  r.timeout_ms = config_.timeout_ms;
  const auto origin = url_origin(r.url);
  r.allow_private =
      config_.allow_private_api && !origin.empty() && origin == url_origin(config_.api_base);
  return r;
}

std::string url_origin(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return {};
  const auto host_end = url.find_first_of("/?#", scheme_end + 3);
  std::string origin(url.substr(0, host_end));
  if (origin.size() == scheme_end + 3) return {};
  std::transform(origin.begin(), origin.end(), origin.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return origin;
}

}  // namespace omnigate::voice

// Drives what a provider's webhook can put into the voice plugin's answers: the form body is
// parsed, its CallerName and SpeechResult choose an IVR option and are spoken back in TwiML, and
// a call record holding them survives the kv round trip. Properties: every TwiML document is
// well-formed XML whose only verbs are the ones written (caller text never adds one), and the
// text read back equals the (UTF-8-repaired) text written.
#include "call_record.hpp"
#include "twiml.hpp"
#include "voice_config.hpp"

#include <omnigate/common/form.hpp>
#include <omnigate/utf8.hpp>

#include <pugixml.hpp>

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace omnigate;
using namespace omnigate::voice;

namespace {
const VoiceConfig& config() {
  static const VoiceConfig c = parse_config(R"({
    "account_sid": "AC0123456789abcdef0123456789abcdef", "auth_token": "t",
    "ivr": {"options": [{"digit": "1", "speech": ["billing", "invoice"], "label": "Billing"},
                        {"digit": "9", "speech": ["voicemail"], "action": "voicemail"}]}})");
  return c;
}
void require(bool ok) {
  if (!ok) std::abort();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  const auto fields = form::parse(body).fields;
  const std::string name = utf8::repaired(form::find(fields, "CallerName").value_or(""));
  const std::string said = utf8::repaired(form::find(fields, "SpeechResult").value_or(""));
  const std::string digits = utf8::repaired(form::find(fields, "Digits").value_or(""));
  const IvrOption* choice = config().ivr_option(digits, said);

  Twiml doc;
  doc.say({name, "en-GB", ""}).say({said, "", ""});
  doc.redirect("https://gw.example.com/channels/voice/ivr?attempt=1&d=" +
               form::encode_component(digits));
  if (choice) doc.enqueue({{"waitUrl", "https://gw.example.com/w"}}, choice->label);
  const std::string xml = doc.str();
  // No character reference: the only ones pugixml writes are for C0 controls, which XML 1.0
  // forbids even escaped (the provider would refuse the document).
  require(xml.find("&#") == std::string::npos);
  pugi::xml_document parsed;
  require(parsed.load_string(xml.c_str()));
  int verbs = 0;
  for (auto n : parsed.child("Response").children()) {
    const std::string v = n.name();
    require(v == "Say" || v == "Redirect" || v == "Enqueue");
    ++verbs;
  }
  const auto spoken = [](const std::string& t) {
    for (char c : t)
      if (static_cast<unsigned char>(c) >= 0x20 || c == '\t' || c == '\n' || c == '\r') return 1;
    return 0;
  };
  require(verbs == spoken(name) + spoken(said) + 1 + (choice ? 1 : 0));

  CallRecord rec;
  rec.call_sid = "CA1";
  rec.caller_name = name;
  rec.from = digits;
  const auto back = CallRecord::from_json(rec.to_json());
  require(back && back->caller_name == name && back->from == digits);
  return 0;
}

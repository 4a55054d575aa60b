// TwiML documents (Twilio's call-control XML) built with pugixml: every text and attribute —
// a caller's name, a speech result echoed back, a URL with a query — is escaped by the library,
// so nothing a caller controls can add a verb. Only the verbs and nouns this plugin answers
// with are offered.
#pragma once

#include <pugixml.hpp>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::voice {

using Attributes = std::vector<std::pair<std::string, std::string>>;

// Where <Say> is spoken: the text and the provider's language/voice attributes.
struct Speech {
  std::string text;
  std::string language;  // e.g. "en-GB"; empty = provider default
  std::string voice;     // e.g. "Polly.Amy"; empty = provider default
};

class Twiml {
 public:
  Twiml();

  // <Say> (nothing when the text is empty).
  Twiml& say(const Speech& speech);
  Twiml& play(std::string_view url);
  Twiml& pause(int seconds);
  Twiml& hangup();
  Twiml& leave();
  Twiml& reject(std::string_view reason);
  Twiml& redirect(std::string_view url);
  // <Gather ...><Say prompt/></Gather>
  Twiml& gather(const Attributes& attributes, const Speech& prompt);
  Twiml& record(const Attributes& attributes);
  Twiml& enqueue(const Attributes& attributes, std::string_view queue_name);
  // <Dial ...><noun noun_attributes>value</noun></Dial>; noun is Client, Sip, Number or
  // Conference.
  Twiml& dial(const Attributes& attributes, std::string_view noun,
              const Attributes& noun_attributes, std::string_view value);

  // The document, with its XML declaration (UTF-8).
  std::string str() const;

 private:
  pugi::xml_node add(const char* verb, const Attributes& attributes);

  pugi::xml_document doc_;
  pugi::xml_node response_;
};

}  // namespace omnigate::voice

#include "twiml.hpp"

#include <sstream>

namespace omnigate::voice {
namespace {
// XML 1.0 has no place for C0 controls other than tab, line feed and carriage return, not even
// as character references: a caller name carrying one would make the provider refuse the whole
// document. They carry nothing a listener hears, so they are left out.
std::string xml_text(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (char ch : in) {
    const auto c = static_cast<unsigned char>(ch);
    if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r') out.push_back(ch);
  }
  return out;
}
}  // namespace

Twiml::Twiml() {
  auto decl = doc_.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  response_ = doc_.append_child("Response");
}

pugi::xml_node Twiml::add(const char* verb, const Attributes& attributes) {
  auto node = response_.append_child(verb);
  for (const auto& [name, value] : attributes)
    node.append_attribute(name.c_str()) = xml_text(value).c_str();
  return node;
}

namespace {
void set_speech(pugi::xml_node say, const Speech& speech) {
  if (!speech.language.empty()) say.append_attribute("language") = speech.language.c_str();
  if (!speech.voice.empty()) say.append_attribute("voice") = speech.voice.c_str();
  say.text() = xml_text(speech.text).c_str();
}
}  // namespace

Twiml& Twiml::say(const Speech& speech) {
  if (!xml_text(speech.text).empty()) set_speech(add("Say", {}), speech);
  return *this;
}

Twiml& Twiml::play(std::string_view url) {
  add("Play", {}).text() = xml_text(url).c_str();
  return *this;
}

Twiml& Twiml::pause(int seconds) {
  add("Pause", {{"length", std::to_string(seconds)}});
  return *this;
}

Twiml& Twiml::hangup() {
  add("Hangup", {});
  return *this;
}

Twiml& Twiml::leave() {
  add("Leave", {});
  return *this;
}

Twiml& Twiml::reject(std::string_view reason) {
  add("Reject", {{"reason", std::string(reason)}});
  return *this;
}

Twiml& Twiml::redirect(std::string_view url) {
  add("Redirect", {{"method", "POST"}}).text() = xml_text(url).c_str();
  return *this;
}

Twiml& Twiml::gather(const Attributes& attributes, const Speech& prompt) {
  auto gather = add("Gather", attributes);
  if (!prompt.text.empty()) set_speech(gather.append_child("Say"), prompt);
  return *this;
}

Twiml& Twiml::record(const Attributes& attributes) {
  add("Record", attributes);
  return *this;
}

Twiml& Twiml::enqueue(const Attributes& attributes, std::string_view queue_name) {
  add("Enqueue", attributes).text() = xml_text(queue_name).c_str();
  return *this;
}

Twiml& Twiml::dial(const Attributes& attributes, std::string_view noun,
                   const Attributes& noun_attributes, std::string_view value) {
  auto dial = add("Dial", attributes);
  auto n = dial.append_child(std::string(noun).c_str());
  for (const auto& [name, v] : noun_attributes)
    n.append_attribute(name.c_str()) = xml_text(v).c_str();
  n.text() = xml_text(value).c_str();
  return *this;
}

std::string Twiml::str() const {
  std::ostringstream out;
  doc_.save(out, "", pugi::format_raw, pugi::encoding_utf8);
  return out.str();
}

}  // namespace omnigate::voice

#include "twiml.hpp"

#include <catch2/catch.hpp>
#include <pugixml.hpp>

using namespace omnigate::voice;

namespace {
pugi::xml_document parse(const std::string& xml) {
  pugi::xml_document doc;
  REQUIRE(doc.load_string(xml.c_str()));
  return doc;
}
}  // namespace

TEST_CASE("twiml: a document is a Response with the verbs in order") {
  Twiml doc;
  doc.say({"Welcome", "en-GB", "Polly.Amy"}).pause(2).hangup();
  const std::string xml = doc.str();
  CHECK(xml.rfind(R"(<?xml version="1.0" encoding="UTF-8"?>)", 0) == 0);
  auto d = parse(xml);
  auto response = d.child("Response");
  REQUIRE(response);
  std::vector<std::string> verbs;
  for (auto n : response.children()) verbs.emplace_back(n.name());
  CHECK(verbs == std::vector<std::string>{"Say", "Pause", "Hangup"});
  CHECK(std::string(response.child("Say").attribute("language").value()) == "en-GB");
  CHECK(std::string(response.child("Say").attribute("voice").value()) == "Polly.Amy");
  CHECK(std::string(response.child("Pause").attribute("length").value()) == "2");
}

TEST_CASE("twiml: caller-controlled text cannot add verbs") {
  const std::string hostile = R"(Bob</Say><Dial><Number>+19005550100</Number></Dial><Say>)";
  Twiml doc;
  doc.say({hostile, "", ""});
  doc.redirect("https://gw.example.com/channels/voice/ivr?attempt=1&timeout=1\"><Hangup/>");
  auto d = parse(doc.str());
  auto response = d.child("Response");
  CHECK(std::string(response.child("Say").text().get()) == hostile);
  CHECK(!response.child("Dial"));
  CHECK(!response.child("Hangup"));
  CHECK(std::string(response.child("Redirect").text().get()).find("&timeout=1") !=
        std::string::npos);
}

TEST_CASE("twiml: gather, enqueue, dial and record carry their attributes") {
  Twiml doc;
  doc.gather({{"input", "dtmf speech"}, {"action", "https://x/ivr?attempt=1"}}, {"Press 1", "", ""})
      .enqueue({{"waitUrl", "https://x/wait"}}, "og-voice")
      .dial({{"timeout", "20"}}, "Client", {{"statusCallback", "https://x/agent-status"}}, "alice")
      .record({{"maxLength", "120"}, {"transcribe", "true"}})
      .leave()
      .reject("rejected");
  auto d = parse(doc.str());
  auto r = d.child("Response");
  CHECK(std::string(r.child("Gather").attribute("input").value()) == "dtmf speech");
  CHECK(std::string(r.child("Gather").child("Say").text().get()) == "Press 1");
  CHECK(std::string(r.child("Enqueue").text().get()) == "og-voice");
  CHECK(std::string(r.child("Enqueue").attribute("waitUrl").value()) == "https://x/wait");
  auto client = r.child("Dial").child("Client");
  CHECK(std::string(client.text().get()) == "alice");
  CHECK(std::string(client.attribute("statusCallback").value()) == "https://x/agent-status");
  CHECK(std::string(r.child("Record").attribute("transcribe").value()) == "true");
  CHECK(r.child("Leave"));
  CHECK(std::string(r.child("Reject").attribute("reason").value()) == "rejected");
}

TEST_CASE("twiml: an empty Say is left out") {
  Twiml doc;
  doc.say({"", "en-GB", ""}).hangup();
  auto d = parse(doc.str());
  CHECK(!d.child("Response").child("Say"));
}

TEST_CASE("twiml: control characters XML cannot carry are left out") {
  Twiml doc;
  doc.say({std::string("Jo\x01\x1b") + "hn\tSmith", "", ""});
  const std::string xml = doc.str();
  CHECK(xml.find("&#") == std::string::npos);
  auto d = parse(xml);
  CHECK(std::string(d.child("Response").child("Say").text().get()) == "John\tSmith");
}

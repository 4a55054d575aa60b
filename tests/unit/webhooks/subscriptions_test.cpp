// [[webhooks]] in the config file, and which subscriptions take an event.
#include "webhooks/subscriptions.hpp"
#include "config/config.hpp"

#include <catch2/catch.hpp>

#include <stdlib.h>

using namespace omnigate;

namespace {

const char* const kSecret = "0123456789abcdef0123";

config::GatewayConfig load(const std::string& webhooks) {
  return config::load_config_from_string(webhooks, "/tmp");
}

std::string entry(const std::string& extra) {
  return std::string("[[webhooks]]\nname = \"crm\"\nurl = \"https://crm.example.com/hook\"\n") +
         "secret = \"" + kSecret + "\"\nevents = [\"message.created\"]\n" + extra;
}

std::string error_of(const std::string& text) {
  try {
    webhooks::Subscriptions subs(load(text).webhooks);
  } catch (const config::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a [[webhooks]] entry is read with its defaults") {
  const auto c = load(entry(""));
  REQUIRE(c.webhooks.size() == 1);
  const auto& w = c.webhooks[0];
  CHECK(w.name == "crm");
  CHECK(w.url == "https://crm.example.com/hook");
  CHECK(w.secret == kSecret);
  CHECK(w.events == std::vector<std::string>{"message.created"});
  CHECK(w.timeout_ms == 10000);
  CHECK(w.max_attempts == 8);
  CHECK_FALSE(w.allow_private_fetch);
}

TEST_CASE("the secret may come from the environment") {
  setenv("OG_TEST_WEBHOOK_SECRET", "from-the-environment-0123", 1);
  const auto c = load(
      "[[webhooks]]\nname = \"crm\"\nurl = \"https://crm.example.com/hook\"\n"
      "secret = \"${OG_TEST_WEBHOOK_SECRET}\"\nevents = [\"*\"]\n");
  CHECK(c.webhooks.at(0).secret == "from-the-environment-0123");
}

TEST_CASE("bad [[webhooks]] entries are refused naming the key, never showing the secret") {
  CHECK(error_of(entry("max_attempts = 0")).find("webhooks[0].max_attempts") != std::string::npos);
  CHECK(error_of(entry("colour = \"red\"")).find("webhooks[0].colour: unknown key") !=
        std::string::npos);
  const auto short_secret = error_of(
      "[[webhooks]]\nname = \"crm\"\nurl = \"https://x.example\"\nsecret = \"tooshort\"\n"
      "events = [\"*\"]\n");
  CHECK(short_secret.find("webhooks[0].secret: expected at least 16 bytes") != std::string::npos);
  CHECK(short_secret.find("tooshort") == std::string::npos);
  CHECK(error_of("[[webhooks]]\nname = \"crm\"\nurl = \"ftp://x.example\"\nsecret = \"" +
                 std::string(kSecret) + "\"\nevents = [\"*\"]\n")
            .find("webhooks[0].url") != std::string::npos);
  CHECK(error_of("[[webhooks]]\nname = \"crm\"\nurl = \"https://x.example\"\nsecret = \"" +
                 std::string(kSecret) + "\"\nevents = []\n")
            .find("webhooks[0].events: expected at least one") != std::string::npos);
  CHECK(error_of(entry("") + entry("")).find("webhooks[1].name: duplicate") != std::string::npos);
  CHECK(error_of("[[webhooks]]\nname = \"crm\"\nurl = \"https://x.example\"\nsecret = \"" +
                 std::string(kSecret) + "\"\nevents = [\"message.created\", \"sla.breach\"]\n")
            .find("webhooks[0].events[1]: \"sla.breach\" matches no event") != std::string::npos);
}

TEST_CASE("an event goes to every subscription one of whose patterns takes it") {
  config::WebhookConfig crm, ops, all;
  crm.name = "crm";
  crm.events = {"message.created", "conversation.created"};
  ops.name = "ops";
  ops.events = {"sla.*"};
  all.name = "all";
  all.events = {"*"};
  const webhooks::Subscriptions subs({crm, ops, all});
  const auto names = [&](std::string_view type) {
    std::vector<std::string> out;
    for (const auto* s : subs.taking(type)) out.push_back(s->name);
    return out;
  };
  CHECK(names("message.created") == std::vector<std::string>{"crm", "all"});
  CHECK(names("sla.breached") == std::vector<std::string>{"ops", "all"});
  CHECK(names("complaint.filed") == std::vector<std::string>{"all"});
  CHECK(subs.find("ops") != nullptr);
  CHECK(subs.find("gone") == nullptr);
}

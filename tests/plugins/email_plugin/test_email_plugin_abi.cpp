// libog_email.so through its C ABI: what a posted mail becomes (message, delivery report of a
// bounce, auto-reply event, nothing), which thread it joins, and replies that must not leave.
#include <omnigate/testing/fake_host.hpp>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>

using namespace omnigate::testing;

namespace {

const std::string kSecret = "plugin-test-secret";

struct Fixture {
  explicit Fixture(nlohmann::json config = {{"address", "support@example.com"},
                                            {"aliases", {"help@example.com"}},
                                            {"webhook", {{"secret", kSecret}}}})
      : plugin(OG_EMAIL_PLUGIN_PATH, host, "email", config.dump()) {
    REQUIRE(plugin.create_status() == OG_OK);
    REQUIRE(plugin.start() == OG_OK);
  }
  ~Fixture() { plugin.stop(); }

  RecordedResponse post(const std::string& mail) {
    return plugin.request(
        "POST", "/inbound", "",
        {{"Content-Type", "message/rfc822"}, {"Authorization", "Bearer " + kSecret}}, mail);
  }

  FakeHost host;
  LoadedPlugin plugin;
};

std::string mail(const std::string& id, const std::string& subject, const std::string& headers = "",
                 const std::string& from = "Kunde <kunde@customer.example>") {
  return "From: " + from + "\r\nTo: Support <support@example.com>\r\nSubject: " + subject +
         "\r\nMessage-ID: <" + id + ">\r\nDate: Tue, 01 Dec 2026 10:00:00 +0000\r\n" + headers +
         "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
         "Neue Zeile.\r\n\r\n> alt\r\n";
}

og_outbound_message reply_to(const std::string& address, const std::string& thread) {
  og_outbound_message m{};
  m.struct_size = sizeof m;
  m.idempotency_key = {"k-1", 3};
  m.thread_key = {thread.data(), thread.size()};
  m.to_kind = {"email", 5};
  m.to_address = {address.data(), address.size()};
  m.body_text = {"Antwort", 7};
  m.conversation_id = 9;
  return m;
}

}  // namespace

TEST_CASE("a bad config refuses to create the instance, naming the key", "[email][plugin]") {
  FakeHost host;
  LoadedPlugin plugin(OG_EMAIL_PLUGIN_PATH, host, "email", R"({"address": "x"})");
  CHECK(plugin.create_status() == OG_CONFIG);
  CHECK_THAT(plugin.create_error(), Catch::Contains("address"));
}

TEST_CASE("a posted mail is stored in its thread", "[email][plugin]") {
  Fixture f;
  auto first = f.post(mail("c1@customer.example", "=?UTF-8?B?5ZWP6aGM?= Frage"));
  CHECK(first.status == 200);
  REQUIRE(f.host.inbound.size() == 1);
  const auto& m = f.host.inbound[0];
  CHECK(m.provider_message_id == "c1@customer.example");
  CHECK(m.thread_key == "c1@customer.example");
  CHECK(m.from_kind == "email");
  CHECK(m.from_address == "kunde@customer.example");
  CHECK(m.from_name == "Kunde");
  CHECK(m.to_address == "support@example.com");
  CHECK(m.subject == "問題 Frage");
  CHECK(m.flags == 0);
  const auto meta = nlohmann::json::parse(m.metadata_json);
  CHECK(meta["source"] == "rfc822");
  CHECK(meta["new_text"].get<std::string>().find("Neue Zeile.") != std::string::npos);
  CHECK(meta["new_text"].get<std::string>().find("alt") == std::string::npos);

  // Its answer (In-Reply-To) joins the thread; so does one that names it only in References.
  f.post(mail("c2@customer.example", "Re: Frage", "In-Reply-To: <c1@customer.example>\r\n"));
  f.post(mail("c3@customer.example", "Re: Frage",
              "References: <unknown@x.example> <c1@customer.example>\r\n"));
  // A mail answering only by our subject token joins the conversation the token names.
  f.host.kv["conv:77"] = "thread-77";
  f.post(mail("c4@customer.example", "Re: Lieferung [#77]"));
  // A new subject is a new thread.
  f.post(mail("c5@customer.example", "Etwas anderes"));
  REQUIRE(f.host.inbound.size() == 5);
  CHECK(f.host.inbound[1].thread_key == "c1@customer.example");
  CHECK(f.host.inbound[2].thread_key == "c1@customer.example");
  CHECK(f.host.inbound[3].thread_key == "thread-77");
  CHECK(f.host.inbound[4].thread_key == "c5@customer.example");
}

TEST_CASE("auto-replies, bounces and our own mail create no message", "[email][plugin]") {
  Fixture f;
  f.post(mail("c1@customer.example", "Frage"));
  REQUIRE(f.host.inbound.size() == 1);

  // Outside any thread: not stored at all.
  CHECK(f.post(mail("ooo1@customer.example", "Out of office", "Auto-Submitted: auto-replied\r\n"))
            .status == 200);
  // In a known thread: an event of it.
  f.post(mail("ooo2@customer.example", "Out of office",
              "Auto-Submitted: auto-replied\r\nIn-Reply-To: <c1@customer.example>\r\n"));
  // From one of our own addresses: a loop, dropped.
  f.post(mail("loop@example.com", "Re: Frage", "", "help@example.com"));
  CHECK(f.host.inbound.size() == 1);
  REQUIRE(f.host.events.size() == 1);
  CHECK(f.host.events[0].kind == "email.auto_reply");
  CHECK(f.host.events[0].thread_key == "c1@customer.example");

  const std::string bounce =
      "From: MAILER-DAEMON@mx.example\r\nTo: support@example.com\r\nSubject: Undelivered\r\n"
      "Message-ID: <b1@mx.example>\r\nMIME-Version: 1.0\r\n"
      "Content-Type: multipart/report; report-type=delivery-status; boundary=\"R\"\r\n\r\n"
      "--R\r\nContent-Type: text/plain\r\n\r\nFailed.\r\n"
      "--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example\r\n\r\n"
      "Final-Recipient: rfc822; kunde@customer.example\r\nAction: failed\r\nStatus: 5.1.1\r\n"
      "Diagnostic-Code: smtp; 550 5.1.1 unknown user\r\n"
      "--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <og.9.abc@example.com>\r\n"
      "--R--\r\n";
  CHECK(f.post(bounce).status == 200);
  REQUIRE(f.host.deliveries.size() == 1);
  CHECK(f.host.deliveries[0].provider_message_id == "og.9.abc@example.com");
  CHECK(f.host.deliveries[0].state == OG_DELIVERY_FAILED);
  CHECK(f.host.deliveries[0].error_code == "5.1.1");
  CHECK(f.host.inbound.size() == 1);
}

TEST_CASE("replies go only to addresses that wrote to us", "[email][plugin]") {
  Fixture f({{"address", "support@example.com"},
             {"webhook", {{"secret", kSecret}}},
             {"smtp", {{"host", "127.0.0.1"}, {"port", 1}, {"tls", "none"}}}});
  std::string error;
  CHECK(f.plugin.send(1, reply_to("stranger@elsewhere.example", "t"), &error) == OG_PERMANENT);
  CHECK_THAT(error, Catch::Contains("never wrote"));

  Fixture no_smtp;
  no_smtp.post(mail("c1@customer.example", "Frage"));
  CHECK(no_smtp.plugin.send(2, reply_to("kunde@customer.example", "c1@customer.example"), &error) ==
        OG_PERMANENT);
  CHECK_THAT(error, Catch::Contains("SMTP"));
}

TEST_CASE("a mail without a sender is stored flagged, under an address no reply reaches",
          "[email][plugin]") {
  Fixture f;
  const std::string no_from =
      "To: support@example.com\r\nSubject: who sent this\r\nMessage-ID: <anon@x.example>\r\n\r\n"
      "Body without a From header.\r\n";
  CHECK(f.post(no_from).status == 200);
  REQUIRE(f.host.inbound.size() == 1);
  CHECK(f.host.inbound[0].from_address == "unknown-sender@invalid");
  CHECK((f.host.inbound[0].flags & OG_INBOUND_MALFORMED) != 0);
  CHECK(f.host.inbound[0].raw == no_from);
  std::string error;
  CHECK(f.plugin.send(1, reply_to("unknown-sender@invalid", "anon@x.example"), &error) ==
        OG_PERMANENT);
}

// The ABI compatibility test: a plugin and a host built against different minors of ABI 2
// exchange every kind of array and still understand each other. Compiled twice
// (tests/abi/compat/CMakeLists.txt):
//
//  - abi_compat_old_plugin_tests: the plugin is built against the frozen 2.0 header
//    (v2_0/omnigate/plugin_abi.h), the host — the real og_plugin_host sources, compiled again
//    as og_plugin_host_grown — and this file against a grown header: the current one in which
//    every size-prefixed struct has one more field at its end (OG_COMPAT_GROWN_HEADER, the next
//    minor). So a 2.0 plugin runs on a host that has every later host function.
//  - abi_compat_tests: the plugin is built against the grown header, the host (og_plugin_host)
//    and this file against the current one.
//
// So in both the sender's elements have another size than the reader's struct. Every array
// reader steps by the sender's element size (read_abi_array in the host, OG_ARRAY_AT in the
// plugin). Stepping by the reader's own sizeof instead, as ABI 1 did, fails these tests: tried
// by hand (read_abi_array and OG_ARRAY_AT changed to step by sizeof), every test here but the
// refused-skill one failed in both binaries — element 0 still reads right, element 1 is read from
// inside element 0's grown field or across two elements: the inbound message is refused
// ("skills[1].min_level must be 1..5" for valid skills), echoed and fetched headers and outbound
// attachments come back garbled, and the grown plugin crashes (SEGFAULT) on the host's request
// headers.
#include "plugin_host/plugin_host.hpp"

#include "host_test_env.hpp"
#include "local_http_server.hpp"

#include <omnigate/plugin_abi.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using omnigate::PluginHost;
using omnigate::SendOutcome;
using omnigate::test::call_route;
using omnigate::test::HostTestEnv;

namespace {

// The grown field a later 2.x appends to every size-prefixed struct (abi_compat.py grow).
constexpr unsigned kGrownTail = 2 * sizeof(uint64_t);

#ifdef OG_COMPAT_GROWN_HEADER
static_assert(OG_ABI_MINOR == OG_COMPAT_BASE_MINOR + 1,
              "the host side of the old-plugin test is a simulated next minor");
constexpr bool kPluginIsGrown = false;
// The plugin's struct = the host's without the grown field.
constexpr unsigned plugin_size(std::size_t host_size) {
  return static_cast<unsigned>(host_size) - kGrownTail;
}
#else
constexpr bool kPluginIsGrown = true;
constexpr unsigned plugin_size(std::size_t host_size) {
  return static_cast<unsigned>(host_size) + kGrownTail;
}
#endif

// "<kind> element_size=<sender's> own_size=<plugin's>", as compat_plugin.c reports an array
// the host sent it: element_size is the host's sizeof, own_size the plugin's.
std::string element_line(const std::string& kind, std::size_t host_size) {
  return kind + " element_size=" + std::to_string(host_size) +
         " own_size=" + std::to_string(plugin_size(host_size)) + "\n";
}

// What the plugin reports after each element it read: whether the host's element has the
// grown field (only the grown plugin knows the field; the host never has it).
std::string tail_note() {
  return kPluginIsGrown ? " (tail absent)" : "";
}

struct CompatHost {
  HostTestEnv env;
  PluginHost host;
  omnigate::http::Router router;

  CompatHost() : host(*env.executor, *env.store, env.metrics, options()) {
    omnigate::config::PluginInstanceConfig c;
    c.instance = "compat";
    c.file = OG_COMPAT_PLUGIN;
    c.config_json = "{}";
    c.allow_private_fetch = true;  // the fetch test's server is on loopback
    host.start({c});
    host.register_routes(router);
  }
  ~CompatHost() { host.stop(); }

  static omnigate::PluginHostOptions options() {
    omnigate::PluginHostOptions o;
    o.fetch_timeout_ms = 5000;
    o.max_fetch_response_bytes = 1 << 20;
    return o;
  }

  std::optional<std::string> await_kv(const std::string& key) {
    std::optional<std::string> value;
    omnigate::test::eventually([&] {
      value = env.store->kv_get("compat", key);
      return value.has_value();
    });
    return value;
  }
};

}  // namespace

TEST_CASE("a plugin of another minor is accepted: it needs 2.0 whatever header built it") {
  const auto inspected = omnigate::inspect_plugin(OG_COMPAT_PLUGIN);
  INFO(inspected.error);
  REQUIRE(inspected.ok);
  CHECK(inspected.abi_major == 2);
  CHECK(inspected.abi_minor == 0);

  CompatHost h;
  const auto instances = h.host.instances();
  REQUIRE(instances.size() == 1);
  INFO(instances[0].reason);
  CHECK(instances[0].state == "running");
  CHECK(instances[0].plugin == "compat");
}

TEST_CASE(
    "request headers of the host's size are read by the plugin, its reply headers by the host") {
  CompatHost h;
  const auto reply =
      call_route(h.router, "POST", "/channels/compat/echo", "",
                 {{"X-Compat-1", "one"}, {"X-Compat-2", "two"}, {"X-Compat-3", "three"}});
  REQUIRE(reply.has_value());
  INFO(reply->body);
  REQUIRE(reply->status == 200);
  // The plugin stepped through the host's request headers by the host's element size ...
  CHECK_THAT(reply->body, Contains(element_line("header", sizeof(og_header))));
  CHECK_THAT(reply->body, Contains("X-Compat-1: one" + tail_note() + "\n" + "X-Compat-2: two" +
                                   tail_note() + "\n" + "X-Compat-3: three" + tail_note() + "\n"));
  CHECK_THAT(reply->body,
             Contains("request size=" + std::to_string(sizeof(og_http_request)) +
                      " own_size=" + std::to_string(plugin_size(sizeof(og_http_request)))));
  if (kPluginIsGrown) CHECK_THAT(reply->body, Contains("host_api tail absent"));
  // ... and the host stepped through the plugin's reply headers by the plugin's.
  const omnigate::http::HeaderList expected = {
      {"X-Echo-X-Compat-1", "one"}, {"X-Echo-X-Compat-2", "two"}, {"X-Echo-X-Compat-3", "three"}};
  CHECK(reply->headers == expected);
  CHECK(reply->content_type == "text/plain");
}

TEST_CASE("an inbound message's attachments and skills of the plugin's size arrive intact") {
  CompatHost h;
  const auto reply = call_route(h.router, "POST", "/channels/compat/inbound");
  REQUIRE(reply.has_value());
  INFO(reply->body);
  REQUIRE(reply->status == 202);
  const omnigate::http::HeaderList expected = {
      {"X-Reply-One", "1"}, {"X-Reply-Two", "22"}, {"X-Reply-Three", "333"}};
  CHECK(reply->headers == expected);

  // The reply waited for the commit: the message is stored.
  omnigate::store::ConversationFilter filter;
  filter.channel_instance = "compat";
  const auto conversations = h.env.store->list_conversations(filter);
  REQUIRE(conversations.size() == 1);
  const auto& skills = conversations[0].skills;
  auto has_skill = [&](const std::string& name, int level) {
    return std::any_of(skills.begin(), skills.end(),
                       [&](const auto& s) { return s.skill == name && s.level == level; });
  };
  CHECK(skills.size() == 2);
  CHECK(has_skill("lang:en", 2));
  CHECK(has_skill("billing", 4));

  const auto transcript = h.env.store->transcript(conversations[0].id);
  const auto entry = std::find_if(transcript.begin(), transcript.end(),
                                  [](const auto& e) { return e.message.has_value(); });
  REQUIRE(entry != transcript.end());
  const auto& message = *entry->message;
  CHECK(message.provider_message_id == "compat-in-1");
  CHECK(message.body_text == "three attachments, two skills");
  REQUIRE(message.attachments.size() == 3);
  CHECK(message.attachments[0].filename == "a.txt");
  CHECK(message.attachments[0].content_type == "text/plain");
  CHECK(message.attachments[0].size == 5);  // "alpha"
  CHECK(message.attachments[1].filename == "b.png");
  CHECK(message.attachments[1].content_type == "image/png");
  CHECK(message.attachments[1].size == 11);  // "bravo-bytes"
  CHECK(message.attachments[2].filename == "c.mp4");
  CHECK(message.attachments[2].content_type == "video/mp4");
  CHECK(message.attachments[2].url == "https://media.example/c.mp4");
}

TEST_CASE(
    "a refused element is named by its index in the plugin's array; og_error is not overrun") {
  CompatHost h;
  const auto reply = call_route(h.router, "POST", "/channels/compat/refused");
  REQUIRE(reply.has_value());
  REQUIRE(reply->status == 200);
  CHECK_THAT(reply->body,
             Contains("status=4 error_status=4 message=skills[1].min_level must be 1..5"));
  // The host writes only the part of the plugin's larger og_error that it knows.
  if (kPluginIsGrown) CHECK_THAT(reply->body, Contains("error tail kept"));
}

TEST_CASE("fetch: the plugin's request headers reach the server, the response headers the plugin") {
  CompatHost h;
  omnigate::test::LocalHttpServer server;
  const auto reply = call_route(h.router, "POST", "/channels/compat/fetch",
                                server.url("127.0.0.1", "/echo-headers"));
  REQUIRE(reply.has_value());
  INFO(reply->body);
  REQUIRE(reply->status == 204);
  const auto report = h.await_kv("fetch");
  REQUIRE(report.has_value());
  INFO(*report);
  CHECK_THAT(*report, Contains("status=200 error=\n"));
  CHECK_THAT(*report, Contains(element_line("header", sizeof(og_header))));
  CHECK_THAT(*report, Contains("X-Echoed-X-Compat-A: alpha" + tail_note() + "\n"));
  CHECK_THAT(*report, Contains("X-Echoed-X-Compat-B: bravo" + tail_note() + "\n"));
  CHECK_THAT(*report, Contains("Content-Length: 2" + tail_note() + "\n"));
}

TEST_CASE("outbound attachments of the host's size are read by the plugin") {
  CompatHost h;
  omnigate::store::OutboxItem item;
  item.id = 1;
  item.channel_instance = "compat";
  item.idempotency_key = "outbox-1";
  item.to_kind = "phone";
  item.to_address = "+15550002222";
  item.body_text = "with attachments";
  const auto attachment = [](std::string filename, std::string type, std::string data,
                             std::string url) {
    omnigate::store::AttachmentRecord a;
    a.filename = std::move(filename);
    a.content_type = std::move(type);
    a.data = std::move(data);
    a.url = std::move(url);
    return a;
  };
  item.attachments = {attachment("one.txt", "text/plain", "first", ""),
                      attachment("two.pdf", "application/pdf", "second!", ""),
                      attachment("three.jpg", "image/jpeg", "", "https://media.example/3.jpg")};
  auto promise = std::make_shared<std::promise<SendOutcome>>();
  auto future = promise->get_future();
  h.host.send(item, [promise](SendOutcome o) { promise->set_value(std::move(o)); });
  REQUIRE(future.wait_for(omnigate::test::kDeadline) == std::future_status::ready);
  const auto outcome = future.get();
  CHECK(outcome.kind == SendOutcome::Kind::sent);
  CHECK(outcome.provider_message_id == "compat-sent");

  const auto report = h.await_kv("outbound");
  REQUIRE(report.has_value());
  CHECK(*report == element_line("attachment", sizeof(og_attachment)) + "one.txt|text/plain|first|" +
                       tail_note() + "\n" + "two.pdf|application/pdf|second!|" + tail_note() +
                       "\n" + "three.jpg|image/jpeg||https://media.example/3.jpg" + tail_note() +
                       "\n");
}

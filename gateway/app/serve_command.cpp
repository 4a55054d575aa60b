// `omnigate serve`: wires every part of the gateway together in the order the parts depend on
// each other, serves until SIGTERM/SIGINT and takes them down in reverse.
#include "api/admin_api.hpp"
#include "api/agent_api.hpp"
#include "api/audit_api.hpp"
#include "api/auth_api.hpp"
#include "api/canned_responses_api.hpp"
#include "api/conversation_activity_relay.hpp"
#include "api/conversation_merge_api.hpp"
#include "api/csat_api.hpp"
#include "api/customer_merge_api.hpp"
#include "api/customer_valuation_api.hpp"
#include "api/erasure_api.hpp"
#include "api/live_events.hpp"
#include "api/notes_api.hpp"
#include "api/qa_api.hpp"
#include "api/qa_reports_api.hpp"
#include "api/quarantine_api.hpp"
#include "api/route_table_api.hpp"
#include "api/supervisor_stream.hpp"
#include "api/transcript_api.hpp"
#include "app/cli.hpp"
#include "app/seed.hpp"
#include "app/startup.hpp"
#include "app/store_health.hpp"
#include "core/asio_executor.hpp"
#include "core/clock.hpp"
#include "core/log.hpp"
#include "core/metrics.hpp"
#include "dispatch/routing_dispatcher.hpp"
#include "http/console_files.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/static_files.hpp"
#include "isolation/crash_recorder.hpp"
#include "outbox/outbox_sender.hpp"
#include "plugin_host/plugin_host.hpp"
#include "service/complaint_api.hpp"
#include "service/complaint_service.hpp"
#include "service/contact_log_api.hpp"
#include "service/contact_logging.hpp"
#include "service/escalation_notifier.hpp"
#include "service/retention_job.hpp"
#include "service/service_case_api.hpp"
#include "service/service_cases.hpp"
#include "webhooks/delivery_sender.hpp"
#include "webhooks/event_pump.hpp"
#include "webhooks/webhook_admin_api.hpp"

#include <nlohmann/json.hpp>

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>

namespace omnigate::app {
namespace {

constexpr const char* kComponent = "serve";
constexpr auto kShutdownGrace = std::chrono::seconds(10);

// Signals are handled synchronously by the main thread (sigwait). They are blocked before any
// thread starts so every thread inherits the mask and none is interrupted by them.
sigset_t block_control_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

std::string url_host(const std::string& address) {
  return address.find(':') != std::string::npos ? "[" + address + "]" : address;
}

// /healthz: 503 when the store cannot be written (the gateway cannot acknowledge anything);
// 200 otherwise, "degraded" while a channel instance is down (its plugin-host process
// restarting, or disabled by the crash-loop guard) — the rest of the gateway serves on.
void add_operational_routes(http::Router& router, Metrics& metrics, StoreHealth& health,
                            PluginHost& host) {
  router.add("GET", "/healthz", http::AccessRule::for_anyone(),
             [&health, &host](const http::Request&, http::Reply reply) {
               health.check([reply, &host](std::optional<std::string> problem) {
                 if (problem) {
                   const nlohmann::json body = {{"status", "unavailable"}, {"reason", *problem}};
                   return reply(http::Response{503, "application/json", body.dump(), {}});
                 }
                 nlohmann::json plugins = nlohmann::json::object();
                 bool degraded = false;
                 for (const auto& i : host.instances()) {
                   nlohmann::json entry = {{"state", i.state}, {"isolation", i.isolation}};
                   if (!i.reason.empty() && i.state != "running") entry["reason"] = i.reason;
                   if (i.restarts != 0) entry["restarts"] = i.restarts;
                   plugins[i.instance] = std::move(entry);
                   degraded = degraded || i.state == "degraded" ||
                              (i.state == "disabled" && i.reason.rfind("crash loop", 0) == 0);
                 }
                 const nlohmann::json body = {{"status", degraded ? "degraded" : "ok"},
                                              {"plugins", std::move(plugins)}};
                 reply(http::Response{200, "application/json", body.dump(), {}});
               });
             });
  router.add("GET", "/metrics", http::AccessRule::for_anyone(),
             [&metrics](const http::Request&, http::Reply reply) {
               reply(http::Response{
                   200, "text/plain; version=0.0.4; charset=utf-8", metrics.render(), {}});
             });
}

// Queue and outbox sizes, read from the store at scrape time.
void add_store_gauges(Metrics& metrics, store::Store& store) {
  metrics.add_collector([&store](Metrics& m) {
    const auto counts = store.queue_counts();
    for (const auto& [status, n] : counts.by_status) {
      m.gauge_set("omnigate_conversations", "Conversations by status.", {{"status", status}},
                  static_cast<double>(n));
    }
    for (const auto& [state, n] : counts.outbox_by_state) {
      m.gauge_set("omnigate_outbox_rows", "Outbox rows by state.", {{"state", state}},
                  static_cast<double>(n));
    }
  });
}

// SIGHUP: re-read the file, hand the [routing] table and the tier rules to the dispatcher and
// rebuild the engine from the store, which also picks up agents and customers the CLI changed
// while the gateway ran. Nothing else is reloaded; a bad file or policy keeps the running one.
void reload_routing(config::GatewayConfig& running, dispatch::RoutingDispatcher& dispatcher) {
  try {
    const auto fresh = config::load_config(running.source_path);
    const bool changed = fresh.routing_policy_json != running.routing_policy_json;
    dispatcher.reload_policy(fresh.routing_policy_json);
    dispatcher.set_tier_rules(fresh.tier_rules);
    running.routing_policy_json = fresh.routing_policy_json;
    running.tier_rules = fresh.tier_rules;
    log(LogLevel::info, kComponent,
        std::string("SIGHUP: [routing] ") + (changed ? "reloaded" : "unchanged") + ", " +
            std::to_string(fresh.tier_rules.size()) +
            " tier rule(s); engine rebuilt from the store");
  } catch (const std::exception& e) {
    log(LogLevel::error, kComponent, std::string("SIGHUP: routing not reloaded: ") + e.what());
  }
}

std::string crash_record_file(const config::GatewayConfig& config) {
  return (std::filesystem::path(config.data_dir) / "plugin-crashes.rec").string();
}

std::string signal_reason(int signal) {
  const char* name = sigabbrev_np(signal);
  return "gateway killed by signal " + std::to_string(signal) +
         (name ? std::string(" (SIG") + name + ")" : std::string()) + " in an in-process plugin";
}

void write_port_file(const std::string& path, std::uint16_t port) {
  // Write then rename, so a watcher never reads a half-written file.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << port << '\n';
    if (!out) throw std::runtime_error("cannot write port file " + tmp);
  }
  std::filesystem::rename(tmp, path);
}

}  // namespace

int serve_command(const Args& args) {
  config::GatewayConfig config;
  try {
    config = load_config_arg(args);
    if (auto port = args.get("port")) {
      std::size_t used = 0;
      const long n = std::stol(*port, &used);
      if (used != port->size() || n < 0 || n > 65535) throw std::invalid_argument("");
      config.listen_port = static_cast<std::uint16_t>(n);
    }
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    return kExitUsage;
  } catch (const std::logic_error&) {
    print_error("--port: expected a port number 0..65535");
    return kExitUsage;
  }
  set_log_level(*log_level_from_string(config.log_level));
  const sigset_t signals = block_control_signals();

  // Made before the store so that it is destroyed after it: completions still queued in the
  // store's writer when it shuts down (some holding strands) are dropped while the io_context
  // exists. Its threads start below.
  auto executor = make_asio_executor(config.worker_threads);
  std::unique_ptr<store::Store> store;
  std::size_t new_agents = 0;
  try {
    store = open_store(config);
    new_agents = seed_from_config(*store, config);
  } catch (const std::exception& e) {
    print_error(e.what());
    return kExitFailure;
  }
  log(LogLevel::info, kComponent,
      "database " + config.database_file + " at schema version " +
          std::to_string(store->schema_version()) + "; seeded " + std::to_string(new_agents) +
          " new agent(s), " + std::to_string(config.users.size()) + " user(s)");

  Metrics metrics;
  add_store_gauges(metrics, *store);
  executor->run();

  try {
    // Checked before anything starts: a subscription to an unknown event is a config error.
    const webhooks::Subscriptions webhook_subscriptions(config.webhooks);
    PluginHostOptions host_options;
    host_options.plugin_dir = config.plugin_dir;
    host_options.send_timeout_ms = config.outbox.send_timeout_ms;
    host_options.default_max_body_bytes = config.limits.max_body_bytes;
    host_options.public_base_url = config.public_base_url;
    host_options.attachments_dir = attachments_dir(config);
    host_options.supervision = config.supervision;
    PluginHost host(*executor, *store, metrics, host_options);
    // An in-process plugin that crashed the gateway left a record of the input it was given:
    // count it before the plugins start, so a poison input is quarantined and a crash loop
    // disables its instance. Then arm the recorder for this run.
    const std::string crash_file = crash_record_file(config);
    host.load_crash_history(config.plugins);
    for (const auto& record : isolation::read_crash_records(crash_file)) {
      if (!record.has_input) {
        log(LogLevel::error, kComponent,
            "the last run died of signal " + std::to_string(record.signal) +
                " outside any plugin call");
        continue;
      }
      host.record_crash(record.input.instance, signal_reason(record.signal), record.input,
                        record.at_ms);
    }
    store->flush();
    isolation::clear_crash_records(crash_file);
    isolation::install_crash_recorder(crash_file);
    // The dispatcher exists before the plugins start: their signals and availability queries
    // (any thread, from the first moment) go to it.
    dispatch::RoutingDispatcher dispatcher(*store, *executor, metrics, config.routing_policy_json);
    dispatcher.set_tier_rules(config.tier_rules);
    auto live_events = std::make_shared<api::LiveEvents>(api::seq_start_for(now_ms()));
    // The supervisors' stream is the dispatcher's LivePublisher: routing decisions go out on it.
    dispatcher.publish_to(live_events);
    service::EscalationNotifier escalation_notifier(*store, *executor, live_events);
    dispatcher.on_escalation([&escalation_notifier](store::Id conversation, store::UnixMs due_at,
                                                    const std::string& reason) {
      escalation_notifier.escalated(conversation, due_at, reason);
    });
    dispatcher.notify_conversations(
        [&host](const store::ConversationChange& change) { host.conversation_changed(change); });
    host.on_signal([&dispatcher](const std::string&, std::int64_t conversation_id,
                                 const std::string& kind, const std::string& data_json) {
      dispatcher.customer_signal(conversation_id, kind, data_json);
    });
    host.answer_availability([&dispatcher](const std::string& instance,
                                           const std::string& channel_kind,
                                           const SkillNeeds& skills) {
      std::vector<routing::SkillRequirement> needs;
      for (const auto& [skill, level] : skills) needs.push_back({skill, level});
      const dispatch::ChannelAvailability a =
          dispatcher.channel_availability(instance, channel_kind, needs);
      return ChannelAvailability{a.agents_online, a.agents_free, a.queued, a.expected_wait_ms};
    });
    host.on_channel_action([&dispatcher](store::ChannelAction a,
                                         std::function<void(store::ChannelActionOutcome)> done) {
      dispatcher.channel_action(std::move(a), std::move(done));
    });
    host.start(config.plugins);
    for (const auto& i : host.instances()) {
      log(i.state == "running" ? LogLevel::info : LogLevel::warn, kComponent,
          "plugin instance " + i.instance + " (" + i.file + "): " + i.state +
              (i.reason.empty() ? "" : " — " + i.reason));
    }
    dispatcher.start();
    OutboxSender outbox(*store, host, *executor, metrics, config.outbox);
    outbox.start();
    // Outbound webhooks: the pump turns committed events into deliveries, the sender sends them.
    webhooks::DeliverySender webhook_sender(*store, *executor, metrics, webhook_subscriptions);
    webhooks::EventPump webhook_pump(*store, *executor, webhook_subscriptions,
                                     [&webhook_sender] { webhook_sender.wake(); });
    webhook_sender.start();
    webhook_pump.start();
    log(LogLevel::info, kComponent,
        std::to_string(webhook_subscriptions.all().size()) + " webhook subscription(s)");
    host.on_committed(
        [&dispatcher](const std::string& instance, const store::IngestResult& r, Committed what) {
          dispatcher.on_inbound(instance, r, what == Committed::customer_message);
        });

    // Operators enable instances and release quarantined inputs through the API or the CLI
    // (another process): both land in the store, which is looked at every second.
    auto operator_strand = executor->make_strand();
    std::function<void()> poll_operator_changes = [&] {
      host.apply_operator_changes();
      operator_strand->post_after(std::chrono::seconds(1), poll_operator_changes);
    };
    operator_strand->post_after(std::chrono::seconds(1), poll_operator_changes);

    http::Router router;
    StoreHealth store_health(*store, *executor);
    add_operational_routes(router, metrics, store_health, host);
    host.register_routes(router);
    api::AgentApi agent_api(*store, dispatcher, outbox, metrics,
                            {attachments_dir(config), config.limits.max_upload_bytes});
    agent_api.on_channel_command([&host](store::ChannelCommand command,
                                         std::function<void(store::ChannelCommandOutcome)> done) {
      host.command(std::move(command), std::move(done));
    });
    agent_api.register_routes(router);
    api::NotesApi notes_api(*store);
    notes_api.register_routes(router);
    api::CannedResponsesApi canned_responses_api(*store);
    canned_responses_api.register_routes(router);
    api::ConversationMergeApi conversation_merge_api(*store, dispatcher);
    conversation_merge_api.register_routes(router);
    // Notes, replies and delivery states on the event stream, whoever committed them.
    api::ConversationActivityRelay activity_relay(*store, *executor, live_events);
    activity_relay.start();
    service::ComplaintService complaints(*store, *executor, dispatcher, live_events,
                                         service::ladder_windows(config.complaints));
    complaints.start();
    service::ComplaintApi complaint_api(*store, complaints);
    complaint_api.register_routes(router);
    api::SupervisorStream supervisor_stream(*store, dispatcher, live_events, *executor);
    supervisor_stream.register_routes(router);
    // Before the admin API: its GET /customers/{id} would take /customers/duplicates.
    api::CustomerMergeApi customer_merge_api(
        *store, dispatcher, store::UnixMs{config.customers.merge_undo_hours} * 3600 * 1000);
    customer_merge_api.register_routes(router);
    api::ErasureApi erasure_api(*store, dispatcher);
    erasure_api.register_routes(router);
    // [[retention]]: resolved conversations emptied once old enough, checked daily.
    service::RetentionJob retention(*store, *executor, config.retention, now_ms);
    if (!config.retention.empty()) retention.start();
    api::AdminApi admin_api(*store, dispatcher);
    admin_api.on_user_changed(
        [&supervisor_stream](const std::string& name, std::function<void()> then) {
          supervisor_stream.user_changed(name, std::move(then));
        });
    admin_api.register_routes(router);
    api::AuthApi auth_api(*store, config.auth);
    auth_api.register_routes(router);
    api::AuditApi audit_api(*store);
    audit_api.register_routes(router);
    api::TranscriptApi transcript_api(*store);
    transcript_api.register_routes(router);
    api::RouteTableApi route_table_api(*store, router);
    route_table_api.register_routes(router);
    // Tiers from customer value: a run each quarter (or as configured) and on an admin's request.
    std::unique_ptr<customers::ValuationScheduler> valuation;
    if (!config.valuation.factors.empty()) {
      valuation = std::make_unique<customers::ValuationScheduler>(
          *store, config.valuation,
          [&dispatcher](const store::CustomerChange& change) {
            dispatcher.customer_changed(change);
          },
          now_ms);
      valuation->start();
    }
    api::CustomerValuationApi valuation_api(*store, valuation.get());
    valuation_api.register_routes(router);
    // Every end of an agent's contact owes a contact log within the window (2 hours).
    service::ContactLogging contact_logging(*store, *executor, live_events, config.contact_logging,
                                            now_ms);
    if (config.contact_logging.within_minutes > 0) contact_logging.start();
    service::ContactLogApi contact_log_api(*store);
    contact_log_api.register_routes(router);
    // After-sales cases: each stage's response target watched (24 h by default).
    service::ServiceCases service_cases(*store, *executor, live_events, config.service_cases,
                                        now_ms);
    service_cases.start();
    service::ServiceCaseApi service_case_api(*store, service_cases);
    service_case_api.register_routes(router);
    // Runs on the store's writer thread after the commit: hand the work to the strand.
    api::QuarantineApi quarantine_api(
        *store, [&] { operator_strand->post([&host] { host.apply_operator_changes(); }); });
    quarantine_api.register_routes(router);
    api::QaApi qa_api(*store);
    qa_api.register_routes(router);
    api::QaReportsApi qa_reports_api(
        *store, [&dispatcher](auto done) { dispatcher.current_policy(std::move(done)); });
    qa_reports_api.register_routes(router);
    api::CsatApi csat_api(*store);
    csat_api.register_routes(router);
    webhooks::WebhookAdminApi webhook_admin_api(*store, webhook_subscriptions,
                                                [&webhook_sender] { webhook_sender.wake(); });
    webhook_admin_api.register_routes(router);
    if (std::filesystem::is_regular_file(std::filesystem::path(config.console_dir) /
                                         "index.html")) {
      http::serve_console(router, config.console_dir);  // before the catch-all, which has "/"
    } else {
      log(LogLevel::warn, kComponent,
          "console_dir " + config.console_dir + " has no index.html: the console is not served");
    }
    const std::string web_dir = config.web_dir.empty() ? OMNIGATE_DEFAULT_WEB_DIR : config.web_dir;
    if (std::filesystem::is_directory(web_dir)) {
      http::serve_static(router, web_dir);  // last: its GET /* catches every other path
    } else {
      log(LogLevel::warn, kComponent, "web_dir " + web_dir + " not found: consoles not served");
    }

    http::HttpServer server(*executor, router, config.limits, metrics);
    const std::uint16_t port = server.listen(config.listen_address, config.listen_port);
    server.start();
    if (auto port_file = args.get("port-file")) write_port_file(*port_file, port);
    std::cout << "listening on http://" << url_host(config.listen_address) << ':' << port
              << std::endl;

    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        reload_routing(config, dispatcher);
        continue;
      }
      log(LogLevel::info, kComponent,
          std::string("received ") + (sig == SIGTERM ? "SIGTERM" : "SIGINT") + ", stopping");
      break;
    }

    // Reverse order: no new requests, then no new work, then wait for the writes in flight.
    server.stop(kShutdownGrace);
    host.stop();
    outbox.stop();
    webhook_pump.stop();
    webhook_sender.stop();
    if (valuation) valuation->stop();
    contact_logging.stop();
    retention.stop();
    service_cases.stop();
    complaints.stop();
    activity_relay.stop();
    dispatcher.stop();
    store->flush();
    executor->stop();
    log(LogLevel::info, kComponent, "stopped");
    return kExitOk;
  } catch (const config::ConfigError& e) {
    print_error(e.what());
    executor->stop();
    return kExitUsage;
  } catch (const std::exception& e) {
    print_error(e.what());
    executor->stop();
    return kExitFailure;
  }
}

}  // namespace omnigate::app

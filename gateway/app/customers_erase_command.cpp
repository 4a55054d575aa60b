// `omnigate customers erase` (docs/operations.md "Erasure, legal hold and retention"): what
// POST /api/v1/customers/{id}/erase does, from the command line, with the same audit row.
#include "app/blocking_write.hpp"
#include "app/cli.hpp"
#include "app/operator_name.hpp"
#include "app/startup.hpp"

#include "api/request_body.hpp"
#include "core/clock.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

namespace omnigate::app {

int customers_erase_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id =
        args.positional.size() == 1 ? api::parse_path_id(args.positional[0]) : std::nullopt;
    if (!id) {
      print_error("expected one argument: the customer ID (a number)");
      return kExitUsage;
    }
    const std::string reason = args.get("reason").value_or("");
    if (reason.empty()) {
      print_error("--reason is required: why the customer is erased (not who they are)");
      return kExitUsage;
    }
    const std::string actor = args.get("actor").value_or(default_cli_actor());
    const store::UnixMs at = now_ms();
    const auto r = committed<store::ErasureOutcome>([&](auto done) {
      store.erase_customer({*id, actor, reason, at}, std::move(done));
    });
    if (!r.ok) {
      print_error(r.error);
      return kExitFailure;
    }
    const auto audited = committed<store::Nothing>([&](auto done) {
      store.audit({actor, "customer.erase", "customer:" + std::to_string(*id), "",
                   nlohmann::json{{"reason", reason},
                                  {"customers", r.value.customers.size()},
                                  {"conversations", r.value.conversations.size()},
                                  {"messages", r.value.messages}}
                       .dump(),
                   at},
                  std::move(done));
    });
    if (!audited.ok) print_error("erased, but the audit row failed: " + audited.error);
    std::cout << "customer " << *id << " erased: " << r.value.conversations.size()
              << " conversation(s), " << r.value.messages << " message(s), "
              << r.value.attachment_files << " attachment file(s)"
              << (r.value.purged ? ""
                                 : "; the database was busy: not yet vacuumed, run it again later")
              << '\n';
    if (!r.value.open_conversations.empty())
      std::cerr << "a running gateway still queues the " << r.value.open_conversations.size()
                << " open one(s) until restarted (the API lets them go at once)" << std::endl;
    return audited.ok ? kExitOk : kExitFailure;
  });
}

}  // namespace omnigate::app

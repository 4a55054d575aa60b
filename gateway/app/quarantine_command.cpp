// omnigate quarantine list|show|release|drop: the inputs that crashed their plugin
// (docs/operations.md "Quarantine and disabled instances"), read and acted on in the database
// named by --config, with the gateway running or not.
#include "app/blocking_write.hpp"
#include "app/cli.hpp"
#include "app/operator_name.hpp"
#include "app/startup.hpp"
#include "core/base64.hpp"

#include "api/quarantine_view.hpp"
#include "api/request_body.hpp"

#include "omnigate/utf8.hpp"

#include <algorithm>
#include <ctime>
#include <iostream>

namespace omnigate::app {

namespace {

// "2026-11-23T07:40:45.123Z"
std::string utc_time(store::UnixMs ms) {
  const std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ms % 1000));
  return buf;
}

std::string utc_time(const std::optional<store::UnixMs>& ms) {
  return ms ? utc_time(*ms) : std::string("-");
}

std::optional<store::Id> entry_id_arg(const Args& args) {
  const auto id =
      args.positional.size() == 1 ? api::parse_path_id(args.positional[0]) : std::nullopt;
  if (!id) print_error("expected one argument: the quarantine entry's ID (a number)");
  return id;
}

void print_table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << '\n';
  }
}

void print_entry(const store::QuarantineEntry& e) {
  std::cout << "id:             " << e.id << '\n'
            << "instance:       " << e.instance << '\n'
            << "input kind:     " << e.input_kind << '\n'
            << "input key:      " << e.input_key << '\n'
            << "status:         " << e.status << '\n'
            << "crashes:        " << e.crashes << '\n'
            << "first crash:    " << utc_time(e.first_crash_at) << '\n'
            << "last crash:     " << utc_time(e.last_crash_at) << '\n'
            << "last reason:    " << e.last_reason << '\n'
            << "quarantined at: " << utc_time(e.quarantined_at) << '\n'
            << "released at:    " << utc_time(e.released_at) << '\n'
            << "released by:    " << (e.released_by.empty() ? "-" : e.released_by) << '\n'
            << "replayed at:    " << utc_time(e.replayed_at) << '\n'
            << "dropped at:     " << utc_time(e.dropped_at) << '\n'
            << "dropped by:     " << (e.dropped_by.empty() ? "-" : e.dropped_by) << '\n';
}

// release and drop: the entry must exist and the store decides whether its status allows it.
int act(const Args& args, const char* verb,
        void (store::Store::*action)(store::Id, std::string,
                                     store::Completion<store::QuarantineEntry>)) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id = entry_id_arg(args);
    if (!id) return kExitUsage;
    if (!store.get_quarantine(*id)) {
      print_error("no quarantine entry " + std::to_string(*id));
      return kExitFailure;
    }
    const std::string actor = args.get("actor").value_or(default_cli_actor());
    const auto r = committed<store::QuarantineEntry>(
        [&](auto done) { (store.*action)(*id, actor, std::move(done)); });
    if (!r.ok) {
      print_error(r.error);
      return kExitFailure;
    }
    std::cout << verb << " quarantine entry " << r.value.id << " (" << r.value.instance << ", "
              << r.value.input_kind << " " << r.value.input_key << ") as " << actor << '\n';
    return kExitOk;
  });
}

}  // namespace

int quarantine_list_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    if (!args.positional.empty()) {
      print_error("quarantine list takes no arguments");
      return kExitUsage;
    }
    store::QuarantineFilter filter;
    filter.instance = args.get("instance");
    filter.status = args.get("status");
    if (filter.status && *filter.status != "suspect" && *filter.status != "quarantined" &&
        *filter.status != "released" && *filter.status != "dropped") {
      print_error("--status must be one of suspect, quarantined, released, dropped");
      return kExitUsage;
    }
    filter.limit = 1000;
    const auto entries = store.list_quarantine(filter);
    std::vector<std::vector<std::string>> rows{
        {"ID", "INSTANCE", "KIND", "STATUS", "CRASHES", "LAST CRASH (UTC)", "LAST REASON"}};
    for (const auto& e : entries)
      rows.push_back({std::to_string(e.id), e.instance, e.input_kind, e.status,
                      std::to_string(e.crashes), utc_time(e.last_crash_at),
                      utf8::repaired(e.last_reason)});
    print_table(rows);
    std::cout << entries.size() << " entr" << (entries.size() == 1 ? "y" : "ies") << std::endl;
    return kExitOk;
  });
}

int quarantine_show_command(const Args& args) {
  return with_configured_store(args, [&](const config::GatewayConfig&, store::Store& store) {
    const auto id = entry_id_arg(args);
    if (!id) return kExitUsage;
    const auto e = store.get_quarantine(*id);
    if (!e) {
      print_error("no quarantine entry " + std::to_string(*id));
      return kExitFailure;
    }
    print_entry(*e);
    if (utf8::is_valid(e->raw)) {
      std::cout << "raw input:\n" << e->raw << '\n';
    } else {
      std::cout << "raw input (base64, not UTF-8):\n" << omnigate::base64_encode(e->raw) << '\n';
    }
    if (const auto body = api::readable_body(e->raw)) std::cout << "body:\n" << *body << '\n';
    std::cout << std::flush;
    return kExitOk;
  });
}

int quarantine_release_command(const Args& args) {
  return act(args, "released", &store::Store::release_quarantine);
}

int quarantine_drop_command(const Args& args) {
  return act(args, "dropped", &store::Store::drop_quarantine);
}

}  // namespace omnigate::app

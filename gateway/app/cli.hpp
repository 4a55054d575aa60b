// The omnigate command line: one function per command (one file each), sharing a tiny
// option parser. Every command returns the process exit code.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace omnigate::app {

// Exit codes shared by every command.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;  // runtime failure (database, plugin, socket)
inline constexpr int kExitUsage = 2;    // bad command line or bad config

// "--name value" options and positional arguments of one command.
struct Args {
  std::map<std::string, std::string> options;  // without the leading "--"
  std::vector<std::string> positional;
  bool help = false;

  std::optional<std::string> get(const std::string& name) const;
};

// Parses argv[first..]; `with_value` lists the options that take a value, `flags` those that
// take none (present in `options` with ""). Throws std::invalid_argument naming the bad option.
Args parse_args(int argc, char** argv, int first, const std::vector<std::string>& with_value,
                const std::vector<std::string>& flags = {});

int serve_command(const Args& args);
int migrate_command(const Args& args);
int plugins_list_command(const Args& args);
int plugins_check_command(const Args& args);
int plugins_conform_command(const Args& args);
int agents_list_command(const Args& args);
int agents_add_command(const Args& args);
int agents_set_command(const Args& args);
int agents_remove_command(const Args& args);
int users_add_command(const Args& args);
int users_remove_command(const Args& args);
int users_hash_password_command(const Args& args);
int customers_show_command(const Args& args);
int customers_set_tier_command(const Args& args);
int customers_revalue_command(const Args& args);
int customers_erase_command(const Args& args);
int plugin_host_command(const Args& args);
int quarantine_list_command(const Args& args);
int quarantine_show_command(const Args& args);
int quarantine_release_command(const Args& args);
int quarantine_drop_command(const Args& args);
int plugins_enable_command(const Args& args);
int transcript_verify_command(const Args& args);
int transcript_export_command(const Args& args);

// Prints "omnigate: <message>" on stderr (one line, for scripts and operators).
void print_error(const std::string& message);

}  // namespace omnigate::app

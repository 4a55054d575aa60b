// Structured logging: one JSON object per line on stderr, e.g.
//   {"ts":"2026-11-23T07:40:45.123Z","level":"info","component":"http","msg":"listening"}
// Each record is written with a single write() so lines from different threads never interleave.
// Never pass secrets (tokens, passwords, provider auth) in a message.
#pragma once

#include <optional>
#include <string_view>

namespace omnigate {

enum class LogLevel { debug, info, warn, error };

// Records below `level` are dropped. Thread-safe; the default is info.
void set_log_level(LogLevel level);
LogLevel log_level();
// "debug" | "info" | "warn" | "error"; nullopt for anything else.
std::optional<LogLevel> log_level_from_string(std::string_view name);
const char* to_string(LogLevel level);

void log(LogLevel level, std::string_view component, std::string_view message);

}  // namespace omnigate

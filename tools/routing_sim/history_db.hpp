// Reads the history rows routing-sim replays from a gateway's SQLite database, read-only (the
// gateway may be running: WAL lets this reader beside its writer). Nothing is migrated or
// written.
#pragma once

#include <stdexcept>
#include <string>

#include "history.hpp"

namespace routing_sim {

// The file cannot be read as an omnigate database of a schema these queries know; what() says
// why in words (missing file, not a database, not omnigate's, which schema version).
struct HistoryError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct HistoryFile {
  HistoryRows rows;
  int schema_version = 0;
};

HistoryFile read_history(const std::string& path);

}  // namespace routing_sim

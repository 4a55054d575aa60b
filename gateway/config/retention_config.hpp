// [[retention]]: how long resolved conversations are kept, per channel and/or tier
// (docs/operations.md "Erasure, legal hold and retention"). The serve process applies the rules
// once a day (service/retention_job.hpp).
#pragma once

#include "store/erasure_records.hpp"

namespace omnigate::config {

class TableReader;

// Reads and checks one [[retention]] entry; throws ConfigError naming the key.
store::RetentionRule read_retention(TableReader t);

}  // namespace omnigate::config

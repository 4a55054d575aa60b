// The QA benchmark's store: a real omnigate database (the gateway's own schema, migrations and
// transcript chain) holding `conversations` resolved conversations of ten messages each, written
// straight through SQL because ingesting ten million messages through the webhook path would
// take the better part of an hour. The file is kept and reused while its shape matches.
#pragma once

#include <cstdint>
#include <string>

namespace omnigate::bench_qa {

struct DatasetShape {
  std::int64_t conversations = 1'000'000;
  int messages_per_conversation = 10;
  int agents = 200;  // in teams of 20
  int days = 100;    // conversations spread evenly over this many days
};

// Milliseconds from the dataset's first conversation to the start of `day`.
std::int64_t day_start_ms(int day);

// Creates `path` (and its attachments dir beside it) unless it already holds a dataset of this
// shape. Progress goes to stderr; throws std::runtime_error on failure.
void ensure_dataset(const std::string& path, const DatasetShape& shape);

}  // namespace omnigate::bench_qa

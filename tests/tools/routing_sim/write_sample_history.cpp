// write-sample-history DB_FILE ATTACHMENTS_DIR: the routing-sim test's history as a database
// to replay by hand (tools/routing_sim/README.md shows the replay).
#include <cstdio>
#include <exception>

#include "sample_history.hpp"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: write-sample-history DB_FILE ATTACHMENTS_DIR\n");
    return 2;
  }
  try {
    routing_sim::sample::write_sample_history(argv[1], argv[2]);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "write-sample-history: %s\n", e.what());
    return 1;
  }
  return 0;
}

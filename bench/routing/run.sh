#!/usr/bin/env bash
# Runs the routing benchmark (engine and linear-scan baseline in one process).
#   bench/routing/run.sh BUILD_DIR [extra bench-routing options]
set -euo pipefail
if [[ $# -lt 1 ]]; then
  echo "usage: $0 BUILD_DIR [--agents N --skills N --backlog N --decisions N --seed N]" >&2
  exit 2
fi
build=$1
shift
bin="$build/bin/bench-routing"
if [[ ! -x "$bin" ]]; then
  echo "$bin not found: build it with cmake --build $build --target bench-routing" >&2
  exit 1
fi
"$bin" "$@"

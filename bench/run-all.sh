#!/usr/bin/env bash
# Runs every benchmark (bench/*/run.sh) against one build directory, one after the other
# (they would disturb each other's numbers if run in parallel).
#   bench/run-all.sh BUILD_DIR
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
bench_dir=$(cd "$(dirname "$0")" && pwd)
status=0
for script in "$bench_dir"/*/run.sh; do
  echo "===== ${script#"$bench_dir"/}"
  "$script" "$1" || { echo "FAILED: $script" >&2; status=1; }
done
exit $status

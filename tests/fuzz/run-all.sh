#!/usr/bin/env bash
# Runs every fuzz target built in BUILD_DIR for SECONDS each, starting from its checked-in
# corpus (copied, so new inputs found in CI do not dirty the tree). Fails on the first crash.
set -euo pipefail
build_dir=${1:?usage: run-all.sh BUILD_DIR [SECONDS]}
seconds=${2:-20}
list="$build_dir/fuzz-targets.txt"
[ -f "$list" ] || { echo "run-all: no fuzz targets listed in $list" >&2; exit 1; }
while read -r name corpus; do
  work=$(mktemp -d)
  cp -r "$corpus"/. "$work"/ 2>/dev/null || true
  echo "== fuzz $name for ${seconds}s (seed corpus: $corpus)"
  "$build_dir/fuzz/$name" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 "$work"
  rm -rf "$work"
done < "$list"

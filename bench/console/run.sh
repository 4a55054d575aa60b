#!/usr/bin/env bash
# The console's first paint with 5,000 open conversations against 10 (run.py; bench/README.md
# "console"). Builds nothing: needs omnigate, the SMS plugin, console_assets and the tests'
# playwright-core (target browser_test_modules) in BUILD_DIR.
#   bench/console/run.sh BUILD_DIR      (environment: SIZES, RUNS, CONCURRENCY; see run.py)
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build=$(cd "$1" && pwd)
exec /usr/bin/python3 "$(dirname "$0")/run.py" --omnigate "$build/bin/omnigate" \
  --plugin-dir "$build/plugins" --node-modules "$build/tests/browser/node_modules"

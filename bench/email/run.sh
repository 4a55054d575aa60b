#!/usr/bin/env bash
# E-mail benchmark (bench/README.md, "email"): in one run,
#  1. bench-email-read: the plugin's whole read of each corpus mail ÷ GMime parsing alone, and
#     the sanitiser on the largest HTML body (the 2,000-link mail; target < 50 ms);
#  2. gateway_bench.py: the webhook path's stored mails/s (÷ GMime alone from step 1; target
#     >= 0.5), IDLE arrival → stored p99 (target <= 2 s), and a 10,000-mail IMAP import with a
#     SIGKILL half way (target: nothing lost or doubled, under a minute).
#   bench/email/run.sh BUILD_DIR
#   (env: ROUNDS=5 WEBHOOK_ROUNDS=3 CONNECTIONS=4 MAILS_IDLE=100 IMPORT=10000)
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
# The checked-in corpus and its large mails (2,000 links, 10 MB, ...), written at build time.
corpus="$here/../../tests/plugins/email/corpus"
generated="$build_dir/tests/plugins/email/generated-corpus"
[[ -d $generated ]] || cmake --build "$build_dir" --target email_generated_corpus
echo "== GMime alone vs omnigate's read, corpus $corpus + $generated"
read_result=$("$build_dir/bin/bench-email-read" "${ROUNDS:-5}" "$corpus" "$generated" | tee /dev/stderr | sed -n 's/^RESULT //p')
echo "== the gateway's paths"
gateway_result=$(/usr/bin/python3 "$here/gateway_bench.py" --omnigate "$build_dir/bin/omnigate" \
  --plugin-dir "$build_dir/plugins" --corpus "$corpus" --corpus "$generated" | tee /dev/stderr | sed -n 's/^RESULT //p')
/usr/bin/python3 - "$read_result" "$gateway_result" <<'PY'
import json, sys
read, gw = json.loads(sys.argv[1]), json.loads(sys.argv[2])
ratio = gw["webhook_per_s"] / read["gmime_per_s"]
print(f"webhook stored ÷ GMime alone: {ratio:.3f} (target >= 0.5)")
print(f"sanitize 2,000-link HTML: {read['sanitize_largest_html_ms']:.2f} ms (target < 50 ms)")
print(f"IDLE arrival → stored p99: {gw['idle_p99_ms']:.0f} ms (target <= 2000 ms)")
print(f"10,000-mail import with a SIGKILL: {gw['import_seconds']:.1f} s (target < 60 s), "
      f"missing {gw['import_missing']}, doubled {gw['import_doubled']}")
PY

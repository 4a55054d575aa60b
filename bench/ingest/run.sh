#!/usr/bin/env bash
# Ingest benchmark (check 6), one run: the same load against the baseline Beast server and
# against the real `omnigate serve` with the SMS plugin (synchronous=FULL, the default), then
# both results, their ratio (target >= 0.35) and a check that the database holds exactly the
# acknowledged messages.
#   bench/ingest/run.sh BUILD_DIR      (env: REQUESTS=60000 CONNECTIONS=256 SENDERS=1000)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
# shellcheck source=bench/ingest/lib.sh
source "$(dirname "$0")/lib.sh"

echo "== baseline: bench-ingest-baseline (Beast, 2 threads, 200 to every POST)" >&2
"$baseline" --threads 2 --port-file "$work/baseline.port" >"$work/baseline.log" 2>&1 &
server_pid=$!
port=$(wait_for_port "$work/baseline.port")
baseline_result=$(run_load "$port" "$work/baseline.acked")
stop_server

echo "== omnigate serve + libog_sms.so (SQLite, synchronous=FULL)" >&2
write_gateway_config
"$gateway" serve --config "$work/omnigate.toml" --port-file "$work/omnigate.port" >"$work/omnigate.log" 2>&1 &
server_pid=$!
port=$(wait_for_port "$work/omnigate.port")
gateway_result=$(run_load "$port" "$work/omnigate.acked")
stop_server

python3 - "$baseline_result" "$gateway_result" "$work/omnigate.acked" "$work/data/omnigate.db" <<'PY'
import json, sqlite3, sys
baseline, gateway = json.loads(sys.argv[1]), json.loads(sys.argv[2])
acked = {line.strip() for line in open(sys.argv[3]) if line.strip()}
db = sqlite3.connect(f"file:{sys.argv[4]}?mode=ro", uri=True)
stored = {row[0] for row in db.execute(
    "SELECT provider_message_id FROM messages WHERE direction = 'in'")}
rows = db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in'").fetchone()[0]
ratio = gateway["rps"] / baseline["rps"]
print(f"{'':10} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'2xx':>7} {'errors':>7}")
for name, r in (("baseline", baseline), ("omnigate", gateway)):
    print(f"{name:10} {r['rps']:>10.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['acked']:>7} "
          f"{r['non_2xx'] + r['transport_errors']:>7}")
print(f"ratio omnigate/baseline = {ratio:.3f} (target >= 0.35): {'OK' if ratio >= 0.35 else 'BELOW TARGET'}")
missing = acked - stored
print(f"database: {rows} inbound rows, {len(stored)} distinct MessageSids; acknowledged {len(acked)}; "
      f"acknowledged but missing {len(missing)}")
ok = rows == len(acked) and not missing
print("durability check:", "OK (every acknowledged message stored exactly once)" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY

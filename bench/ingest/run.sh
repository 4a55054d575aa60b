#!/usr/bin/env bash
# Ingest benchmark, one run: the same peak load against the baseline Beast server and against
# the real `omnigate serve` with the SMS plugin (synchronous=FULL, the default), their ratio
# (target >= 0.35); then the gateway at a fixed rate of half its measured peak for
# FIXED_SECONDS, its p50/p99 (target p99 <= 5 ms); then a check that the database holds
# exactly the acknowledged messages. Any answer that is not 2xx fails the run.
#   bench/ingest/run.sh BUILD_DIR
#   (env: REQUESTS=60000 CONNECTIONS=256 SENDERS=1000 FIXED_SECONDS=10)
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
# Half the peak just measured: how fast one webhook is answered when the gateway is not the
# bottleneck (a provider's retry timer and a customer's wait are latencies, not throughputs).
fixed_rate=$(python3 -c 'import json,sys; print(max(1, int(json.loads(sys.argv[1])["rps"] / 2)))' "$gateway_result")
fixed_seconds=${FIXED_SECONDS:-10}
echo "== omnigate at a fixed rate of $fixed_rate/s (half its peak) for ${fixed_seconds} s" >&2
fixed_result=$(requests=$((fixed_rate * fixed_seconds)) run_load "$port" "$work/omnigate-fixed.acked" --rate "$fixed_rate")
stop_server

python3 - "$baseline_result" "$gateway_result" "$fixed_result" "$work/data/omnigate.db" \
    "$work/omnigate.acked" "$work/omnigate-fixed.acked" <<'PY'
import json, sqlite3, sys
baseline, gateway, fixed = (json.loads(a) for a in sys.argv[1:4])
acked = {line.strip() for path in sys.argv[5:] for line in open(path) if line.strip()}
db = sqlite3.connect(f"file:{sys.argv[4]}?mode=ro", uri=True)
stored = {row[0] for row in db.execute(
    "SELECT provider_message_id FROM messages WHERE direction = 'in'")}
rows = db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in'").fetchone()[0]
ratio = gateway["rps"] / baseline["rps"]
print(f"{'':16} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'2xx':>7} {'errors':>7}")
for name, r in (("baseline peak", baseline), ("omnigate peak", gateway),
                (f"omnigate {fixed['rate']}/s", fixed)):
    print(f"{name:16} {r['rps']:>10.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['acked']:>7} "
          f"{r['non_2xx'] + r['transport_errors']:>7}")
print(f"ratio omnigate/baseline = {ratio:.3f} (target >= 0.35): {'OK' if ratio >= 0.35 else 'BELOW TARGET'}")
print(f"p99 at half the peak = {fixed['p99_ms']:.2f} ms (target <= 5 ms): "
      f"{'OK' if fixed['p99_ms'] <= 5.0 else 'ABOVE TARGET'}")
missing = acked - stored
print(f"database: {rows} inbound rows, {len(stored)} distinct MessageSids; acknowledged {len(acked)}; "
      f"acknowledged but missing {len(missing)}")
ok = rows == len(acked) and not missing
print("durability check:", "OK (every acknowledged message stored exactly once)" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY

#!/usr/bin/env bash
# Ingest benchmark (check 6), one run: the same load against the baseline Beast server and
# against the real `omnigate serve` with the SMS plugin (synchronous=FULL, the default), then
# both results, their ratio (target >= 0.35) and a check that the database holds exactly the
# acknowledged messages.
#   bench/ingest/run.sh BUILD_DIR      (env: REQUESTS=20000 CONNECTIONS=32 SENDERS=1000)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
requests=${REQUESTS:-20000}
connections=${CONNECTIONS:-32}
senders=${SENDERS:-1000}  # distinct customer numbers (one conversation each)
baseline="$build_dir/bin/bench-ingest-baseline"
load="$build_dir/bin/bench-ingest-load"
gateway="$build_dir/bin/omnigate"
plugin="$build_dir/plugins/libog_sms.so"
for f in "$baseline" "$load" "$gateway" "$plugin"; do
  [[ -e $f ]] || { echo "$0: $f is missing; build targets bench-ingest-baseline bench-ingest-load omnigate sms" >&2; exit 2; }
done

account_sid=AC00000000000000000000000000000000
auth_token=bench-auth-token-0123456789
# Providers reach the gateway through a public URL; signatures cover it, whatever the real port.
public_base_url=https://gateway.bench.test
webhook_path=/channels/sms/sms

work=$(mktemp -d "${TMPDIR:-/tmp}/omnigate-bench-ingest.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for_port FILE PID: the port a server wrote to FILE once it accepts connections.
wait_for_port() {
  for _ in $(seq 1 300); do
    if [[ -s $1 ]]; then cat "$1"; return 0; fi
    kill -0 "$2" 2>/dev/null || { echo "$0: server exited before listening; its log:" >&2; cat "$work"/*.log >&2; exit 1; }
    sleep 0.1
  done
  echo "$0: server did not listen within 30 s" >&2
  exit 1
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

run_load() {  # run_load PORT ACKED_FILE → the generator's RESULT json on the last line
  "$load" --url "http://127.0.0.1:$1$webhook_path" --public-url "$public_base_url$webhook_path" \
    --auth-token "$auth_token" --account-sid "$account_sid" \
    --requests "$requests" --connections "$connections" --senders "$senders" --acked-file "$2" | tee "$work/load.out" >&2
  sed -n 's/^RESULT //p' "$work/load.out"
}

echo "== baseline: bench-ingest-baseline (Beast, 2 threads, 200 to every POST)" >&2
"$baseline" --threads 2 --port-file "$work/baseline.port" >"$work/baseline.log" 2>&1 &
server_pid=$!
port=$(wait_for_port "$work/baseline.port" "$server_pid")
baseline_result=$(run_load "$port" "$work/baseline.acked")
stop_server

echo "== omnigate serve + libog_sms.so (SQLite, synchronous=FULL)" >&2
mkdir -p "$work/data"
cat >"$work/omnigate.toml" <<TOML
[server]
listen = "127.0.0.1:0"
public_base_url = "$public_base_url"
worker_threads = 2
[storage]
data_dir = "$work/data"
[log]
level = "warn"
[[plugins]]
instance = "sms"
file = "$plugin"
[plugins.config]
account_sid = "$account_sid"
auth_token = "$auth_token"
public_base_url = "$public_base_url"
[[agents]]
id = "bench-agent"
display_name = "Bench Agent"
team = "support"
skills = { sms = 3 }
capacity = { sms = 5 }
presence = "online"
TOML
"$gateway" serve --config "$work/omnigate.toml" --port-file "$work/omnigate.port" >"$work/omnigate.log" 2>&1 &
server_pid=$!
port=$(wait_for_port "$work/omnigate.port" "$server_pid")
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

# Sourced by run.sh and profile.sh: the bench's credentials, the gateway's config, starting and
# stopping servers and driving the load generator. Expects build_dir set, defines work (a temp
# dir removed on exit with whatever server is still running).
account_sid=AC00000000000000000000000000000000
auth_token=bench-auth-token-0123456789
# Providers reach the gateway through a public URL; signatures cover it, whatever the real port.
public_base_url=https://gateway.bench.test
webhook_path=/channels/sms/sms
# 60,000: the baseline answers 20,000 in 0.3 s, too short a run to be steady (it varied 50-64k/s).
requests=${REQUESTS:-60000}
# 256 webhooks in flight: Twilio posts every number's messages concurrently, and with
# synchronous=FULL a group commit can only batch what is in flight, so at 32 the ratio measures
# this disk's fsync latency (5-8 ms here) rather than the gateway's work per message.
connections=${CONNECTIONS:-256}
senders=${SENDERS:-1000}  # distinct customer numbers (one conversation each)
baseline="$build_dir/bin/bench-ingest-baseline"
load="$build_dir/bin/bench-ingest-load"
gateway="$build_dir/bin/omnigate"
plugin="$build_dir/plugins/libog_sms.so"
for f in "$baseline" "$load" "$gateway" "$plugin"; do
  [[ -e $f ]] || { echo "$0: $f is missing; build targets bench-ingest-baseline bench-ingest-load omnigate sms" >&2; exit 2; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/omnigate-bench-ingest.XXXXXX")
server_pid=""
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for_port FILE: the port the server (server_pid) wrote to FILE once it accepts connections.
wait_for_port() {
  for _ in $(seq 1 600); do
    if [[ -s $1 ]]; then cat "$1"; return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "$0: server exited before listening; its log:" >&2; cat "$work"/*.log >&2; exit 1; }
    sleep 0.1
  done
  echo "$0: server did not listen within 60 s" >&2
  exit 1
}

stop_server() {  # graceful: the gateway drains its queued writes before it exits
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

# run_load PORT ACKED_FILE [GENERATOR OPTIONS...] → the generator's RESULT json. The generator
# fails (and with it the script, set -e) when any answer was not 2xx.
run_load() {
  local port=$1 acked=$2
  shift 2
  "$load" --url "http://127.0.0.1:$port$webhook_path" --public-url "$public_base_url$webhook_path" \
    --auth-token "$auth_token" --account-sid "$account_sid" \
    --requests "$requests" --connections "$connections" --senders "$senders" --acked-file "$acked" \
    "$@" | tee "$work/load.out" >&2
  sed -n 's/^RESULT //p' "$work/load.out"
}

# The gateway with its defaults (synchronous=FULL, log level info: nothing is logged per
# accepted webhook) plus the SMS plugin and one online agent.
#   write_gateway_config [ISOLATION [DATA_DIR]]  → $work/omnigate.toml
# ISOLATION: "in_process" or "process" (the SMS instance's `isolation`; empty = the default,
# in_process for a bundled plugin); DATA_DIR defaults to $work/data.
write_gateway_config() {
  local isolation=${1:-} data_dir=${2:-$work/data}
  local isolation_line=""
  if [[ -n $isolation ]]; then isolation_line="isolation = \"$isolation\""; fi
  mkdir -p "$data_dir"
  cat >"$work/omnigate.toml" <<TOML
[server]
listen = "127.0.0.1:0"
public_base_url = "$public_base_url"
worker_threads = 2
[storage]
data_dir = "$data_dir"
[[plugins]]
instance = "sms"
file = "$plugin"
$isolation_line
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
}

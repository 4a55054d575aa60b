#!/usr/bin/env bash
# Web-chat benchmark (issue 15, check 5), one run, the baseline and the gateway each measured
# twice, every phase on a freshly started server:
#  1. idle: CONNECTIONS visitors connect and say `hello` (the gateway creates a session for each)
#     and are held open; the server's anonymous resident memory and the kernel's socket buffers
#     for its side are read before and while they are held. Per connection: user space (RssAnon
#     growth ÷ N) + kernel buffers (ss skmem). Targets: omnigate ≤ 1.5× the baseline, ≤ 16 KB.
#  2. fan-out: SESSIONS sessions with two tabs each; RATE messages/s for SECONDS from tab A,
#     open loop; latency from when each was due until tab B receives it (omnigate: the session's
#     log entry, after the store commit; baseline: the echo to the group). Target: omnigate's p99
#     ≤ 2× the baseline's. Every message must arrive once, every one acknowledged.
# The baseline is bench-webchat-echo (Beast, 2 threads, a message echoed to its group); the
# gateway is `omnigate serve` with libog_webchat.so in process on a fresh data dir
# (SQLite, synchronous=FULL, the default).
#   bench/webchat/run.sh BUILD_DIR
#   (env: CONNECTIONS=10000 SESSIONS=1000 RATE=2000 DURATION=10 seconds)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
bench_dir=$(cd "$(dirname "$0")" && pwd)
connections=${CONNECTIONS:-10000}
sessions=${SESSIONS:-1000}
rate=${RATE:-2000}
seconds=${DURATION:-10}  # not SECONDS: bash counts its own run time in that
origin=http://bench.example
echo_server="$build_dir/bin/bench-webchat-echo"
load="$build_dir/bin/bench-webchat-load"
gateway="$build_dir/bin/omnigate"
plugin="$build_dir/plugins/libog_webchat.so"
for f in "$echo_server" "$load" "$gateway" "$plugin"; do
  [[ -e $f ]] || { echo "$0: $f is missing; build targets bench-webchat-echo bench-webchat-load omnigate webchat" >&2; exit 2; }
done
# Each side holds one descriptor per connection (10,000 and more): the soft limit is often 1,024.
ulimit -n "$(ulimit -Hn)"
if (($(ulimit -n) < connections + 256)); then
  echo "$0: open-files limit $(ulimit -n) is below $connections connections + 256" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/omnigate-bench-webchat.XXXXXX")
server_pid=""
client_pid=""
cleanup() {
  for pid in $client_pid $server_pid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for_file FILE WHAT: FILE appears (written aside and renamed by the program), or fail.
wait_for_file() {
  for _ in $(seq 1 1200); do
    if [[ -s $1 ]]; then return 0; fi
    kill -0 "$server_pid" 2>/dev/null || { echo "$0: server exited while waiting for $2; logs:" >&2; tail -n 20 "$work"/*.log >&2; exit 1; }
    if [[ -n $client_pid ]] && ! kill -0 "$client_pid" 2>/dev/null; then
      echo "$0: the load client exited while waiting for $2:" >&2; cat "$work"/*.client >&2; exit 1
    fi
    sleep 0.1
  done
  echo "$0: no $2 within 120 s" >&2
  exit 1
}

stop_server() {
  kill "$server_pid"
  wait "$server_pid" || true
  server_pid=""
}

# The gateway's config: its defaults plus the web-chat instance, one online agent who can take
# every session (so sessions are served, not queued), and room for the idle phase's visitors,
# all of them from 127.0.0.1.
write_gateway_config() {  # DATA_DIR → $work/omnigate.toml
  mkdir -p "$1"
  cat >"$work/omnigate.toml" <<TOML
[server]
listen = "127.0.0.1:0"
public_base_url = "http://127.0.0.1"
worker_threads = 2
[server.limits]
max_connections = $((connections + 1000))
[storage]
data_dir = "$1"
[[plugins]]
instance = "webchat"
file = "$plugin"
isolation = "in_process"  # the default for the bundled plugin, which a path to it would not get
[plugins.config]
allowed_origins = ["$origin"]
secret = "bench-webchat-secret-0123456789"
max_connections_per_ip = $((connections + 1000))
[[agents]]
id = "bench-agent"
display_name = "Bench Agent"
team = "support"
skills = { webchat = 3 }
capacity = { webchat = 100 }
presence = "online"
TOML
}

# start_server NAME → server_pid, and the port it listens on in $port.
start_server() {
  local name=$1
  rm -f "$work/$name.port"
  if [[ $name == baseline* ]]; then
    "$echo_server" --threads 2 --port-file "$work/$name.port" >"$work/$name.log" 2>&1 &
    server_pid=$!
  else
    write_gateway_config "$work/$name.data"
    "$gateway" serve --config "$work/omnigate.toml" --port-file "$work/$name.port" >"$work/$name.log" 2>&1 &
    server_pid=$!
  fi
  wait_for_file "$work/$name.port" "$name's port"
  port=$(cat "$work/$name.port")
  sleep 1  # let start-up finish before the "before" snapshot
}

url_of() {  # NAME PORT
  if [[ $1 == baseline* ]]; then echo "ws://127.0.0.1:$2/ws"; else echo "ws://127.0.0.1:$2/channels/webchat/ws"; fi
}
protocol_of() { if [[ $1 == baseline* ]]; then echo echo; else echo webchat; fi; }

# measure_idle NAME → $work/NAME.idle.json {before, held, client}
measure_idle() {
  local name=$1
  echo "== $name: $connections idle visitors" >&2
  start_server "$name-idle"
  python3 "$bench_dir/server_memory.py" "$server_pid" "$port" >"$work/$name.before.json"
  "$load" --url "$(url_of "$name" "$port")" --protocol "$(protocol_of "$name")" --origin "$origin" \
    --connections "$connections" --ready-file "$work/$name.ready" \
    >"$work/$name.idle.client" 2>"$work/$name.idle.client.err" &
  client_pid=$!
  wait_for_file "$work/$name.ready" "$name's $connections visitors"
  sleep 2  # whatever the server does after answering (store commits, timers) settles
  python3 "$bench_dir/server_memory.py" "$server_pid" "$port" >"$work/$name.held.json"
  kill "$client_pid"
  wait "$client_pid" || { echo "$0: $name: visitors were dropped while held:" >&2; cat "$work/$name.idle.client"* >&2; exit 1; }
  client_pid=""
  cat "$work/$name.idle.client.err" >&2
  stop_server
  python3 - "$work/$name" >"$work/$name.idle.json" <<'PY'
import json, sys
base = sys.argv[1]
client = next(json.loads(l[7:]) for l in open(base + ".idle.client") if l.startswith("RESULT "))
print(json.dumps({"before": json.load(open(base + ".before.json")),
                  "held": json.load(open(base + ".held.json")), "client": client}))
PY
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # user + system, in clock ticks

# measure_fanout NAME → $work/NAME.fanout.json (the client's RESULT plus the server's CPU time)
measure_fanout() {
  local name=$1 cpu_before cpu_after
  echo "== $name: $sessions sessions × 2 tabs, $rate messages/s for $seconds s" >&2
  start_server "$name-fanout"
  cpu_before=$(cpu_ticks "$server_pid")
  "$load" --url "$(url_of "$name" "$port")" --protocol "$(protocol_of "$name")" --origin "$origin" \
    --sessions "$sessions" --rate "$rate" --seconds "$seconds" >"$work/$name.fanout.client" || {
    echo "$0: $name: the fan-out run failed (a message lost, doubled, refused or a tab dropped)" >&2
    exit 1
  }
  cpu_after=$(cpu_ticks "$server_pid")
  sed -n 's/^RESULT //p' "$work/$name.fanout.client" |
    python3 -c 'import json, sys; r = json.load(sys.stdin); r["server_cpu_seconds"] = float(sys.argv[1]); print(json.dumps(r))' \
      "$(((cpu_after - cpu_before) * 1000 / $(getconf CLK_TCK)))e-3" >"$work/$name.fanout.json"
  stop_server
}

measure_idle baseline
measure_idle omnigate
measure_fanout baseline
measure_fanout omnigate

python3 - "$work" "$connections" <<'PY'
import json, sys
work, n = sys.argv[1], int(sys.argv[2])
load = lambda name: json.load(open(f"{work}/{name}"))

def per_connection(name):
    idle = load(f"{name}.idle.json")
    before, held = idle["before"], idle["held"]
    if held["sockets"] != n:
        sys.exit(f"{name}: {held['sockets']} server sockets established while {n} were held")
    user = (held["rss_anon_kb"] - before["rss_anon_kb"]) * 1024 / n
    kernel = (held["socket_buffer_bytes"] - before["socket_buffer_bytes"]) / n
    slab = (held["socket_slab_bytes"] - before["socket_slab_bytes"]) / 2 / n
    return {"user": user, "kernel": kernel, "total": user + kernel, "slab": slab,
            "vm_rss": (held["vm_rss_kb"] - before["vm_rss_kb"]) * 1024 / n,
            "pss": (held["pss_kb"] - before["pss_kb"]) * 1024 / n}

base, gate = per_connection("baseline"), per_connection("omnigate")
bf, gf = load("baseline.fanout.json"), load("omnigate.fanout.json")
kb = lambda b: f"{b / 1024:.2f} KB"
ratio = lambda a, b: a / b if b else float("inf")
rows = [
    ("idle: user space / connection (RssAnon)", kb(base["user"]), kb(gate["user"]), ratio(gate["user"], base["user"])),
    ("idle: kernel buffers / connection (skmem)", kb(base["kernel"]), kb(gate["kernel"]), None),
    ("idle: all told / connection", kb(base["total"]), kb(gate["total"]), ratio(gate["total"], base["total"])),
    ("idle: VmRSS growth / connection", kb(base["vm_rss"]), kb(gate["vm_rss"]), None),
    ("idle: kernel socket objects (slab, ≈)", kb(base["slab"]), kb(gate["slab"]), None),
    ("fan-out p50 (tab B received)", f"{bf['fanout_p50_ms']:.2f} ms", f"{gf['fanout_p50_ms']:.2f} ms", ratio(gf["fanout_p50_ms"], bf["fanout_p50_ms"])),
    ("fan-out p99", f"{bf['fanout_p99_ms']:.2f} ms", f"{gf['fanout_p99_ms']:.2f} ms", ratio(gf["fanout_p99_ms"], bf["fanout_p99_ms"])),
    ("fan-out max", f"{bf['fanout_max_ms']:.2f} ms", f"{gf['fanout_max_ms']:.2f} ms", None),
    ("ack p50 / p99 (tab A; baseline: own echo)", f"{bf['ack_p50_ms']:.2f} / {bf['ack_p99_ms']:.2f} ms",
     f"{gf['ack_p50_ms']:.2f} / {gf['ack_p99_ms']:.2f} ms", None),
    ("server CPU / message (user + system, setup included)",
     f"{bf['server_cpu_seconds'] * 1e6 / bf['messages']:.0f} µs", f"{gf['server_cpu_seconds'] * 1e6 / gf['messages']:.0f} µs", None),
    ("send rate achieved", f"{bf['achieved_send_rate']:.0f}/s", f"{gf['achieved_send_rate']:.0f}/s", None),
]
print(f"\n{'':44} {'baseline':>16} {'omnigate':>16} {'ratio':>7}")
for label, b, g, r in rows:
    print(f"{label:44} {b:>16} {g:>16} {'' if r is None else f'{r:.2f}':>7}")
memory_ratio = ratio(gate["total"], base["total"])
p99_ratio = ratio(gf["fanout_p99_ms"], bf["fanout_p99_ms"])
checks = [
    (f"memory per idle connection {memory_ratio:.2f}× the baseline (target ≤ 1.5×)", memory_ratio <= 1.5),
    (f"memory per idle visitor {kb(gate['total'])} all told (target ≤ 16 KB)", gate["total"] <= 16 * 1024),
    (f"fan-out p99 {p99_ratio:.2f}× the baseline (target ≤ 2×)", p99_ratio <= 2.0),
]
print()
for text, ok in checks:
    print(f"{'PASS' if ok else 'MISS'}  {text}")
print(f"every message delivered once to the other tab and acknowledged: "
      f"{gf['fanout_received']} / {gf['acked']} of {gf['messages']} (baseline {bf['fanout_received']} of {bf['messages']})")
PY

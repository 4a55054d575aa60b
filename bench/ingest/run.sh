#!/usr/bin/env bash
# Ingest benchmark, one run: the same peak load against the baseline Beast server and against
# the real `omnigate serve` with the SMS plugin (synchronous=FULL, the default) twice — the SMS
# instance inside the gateway (isolation = "in_process") and in a supervised plugin-host process
# (isolation = "process") — each one's ratio to the baseline (in_process target >= 0.35) and
# process ÷ in_process (target >= 0.8); then each gateway at a fixed rate of half its own
# measured peak for FIXED_SECONDS, its p50/p99 (target p99 <= 5 ms); then a check that each
# database holds exactly the acknowledged messages. Any answer that is not 2xx fails the run.
# PAIRS > 1 repeats all of it (baseline included), alternating which gateway goes first, and ends
# with every pair's ratios and their medians.
#   bench/ingest/run.sh BUILD_DIR
#   (env: REQUESTS=60000 CONNECTIONS=256 SENDERS=1000 FIXED_SECONDS=10 PAIRS=1)
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
# shellcheck source=bench/ingest/lib.sh
source "$(dirname "$0")/lib.sh"
pairs=${PAIRS:-1}
fixed_seconds=${FIXED_SECONDS:-10}

run_baseline() {  # PAIR → $work/baseline-PAIR.json
  echo "== baseline: bench-ingest-baseline (Beast, 2 threads, 200 to every POST)" >&2
  "$baseline" --threads 2 --port-file "$work/baseline-$1.port" >"$work/baseline-$1.log" 2>&1 &
  server_pid=$!
  local port
  port=$(wait_for_port "$work/baseline-$1.port")
  run_load "$port" "$work/baseline-$1.acked" >"$work/baseline-$1.json"
  stop_server
}

# run_gateway ISOLATION PAIR → $work/ISOLATION-PAIR.{peak,fixed}.json, data under
# $work/ISOLATION-PAIR.data: the peak, then a fixed rate of half of it.
run_gateway() {
  local mode=$1 run="$work/$1-$2" port fixed_rate
  echo "== omnigate serve + libog_sms.so, isolation = \"$mode\" (SQLite, synchronous=FULL)" >&2
  write_gateway_config "$mode" "$run.data"
  "$gateway" serve --config "$work/omnigate.toml" --port-file "$run.port" >"$run.log" 2>&1 &
  server_pid=$!
  port=$(wait_for_port "$run.port")
  run_load "$port" "$run.peak.acked" >"$run.peak.json"
  # Half the peak just measured: how fast one webhook is answered when the gateway is not the
  # bottleneck (a provider's retry timer and a customer's wait are latencies, not throughputs).
  fixed_rate=$(python3 -c 'import json,sys; print(max(1, int(json.load(open(sys.argv[1]))["rps"] / 2)))' "$run.peak.json")
  echo "== omnigate ($mode) at a fixed rate of $fixed_rate/s (half its peak) for ${fixed_seconds} s" >&2
  requests=$((fixed_rate * fixed_seconds)) run_load "$port" "$run.fixed.acked" --rate "$fixed_rate" >"$run.fixed.json"
  stop_server
}

for pair in $(seq 1 "$pairs"); do
  if ((pairs > 1)); then echo "==== pair $pair of $pairs" >&2; fi
  run_baseline "$pair"
  if ((pair % 2 == 1)); then order="in_process process"; else order="process in_process"; fi
  for mode in $order; do run_gateway "$mode" "$pair"; done

  python3 - "$work" "$pair" <<'PY'
import json, sqlite3, sys
work, pair = sys.argv[1], sys.argv[2]
load = lambda path: json.load(open(path))
baseline = load(f"{work}/baseline-{pair}.json")
runs = {mode: (load(f"{work}/{mode}-{pair}.peak.json"), load(f"{work}/{mode}-{pair}.fixed.json"))
        for mode in ("in_process", "process")}

def durability(mode):
    run = f"{work}/{mode}-{pair}"
    acked = {line.strip() for path in (f"{run}.peak.acked", f"{run}.fixed.acked")
             for line in open(path) if line.strip()}
    db = sqlite3.connect(f"file:{run}.data/omnigate.db?mode=ro", uri=True)
    stored = {row[0] for row in db.execute(
        "SELECT provider_message_id FROM messages WHERE direction = 'in'")}
    rows = db.execute("SELECT COUNT(*) FROM messages WHERE direction = 'in'").fetchone()[0]
    missing = acked - stored
    return rows, len(stored), len(acked), len(missing), rows == len(acked) and not missing

(gateway, fixed), (process, process_fixed) = runs["in_process"], runs["process"]
print(f"{'':24} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'2xx':>7} {'errors':>7}")
for name, r in (("baseline peak", baseline), ("omnigate peak", gateway),
                (f"omnigate {fixed['rate']}/s", fixed), ("omnigate process peak", process),
                (f"omnigate process {process_fixed['rate']}/s", process_fixed)):
    print(f"{name:24} {r['rps']:>10.0f} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f} {r['acked']:>7} "
          f"{r['non_2xx'] + r['transport_errors']:>7}")
ratio = gateway["rps"] / baseline["rps"]
process_ratio = process["rps"] / baseline["rps"]
process_share = process["rps"] / gateway["rps"]
print(f"ratio omnigate/baseline = {ratio:.3f} (target >= 0.35): {'OK' if ratio >= 0.35 else 'BELOW TARGET'}")
print(f"ratio omnigate process/baseline = {process_ratio:.3f}")
print(f"ratio process/in_process = {process_share:.3f} (target >= 0.8): "
      f"{'OK' if process_share >= 0.8 else 'BELOW TARGET'}")
print(f"p99 at half the peak = {fixed['p99_ms']:.2f} ms (target <= 5 ms): "
      f"{'OK' if fixed['p99_ms'] <= 5.0 else 'ABOVE TARGET'}")
print(f"p99 at half the peak, process = {process_fixed['p99_ms']:.2f} ms")
ok = True
for mode, label in (("in_process", ""), ("process", " (process)")):
    rows, distinct, acked, missing, good = durability(mode)
    print(f"database{label}: {rows} inbound rows, {distinct} distinct MessageSids; acknowledged {acked}; "
          f"acknowledged but missing {missing}")
    print(f"durability check{label}:",
          "OK (every acknowledged message stored exactly once)" if good else "FAILED")
    ok = ok and good
with open(f"{work}/ratios", "a") as out:
    out.write(json.dumps({"pair": int(pair), "baseline": baseline["rps"], "in_process": gateway["rps"],
                          "process": process["rps"]}) + "\n")
sys.exit(0 if ok else 1)
PY
done

if ((pairs > 1)); then
  python3 - "$work/ratios" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
print(f"\n{'pair':>4} {'baseline':>9} {'in_process':>10} {'process':>9} {'in_proc/base':>12} "
      f"{'proc/base':>9} {'proc/in_proc':>12}")
cols = {"a": [], "b": [], "c": []}
for r in rows:
    a, b, c = r["in_process"] / r["baseline"], r["process"] / r["baseline"], r["process"] / r["in_process"]
    for k, v in zip("abc", (a, b, c)):
        cols[k].append(v)
    print(f"{r['pair']:>4} {r['baseline']:>9.0f} {r['in_process']:>10.0f} {r['process']:>9.0f} "
          f"{a:>12.3f} {b:>9.3f} {c:>12.3f}")
print(f"{'median':>46} {statistics.median(cols['a']):>12.3f} {statistics.median(cols['b']):>9.3f} "
      f"{statistics.median(cols['c']):>12.3f}")
PY
fi

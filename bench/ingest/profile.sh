#!/usr/bin/env bash
# CPU cost of one ingested webhook, independent of how busy the machine is: runs `omnigate
# serve` under callgrind, zeroes the counters once it listens (startup and migrations are not
# per request), sends the ingest load and prints instructions per request with the functions
# that cost the most (inclusive). Wall-clock numbers on a shared machine are noise; this is not.
#   bench/ingest/profile.sh BUILD_DIR    (env: REQUESTS=2000 SENDERS=100 CONNECTIONS=32,
#                                         KEEP=DIR keeps the callgrind output there)
# 2,000 requests from 100 senders keep run.sh's mix (one new conversation per 20 messages);
# 32 connections because callgrind runs the threads one at a time anyway.
# Needs valgrind (apt-get install valgrind).
set -euo pipefail

if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
command -v valgrind >/dev/null || { echo "$0: needs valgrind (apt-get install valgrind)" >&2; exit 2; }
build_dir=$(cd "$1" && pwd)
REQUESTS=${REQUESTS:-2000}
SENDERS=${SENDERS:-100}
CONNECTIONS=${CONNECTIONS:-32}
# shellcheck source=bench/ingest/lib.sh
source "$(dirname "$0")/lib.sh"

write_gateway_config
valgrind --tool=callgrind --callgrind-out-file="$work/callgrind.out" \
  "$gateway" serve --config "$work/omnigate.toml" --port-file "$work/omnigate.port" \
  >"$work/omnigate.log" 2>&1 &
server_pid=$!
port=$(wait_for_port "$work/omnigate.port")
callgrind_control --zero "$server_pid" >/dev/null
result=$(run_load "$port" "$work/omnigate.acked")
# Dumped before the stop: the counters then hold exactly the load (graceful shutdown excluded).
callgrind_control --dump=load "$server_pid" >/dev/null
stop_server

dump="$work/callgrind.out.1"  # the first on-request dump
[[ -s $dump ]] || { echo "$0: callgrind wrote no dump; its log:" >&2; cat "$work/omnigate.log" >&2; exit 1; }
total=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$dump")
acked=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["acked"])' "$result")
echo "instructions while loaded: $total over $acked acknowledged requests"
echo "instructions per request: $((total / (acked > 0 ? acked : 1)))"
callgrind_annotate --inclusive=yes --threshold=99 "$dump" 2>/dev/null | sed -n '1,/^$/d; 1,60p' | cut -c1-200
if [[ -n ${KEEP:-} ]]; then
  mkdir -p "$KEEP"
  cp "$dump" "$KEEP/"
  echo "callgrind output kept in $KEEP/$(basename "$dump")"
fi

#!/usr/bin/env bash
# QA benchmark (bench/README.md, "qa"): sample 1,000 conversations (5 per agent from one week)
# and read their transcripts from a store of 1,000,000 conversations / 10,000,000 messages,
# against plain indexed SQLite reads of the same rows in the same run.
# Targets: omnigate ≥ 0.5× the baseline; the 1,000 transcripts in ≤ 200 ms warm.
#   bench/qa/run.sh BUILD_DIR
#   (env: ROUNDS=5 CONVERSATIONS=1000000 QA_BENCH_DB=BUILD_DIR/bench-data/qa.db)
# Builds nothing (needs bench-qa in BUILD_DIR). The store is generated on the first run (6.3 GB,
# about 11 minutes) and reused while its shape matches.
set -euo pipefail
if [[ $# -ne 1 ]]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 2
fi
build_dir=$(cd "$1" && pwd)
db=${QA_BENCH_DB:-$build_dir/bench-data/qa-${CONVERSATIONS:-1000000}.db}
mkdir -p "$(dirname "$db")"
result=$("$build_dir/bin/bench-qa" "$db" "${ROUNDS:-5}" "${CONVERSATIONS:-1000000}" | sed -n 's/^RESULT //p')
/usr/bin/python3 - "$result" <<'PY'
import json, sys
r = json.loads(sys.argv[1])
ours = r["sample_ms"] + r["transcripts_ms"]
print(f"{r['sampled']} conversations sampled from {r['conversations']:,}; "
      f"{r['transcript_entries']:,} transcript entries (medians of {r['rounds']} rounds)")
print(f"omnigate: sample {r['sample_ms']:.1f} ms + transcripts {r['transcripts_ms']:.1f} ms "
      f"(+ JSON as the API sends it {r['json_ms']:.1f} ms)")
print(f"baseline: sample rows {r['baseline_sample_ms']:.1f} ms + transcript rows "
      f"{r['baseline_transcripts_ms']:.1f} ms")
print(f"omnigate ÷ baseline (speed): {r['ratio']:.2f} (target >= 0.5)")
print(f"1,000 transcripts warm: {r['transcripts_ms']:.1f} ms store reads, "
      f"{r['transcripts_ms'] + r['json_ms']:.1f} ms with JSON (target <= 200 ms)")
PY

#!/usr/bin/env python3
"""bench/console: the agents' console's first paint with 5,000 open conversations (issue 18,
check 6), against the same page with 10 (bench/README.md "console").

For each size: the real gateway on 127.0.0.1 (SQLite, synchronous=FULL, the real SMS plugin and
the Twilio stand-in) with a supervisor and no agent, so every conversation stays queued and the
supervisor's team queue lists them all; the conversations are written through the real inbound
path — one signed Twilio webhook per customer, distinct numbers, CONCURRENCY at a time, each
acknowledged only once committed. Then first_paint.cjs opens the console RUNS times in Debian's
chromium and reads navigation start → performance mark "og:list-rendered". Prints each size's
median and the ratio; exits 1 when a run fails (the figure against the target is reported, not
enforced: the host is shared).

Usage: run.py --omnigate PATH --plugin-dir DIR --node-modules DIR
Environment: SIZES="10 5000" RUNS=5 CONCURRENCY=16.
"""

import argparse
import concurrent.futures
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import harness  # noqa: E402
from browser_tools import CHROMIUM, require_browser_tools  # noqa: E402

SUPERVISOR = "sam"
PASSWORD = "bench-console-password"
TOKEN = "bench-console-supervisor-token"
TARGET_MS = 1000.0
DRIVER = os.path.join(HERE, "first_paint.cjs")


def fill_queue(gateway, count, concurrency):
    """`count` customers each write once; returns the seconds it took."""
    def send(i):
        status, body = gateway.send_sms(harness.inbound_params(
            f"+1415{i:07d}", f"Order {i}: where is my parcel? It was due on Monday and the "
                             f"tracking page has not changed since."))
        if status != 200:
            raise RuntimeError(f"webhook {i}: HTTP {status} {body}")
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(send, range(count)))
    return time.monotonic() - started


def queued_count(gateway):
    return len(gateway.api_ok("GET", "/queue", TOKEN)["queued"])


def measure(node, node_modules, size, runs, concurrency):
    ws = harness.Workspace(f"bench-console-{size}")
    failed = True
    try:
        standin = ws.start_standin()
        users = [{"name": SUPERVISOR, "roles": ["supervisor"], "password": PASSWORD,
                  "token": TOKEN}]
        gateway = ws.start_gateway(ws.sms_config(standin, [], users))
        seconds = fill_queue(gateway, size, concurrency)
        harness.wait_until(lambda: queued_count(gateway) == size, 60, f"{size} queued")
        print(f"[{size}] {size} conversations through the webhook in {seconds:.1f} s "
              f"({size / seconds:.0f}/s)", flush=True)
        driver = subprocess.run(
            [node, DRIVER, "--modules", node_modules, "--chromium", CHROMIUM,
             "--gateway", gateway.url, "--user", SUPERVISOR, "--password", PASSWORD,
             "--runs", str(runs), "--expect-rows", str(size)],
            capture_output=True, text=True, timeout=600)
        sys.stderr.write(driver.stderr)
        if driver.returncode != 0:
            raise RuntimeError(f"first_paint.cjs failed ({driver.returncode})")
        line = next(l for l in driver.stdout.splitlines() if l.startswith("RESULT "))
        result = json.loads(line[len("RESULT "):])
        failed = False
        return result["runs"]
    finally:
        ws.close(failed)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--omnigate", required=True)
    parser.add_argument("--plugin-dir", required=True)
    parser.add_argument("--node-modules", required=True)
    options = parser.parse_args()
    harness.Settings.omnigate = os.path.abspath(options.omnigate)
    harness.Settings.plugin_dir = os.path.abspath(options.plugin_dir)
    node = require_browser_tools(options.node_modules)
    sizes = [int(s) for s in os.environ.get("SIZES", "10 5000").split()]
    runs = int(os.environ.get("RUNS", "5"))
    concurrency = int(os.environ.get("CONCURRENCY", "16"))

    medians = {}
    for size in sizes:
        figures = measure(node, options.node_modules, size, runs, concurrency)
        each = [r["ms"] for r in figures]
        medians[size] = statistics.median(each)
        last = figures[-1]
        print(f"[{size}] first paint (navigation start → og:list-rendered), {runs} runs: "
              f"{', '.join(f'{ms:.0f}' for ms in each)} ms; median {medians[size]:.0f} ms; "
              f"rows in the DOM {last['rows_in_dom']} of {last['setsize']}; "
              f"API requests per load {last['api_requests']}", flush=True)
    if len(sizes) >= 2:
        base, big = sizes[0], sizes[-1]
        verdict = "met" if medians[big] < TARGET_MS else "MISSED"
        print(f"\nfirst paint with {big}: {medians[big]:.0f} ms (target < {TARGET_MS:.0f} ms: "
              f"{verdict}); with {base}: {medians[base]:.0f} ms; ratio "
              f"{medians[big] / medians[base]:.2f}")

if __name__ == "__main__":
    main()

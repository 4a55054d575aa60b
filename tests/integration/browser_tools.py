"""What the browser tests need (chromium, node, playwright-core) and how they name it.

A missing tool fails the test with what to do; it is never skipped (scripts/install-deps.sh
installs them, the build runs `npm ci` into the node_modules the tests are given).
"""

import json
import os
import shutil
import subprocess
import sys
import threading

CHROMIUM = os.environ.get("OMNIGATE_CHROMIUM", "/usr/bin/chromium")


def require_browser_tools(node_modules):
    """Returns the path of node; raises AssertionError naming everything that is missing."""
    missing = []
    if not os.access(CHROMIUM, os.X_OK):
        missing.append(f"chromium ({CHROMIUM})")
    node = shutil.which("node")
    if not node:
        missing.append("node")
    if not os.path.isfile(os.path.join(node_modules, "playwright-core", "package.json")):
        missing.append(f"the npm package playwright-core in {node_modules} (the build runs "
                       f"`npm ci` there from tests/browser/package-lock.json)")
    if missing:
        raise AssertionError("the browser test needs " + ", ".join(missing) +
                             ": run scripts/install-deps.sh and rebuild")
    return node


def run_driver(command, artifact_dir, timeout_s, needs=None):
    """Runs a tests/browser driver to its end and returns its one `RESULT <json>` line, parsed.

    The driver asks the test for things only the test can do (send an SMS, check that a reply
    reached the provider) by printing `NEED <what>` and waiting for `done` on its stdin; `needs`
    maps each <what> to the callable that does it, and every one must be asked for exactly once.
    The driver is killed after `timeout_s`; its stderr is passed on. Raises AssertionError when
    it fails, asks for something unknown, leaves a need unasked or gives no single RESULT.
    """
    needs = dict(needs or {})
    driver = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    timer = threading.Timer(timeout_s, driver.kill)
    timer.start()
    stderr = []
    reader = threading.Thread(target=lambda: stderr.extend(driver.stderr), daemon=True)
    reader.start()
    stdout = []
    try:
        for line in driver.stdout:
            stdout.append(line)
            if line.startswith("NEED "):
                what = line[len("NEED "):].strip()
                if what not in needs:
                    raise AssertionError(f"the driver needs something unknown: {line}")
                needs.pop(what)()
                driver.stdin.write("done\n")
                driver.stdin.flush()
        driver.wait()
    finally:
        timer.cancel()
        if driver.poll() is None:
            driver.kill()
            driver.wait()
        reader.join(5)
        for pipe in (driver.stdin, driver.stdout, driver.stderr):
            pipe.close()
        sys.stderr.write("".join(stderr))
    if driver.returncode != 0:
        raise AssertionError(f"the browser driver failed ({driver.returncode}; artifacts in "
                             f"{artifact_dir}); stdout:\n{''.join(stdout)}")
    if needs:
        raise AssertionError(f"the driver skipped steps: it never asked for {sorted(needs)}")
    results = [line[len("RESULT "):] for line in stdout if line.startswith("RESULT ")]
    if len(results) != 1:
        raise AssertionError(f"no single RESULT line from the driver:\n{''.join(stdout)}")
    return json.loads(results[0])

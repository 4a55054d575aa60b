"""What the browser tests need (chromium, node, playwright-core) and how they name it.

A missing tool fails the test with what to do; it is never skipped (scripts/install-deps.sh
installs them, the build runs `npm ci` into the node_modules the tests are given).
"""

import os
import shutil

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

#!/usr/bin/env python3
"""Every bundled plugin exports exactly one dynamic symbol: og_plugin_entry.

Anything else a plugin exports binds to the gateway's or another plugin's copy at load time;
GNU unique ('u') symbols (libstdc++ template statics) also make the library impossible to
unload. og_add_plugin's linker version script (cmake/og_plugin.map) keeps them local.

Usage: check_plugin_exports.py PLUGIN_DIR NAME...   (each NAME must be PLUGIN_DIR/libog_NAME.so;
every other libog_*.so found there is checked too)
"""

import glob
import os
import subprocess
import sys


def exported(path):
    out = subprocess.run(["nm", "-D", "--defined-only", path], capture_output=True, text=True,
                         check=True).stdout
    return [line.split() for line in out.splitlines() if line.strip()]


def main():
    plugin_dir, expected = sys.argv[1], sys.argv[2:]
    files = sorted(set(glob.glob(os.path.join(plugin_dir, "libog_*.so")) +
                       [os.path.join(plugin_dir, f"libog_{name}.so") for name in expected]))
    failures = []
    for path in files:
        if not os.path.isfile(path):
            failures.append(f"{path}: not built")
            continue
        symbols = exported(path)
        names = [s[-1] for s in symbols]
        if names != ["og_plugin_entry"]:
            extra = [" ".join(s[-2:]) for s in symbols if s[-1] != "og_plugin_entry"]
            failures.append(f"{path}: exports {len(symbols)} symbols, not just og_plugin_entry"
                            f" (entry {'present' if 'og_plugin_entry' in names else 'MISSING'});"
                            f" others (type name): {extra[:20]}")
        else:
            print(f"ok: {path} exports only og_plugin_entry")
    if failures:
        sys.stderr.write("\n".join(failures) + "\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

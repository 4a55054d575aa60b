#!/usr/bin/env bash
# Installs the Debian 12 packages omnigate needs to build, test and run — only the missing ones,
# so a second `make` costs one dpkg-query.
set -euo pipefail
packages=(
  g++ cmake ninja-build ccache pkg-config make git
  libboost1.81-dev libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libsqlite3-dev
  catch2 libtomlplusplus-dev libsimdjson-dev libmimalloc-dev
  clang libclang-rt-14-dev   # libFuzzer targets and the sanitizer runtimes
  python3 sqlite3            # integration tests drive the real binary from python3
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"

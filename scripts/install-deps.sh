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
  libphonenumber8 libprotobuf-dev libabsl-dev   # phone identities (see libphonenumber below)
)
# Debian 12's libphonenumber-dev depends on libboost-thread-dev, i.e. Boost 1.74, which conflicts
# with libboost1.81-dev: apt would remove the Boost that Beast needs. Its headers use no Boost
# (the library is built with the POSIX singleton), so its .deb is unpacked, not installed, into
# this prefix, where cmake/ looks for it (-DOMNIGATE_PHONENUMBER_ROOT overrides it).
phonenumber_root=/opt/omnigate/libphonenumber-dev
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
have_phonenumber_headers() {
  [ -f /usr/include/phonenumbers/phonenumberutil.h ] ||
    [ -f "$phonenumber_root/usr/include/phonenumbers/phonenumberutil.h" ]
}
if [ ${#missing[@]} -eq 0 ] && have_phonenumber_headers; then exit 0; fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  updated=1
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if ! have_phonenumber_headers; then
  echo "install-deps: unpacking libphonenumber-dev into $phonenumber_root"
  [ -n "${updated:-}" ] || $sudo apt-get update -qq  # download needs current package lists
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download libphonenumber-dev)
  $sudo mkdir -p "$phonenumber_root"
  $sudo dpkg-deb -x "$tmp"/libphonenumber-dev_*.deb "$phonenumber_root"
  rm -rf "$tmp"
fi

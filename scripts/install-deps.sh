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
  libfaketime                # integration tests shift the gateway's clock (harness faketime=True)
  libphonenumber8 libprotobuf-dev libabsl-dev   # phone identities (see libphonenumber below)
  libgmime-3.0-dev libgumbo-dev libetpan20       # e-mail: MIME, HTML sanitising, IMAP IDLE
  libhowardhinnant-date-dev tzdata  # web chat, voice, routing calendars: IANA zones (date/tz.h on the OS tzdb)
  libpugixml-dev             # voice: TwiML written with an XML library
  libsodium-dev              # accounts: argon2id password hashes (crypto_pwhash_str)
  dovecot-imapd python3-aiosmtpd openssl         # e-mail tests: real IMAP and SMTP servers
  chromium                   # the web-chat browser test drives it headless (tests/browser)
  fonts-wqy-microhei         # CJK glyphs for the console's Chinese screenshots (docs/console.md)
)
# The browser test's driver runs on node with playwright-core from npm (tests/browser/package.json,
# pinned in its lock file; it never downloads a browser). A node that is already installed (e.g.
# from nodesource, which brings its own npm) is kept; Debian 12's nodejs 18 is new enough.
command -v node >/dev/null || packages+=(nodejs)
command -v npm >/dev/null || packages+=(npm)
# Debian 12's libphonenumber-dev depends on libboost-thread-dev, i.e. Boost 1.74, which conflicts
# with libboost1.81-dev: apt would remove the Boost that Beast needs. Its headers use no Boost
# (the library is built with the POSIX singleton), so its .deb is unpacked, not installed, into
# this prefix, where cmake/ looks for it (-DOMNIGATE_PHONENUMBER_ROOT overrides it).
phonenumber_root=/opt/omnigate/libphonenumber-dev
# valijson (plugin config schemas) is header-only and gateway/plugin_host includes only its
# nlohmann adapter, but Debian 12's libvalijson-dev depends on the libraries of every adapter
# (qtbase5-dev, libpoco-dev, libyaml-cpp-dev, ...: ~96 packages). Its .deb is unpacked the same
# way; cmake/FindValijson.cmake looks there (-DOMNIGATE_VALIJSON_ROOT overrides it).
valijson_root=/opt/omnigate/libvalijson-dev
# libetpan-dev depends on libcurl4-gnutls-dev, which conflicts with libcurl4-openssl-dev above
# (installing either removes the other); its headers need only the C library, so they are
# unpacked the same way (cmake/FindLibEtPan.cmake; -DOMNIGATE_LIBETPAN_ROOT overrides it) and the
# runtime library libetpan20 is installed normally.
libetpan_root=/opt/omnigate/libetpan-dev
# The official JSON Schema test suite, read by a unit test to prove the validator integration.
# Its package depends on python3-flask for a server the test does not use: unpacked as well.
schema_suite_root=/opt/omnigate/json-schema-test-suite
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
have_phonenumber_headers() {
  [ -f /usr/include/phonenumbers/phonenumberutil.h ] ||
    [ -f "$phonenumber_root/usr/include/phonenumbers/phonenumberutil.h" ]
}
have_valijson_headers() {
  [ -f /usr/include/valijson/validator.hpp ] ||
    [ -f "$valijson_root/usr/include/valijson/validator.hpp" ]
}
have_libetpan_headers() {
  [ -f /usr/include/libetpan/libetpan.h ] || [ -f "$libetpan_root/usr/include/libetpan/libetpan.h" ]
}
have_schema_suite() {
  [ -d /usr/share/json-schema-test-suite/tests/draft7 ] ||
    [ -d "$schema_suite_root/usr/share/json-schema-test-suite/tests/draft7" ]
}
if [ ${#missing[@]} -eq 0 ] && have_phonenumber_headers && have_valijson_headers &&
  have_schema_suite && have_libetpan_headers; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -ne 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $sudo apt-get update -qq
  updated=1
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# unpack_deb PACKAGE ROOT: the files of PACKAGE under ROOT, without installing its dependencies.
unpack_deb() {
  echo "install-deps: unpacking $1 into $2"
  [ -n "${updated:-}" ] || $sudo apt-get update -qq  # download needs current package lists
  updated=1
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download "$1")
  $sudo mkdir -p "$2"
  $sudo dpkg-deb -x "$tmp/$1"_*.deb "$2"
  rm -rf "$tmp"
}
have_phonenumber_headers || unpack_deb libphonenumber-dev "$phonenumber_root"
have_valijson_headers || unpack_deb libvalijson-dev "$valijson_root"
have_schema_suite || unpack_deb json-schema-test-suite "$schema_suite_root"
have_libetpan_headers || unpack_deb libetpan-dev "$libetpan_root"

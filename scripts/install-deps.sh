#!/usr/bin/env bash
# Installs the Debian 12 packages the build, the tests and the benchmarks need.
# Idempotent: does nothing (and needs no network) when everything is already there.
set -euo pipefail
packages=(
  g++ cmake ninja-build pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev libboost-context1.81-dev
  zlib1g-dev libsqlite3-dev libpq-dev libsodium-dev libssl-dev libical-dev libcurl4-openssl-dev
  libicu-dev  # Unicode case folding and normalization for search and title order
  libjemalloc-dev  # the binary's malloc (src/CMakeLists.txt)
  libpwquality-dev cracklib-runtime  # common-password check (auth/password.hpp): cracklib's dictionary
  libzxcvbn-dev  # entropy estimate of configured secrets (config/secret_strength.hpp)
  openssl  # tests/net make a self-signed certificate with the openssl command line
  sqlite3  # tests/integration/accounts.test.mjs reads the SQLite file to check what deletion left
  libspdlog-dev libcli11-dev libgtest-dev libgmock-dev libbenchmark-dev
  postgresql-15 wrk nodejs npm tzdata
  chromium  # the web UI's browser tests (tests/e2e) drive /usr/bin/chromium headless
  shellcheck  # tests/deploy: the workflows' run: scripts and the image scripts
  haproxy  # the reverse proxy of the zero-downtime rolling-restart test (tests/distributed/haproxy.mjs)
  clang-14 libclang-rt-14-dev  # the libFuzzer targets (fuzz/, preset fuzz): clang and its fuzzer/ASan/UBSan runtimes
  gcovr  # make coverage: line and branch coverage of src/ from the --coverage build (issue 16)
  stress-ng  # CPU hogs beside the suite, to show it passes on a busy machine (issue 14, item 16)
  # the Helm chart rendered by tests/chart/render: Helm's engine (text/template + Sprig), its
  # toYaml (sigs.k8s.io/yaml) and its values.schema.json validator (gojsonschema)
  golang-go golang-github-masterminds-sprig-dev golang-k8s-sigs-yaml-dev golang-github-xeipuuv-gojsonschema-dev
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node may come from elsewhere than Debian (the image ships Node 20): accept any node >= 18.
if command -v node >/dev/null 2>&1; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
missing=($(printf '%s\n' "${missing[@]}" | grep -v '^$' || true))
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "install-deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

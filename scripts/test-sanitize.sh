#!/usr/bin/env bash
# `make test-sanitize` (issue 16, item 4). Usage: scripts/test-sanitize.sh [asan|tsan]...
# (both when none is named).
#
# asan: the CMake preset `asan` (build-asan/: AddressSanitizer + UndefinedBehaviorSanitizer,
#   UB is fatal) runs every C++ suite (ctest) and the HTTP integration suite
#   (tests/integration) against build-asan/todo, on SQLite and on PostgreSQL.
# tsan: the preset `tsan` (build-tsan/: ThreadSanitizer) runs the tests with threads and
#   shared state: storage (connection pools, both backends), the relay and the audit
#   consumer (tests/events) and the consumer contract (tests/bus).
#
# Every sanitizer writes its reports to files (log_path) in one directory, also those of
# server processes the integration tests start and stop: the run fails when any report
# exists, even if the test that caused it passed. Suppressions live only in
# tests/sanitizers/*.supp, each with its reason.
#
# Slow (the ASan integration suite takes tens of minutes on 2 cores): not part of `make test`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(asan tsan)
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")} CCACHE_NOHASHDIR=true
jobs=${JOBS:-2}
reports=${SANITIZER_REPORTS:-$root/build-sanitizer-reports}
rm -rf "$reports" && mkdir -p "$reports"
supp=$root/tests/sanitizers
# shellcheck source=scripts/suite.sh
source "$root/scripts/suite.sh"

# halt_on_error: the first report ends the process, so a finding cannot scroll by.
# detect_leaks: LeakSanitizer at exit (the servers exit on SIGTERM from the harness).
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1:log_path=$reports/asan"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:suppressions=$supp/ubsan.supp:log_path=$reports/ubsan"
export LSAN_OPTIONS="suppressions=$supp/lsan.supp"
# second_deadlock_stack: both stacks of a lock-order inversion.
export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$supp/tsan.supp:log_path=$reports/tsan"

build() {
  cmake --preset "$1" >/dev/null && cmake --build --preset "$1" -j "$jobs" "${@:2}"
}

run_asan() {
  suite "ASan+UBSan build (preset asan)" build asan || return
  (cd tests/integration && npm ci --no-audit --no-fund --loglevel=error)
  suite "ASan+UBSan: C++ suites (ctest, SQLite and PostgreSQL)" \
    ctest --test-dir build-asan --output-on-failure --timeout 600
  # Left out: k8s_manifests checks the libraries the release build/todo links against the
  # Dockerfile's packages (the sanitizer runtimes are not among them, by design).
  # GCC 12's UBSan (beside ASan) writes its reports to stderr whatever log_path says: the
  # servers the tests start run through this wrapper, which keeps a copy of their stderr in
  # the reports directory (checked below for reports; removed when clean).
  local wrapper=$root/build-asan/todo-stderr-kept
  # shellcheck disable=SC2016  # $@ and $$ are the wrapper's
  printf '#!/usr/bin/env bash\nexec %q "$@" 2> >(tee -a %q/stderr.$$ >&2)\n' \
    "$root/build-asan/todo" "$reports" >"$wrapper"
  chmod +x "$wrapper"
  local files=() f
  for f in tests/integration/*.test.mjs; do [[ $f == */k8s_manifests.test.mjs ]] || files+=("$f"); done
  suite "ASan+UBSan: HTTP integration suite on SQLite" \
    env TODO_TEST_BINARY="$wrapper" TODO_TEST_BACKEND=sqlite TODO_TEST_SLOWDOWN=10 \
    node --test --test-concurrency=1 "${files[@]}"
  suite "ASan+UBSan: HTTP integration suite on PostgreSQL" \
    env TODO_TEST_BINARY="$wrapper" TODO_TEST_BACKEND=postgres TODO_TEST_SLOWDOWN=10 \
    node --test --test-concurrency=1 "${files[@]}"
}

run_tsan() {
  suite "TSan build (preset tsan)" build tsan --target storage_tests bus_tests events_tests || return
  # (On a kernel with vm.mmap_rnd_bits > 28, g++ 12's TSan fails with "unexpected memory
  # mapping": run under `setarch -R` there.)
  local t
  for t in storage/storage_tests events/events_tests bus/bus_tests; do
    suite "TSan: $t" "build-tsan/tests/$t"
  done
}

run_all() {
  for mode in "${modes[@]}"; do
    case $mode in
      asan) run_asan ;;
      tsan) run_tsan ;;
      *) echo "test-sanitize: unknown mode $mode (asan, tsan)" >&2; exit 2 ;;
    esac
  done
  echo
  # Server stderr without a report is no finding.
  local f
  for f in "$reports"/stderr.*; do
    [ -e "$f" ] || continue
    grep -qE 'runtime error:|ERROR: [A-Za-z]+Sanitizer|WARNING: ThreadSanitizer' "$f" || rm -f "$f"
  done
  if compgen -G "$reports/*" >/dev/null; then
    echo "=== sanitizer reports (in $reports):"
    for f in "$reports"/*; do echo "--- $f"; head -n 60 "$f"; done
    failed+=("sanitizer reports")
  fi
  if [ ${#failed[@]} -gt 0 ]; then
    echo "make test-sanitize: FAILED: ${failed[*]}"
    exit 1
  fi
  echo "make test-sanitize: clean (${modes[*]})"
}

if [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  exec bash scripts/with-postgres.sh bash "$0" "${modes[@]}"
fi
export TODO_REQUIRE_POSTGRES=1
run_all

#!/usr/bin/env bash
# `make coverage` (issue 16, item 5): line and branch coverage of src/ over the whole suite,
# and of the web UI (frontend/) over its component tests.
#
# 1. The CMake preset `coverage` (build-coverage/: -O0 --coverage) builds the binary and the
#    C++ tests; the counters of an earlier run are deleted.
# 2. The suites run against that build on a throwaway PostgreSQL (scripts/with-postgres.sh):
#    ctest (SQLite and PostgreSQL), tests/integration on both backends, tests/e2e (browser,
#    with the UI built into build-coverage/ui) and tests/distributed. Processes write their
#    counters when they exit normally (the harness stops servers with SIGTERM); a process a
#    test kills with SIGKILL on purpose (crash tests) adds nothing.
#    COVERAGE_SUITES picks suites (default: "ctest integration e2e distributed").
# 3. gcovr (Debian) reports src/ only, throw and unreachable branches left out (every call
#    that may throw is a branch to gcov: they would swamp the branch figure):
#    build-coverage/coverage.html (per file), coverage-summary.json, and the table per module
#    (scripts/coverage-table.py) printed and written to build-coverage/coverage-table.md.
# 4. Vitest coverage (V8) for frontend/ (frontend/vitest.config.mts), into
#    build-coverage/frontend/.
# A failing suite is reported (and the exit status is non-zero) but the report is still made.
# Slow (about as long as `make test` and more, at -O0): not part of `make test`.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
root=$PWD
out=$root/build-coverage
suites=${COVERAGE_SUITES:-ctest integration e2e distributed}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$(dirname "$root")} CCACHE_NOHASHDIR=true

if [ -z "${TODO_TEST_DATABASE_URL:-}" ]; then
  cmake --preset coverage >/dev/null && cmake --build --preset coverage -j "${JOBS:-2}" || exit 1
  find "$out" -name '*.gcda' -delete
  for d in tests/integration tests/e2e frontend; do (cd "$d" && npm ci --no-audit --no-fund --loglevel=error) || exit 1; done
  if [[ " $suites " == *" e2e "* ]]; then UI_OUT_DIR=$out/ui bash scripts/build-ui.sh || exit 1; fi
  bash scripts/with-postgres.sh bash "$0"
  status=$?
  echo
  echo "=== gcovr: src/"
  gcovr --root . --filter 'src/' --exclude-throw-branches --exclude-unreachable-branches -j "${JOBS:-2}" \
    --json-summary "$out/coverage-summary.json" --html-details "$out/coverage.html" \
    --print-summary "$out" || exit 1
  python3 scripts/coverage-table.py "$out/coverage-summary.json" --markdown "$out/coverage-table.md"
  echo
  echo "=== Vitest coverage: frontend/"
  (cd frontend && npx --no-install vitest run --coverage) || status=1
  echo
  echo "make coverage: table in $out/coverage-table.md, per file in $out/coverage.html"
  exit "$status"
fi

# --- inside with-postgres: run the suites against build-coverage/
export TODO_REQUIRE_POSTGRES=1 TODO_TEST_BINARY=$out/todo
# shellcheck source=scripts/suite.sh
source scripts/suite.sh
for s in $suites; do
  case $s in
    ctest) suite "C++ suites (ctest)" ctest --test-dir "$out" --output-on-failure --timeout 900 ;;
    integration)
      # k8s_manifests checks the release build/todo's linked libraries: nothing of src/ runs.
      files=()
      for f in tests/integration/*.test.mjs; do [[ $f == */k8s_manifests.test.mjs ]] || files+=("$f"); done
      for backend in sqlite postgres; do
        suite "HTTP integration suite on $backend" \
          env TODO_TEST_BACKEND=$backend node --test --test-concurrency=1 "${files[@]}"
      done ;;
    e2e) suite "Web UI end-to-end (browser)" \
      env TODO_TEST_BACKEND=sqlite TODO_UI_DIR="$out/ui" node --test --test-concurrency=1 tests/e2e/ ;;
    distributed) suite "Distributed end-to-end" node --test --test-concurrency=1 tests/distributed/ ;;
    *) echo "coverage: unknown suite $s" >&2; failed+=("$s") ;;
  esac
done
[ ${#failed[@]} -eq 0 ] || { echo "coverage: FAILED suites: ${failed[*]}"; exit 1; }

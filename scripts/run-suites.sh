#!/usr/bin/env bash
# Runs the suites (called by scripts/test.sh with TODO_TEST_DATABASE_URL set).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
: "${TODO_TEST_DATABASE_URL:?run me through scripts/with-postgres.sh}"
export TODO_REQUIRE_POSTGRES=1
# shellcheck source=scripts/suite.sh
source scripts/suite.sh

suite "C++ unit and storage tests (ctest)" ctest --test-dir build --output-on-failure
# Issue 16: each libFuzzer target over its seed corpus (fuzz/README.md; `make fuzz` fuzzes).
suite "Fuzz targets over their seed corpora" bash scripts/fuzz.sh smoke
suite "HTTP integration tests on SQLite" \
  env TODO_TEST_BACKEND=sqlite node --test --test-concurrency=1 tests/integration/
suite "HTTP integration tests on PostgreSQL" \
  env TODO_TEST_BACKEND=postgres node --test --test-concurrency=1 tests/integration/
suite "Web UI component tests (Vitest, jsdom)" \
  bash -c 'cd frontend && npx --no-install vitest run'
# The browser drives the UI only; the backend behind it is covered above.
suite "Web UI end-to-end tests (headless Chromium, SQLite)" \
  env TODO_TEST_BACKEND=sqlite node --test --test-concurrency=1 tests/e2e/
suite "Dapr sidecar double and Dapr/Kafka manifests" \
  node --test --test-concurrency=1 tests/dapr-double/ tests/integration/manifests.test.mjs
# Issue 13: the CI/CD workflows through actionlint, static checks of the Dockerfiles.
suite "Workflow lint and Dockerfile checks" \
  node --test --test-concurrency=1 tests/deploy/
# api and audit roles as separate processes over the Dapr sidecar double, on a fresh
# PostgreSQL database each.
suite "Distributed end-to-end tests (roles over Dapr)" \
  node --test --test-concurrency=1 tests/distributed/

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "make test: FAILED suites: ${failed[*]}"
  exit 1
fi
echo "make test: all suites passed"

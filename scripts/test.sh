#!/usr/bin/env bash
# `make test`: every test suite, on SQLite and on a throwaway PostgreSQL 15 that
# scripts/with-postgres.sh starts and always stops. Runs every suite even when one
# fails, then exits non-zero if any did.
set -euo pipefail
cd "$(dirname "$0")/.."
(cd tests/integration && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
(cd tests/deploy && npm ci --no-audit --no-fund --loglevel=error)
exec bash scripts/with-postgres.sh bash scripts/run-suites.sh

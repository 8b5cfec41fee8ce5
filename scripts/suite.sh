# shellcheck shell=bash
# One test suite of a run (scripts/run-suites.sh, test-sanitize.sh, coverage.sh), sourced:
# `suite NAME CMD...` runs CMD, prints its result and time, and adds NAME to `failed` when it
# fails, so that a run goes through every suite and reports all the failures at the end.
failed=()
suite() {
  local name=$1; shift
  local start=$SECONDS
  echo
  echo "=== $name"
  if "$@"; then echo "=== $name: passed ($((SECONDS - start)) s)"
  else echo "=== $name: FAILED ($((SECONDS - start)) s)"; failed+=("$name"); fi
}

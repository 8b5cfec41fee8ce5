#!/usr/bin/env bash
# The libFuzzer targets of fuzz/ (issue 16, item 3; fuzz/README.md).
#   scripts/fuzz.sh smoke   builds them (preset fuzz) and runs each over its seed corpus
#                           fuzz/corpus/<target>/ once: seconds; part of `make test`, so a
#                           parser change that crashes on a known input fails it.
#   scripts/fuzz.sh run     `make fuzz`: fuzzes each target for FUZZ_SECONDS (default 60)
#                           from a working copy of its corpus (build-fuzz/work/, kept between
#                           runs, never committed) and prints per target executions/s,
#                           coverage (libFuzzer's cov and ft) and crashes; crash, timeout and
#                           leak inputs land in build-fuzz/artifacts/<target>/.
# FUZZ_TARGETS="cursor jwt" limits either mode to some targets. Exits non-zero when a target
# crashed, hung or failed an invariant.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
mode=${1:-smoke}
seconds=${FUZZ_SECONDS:-60}
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=true

cmake --preset fuzz >/dev/null || exit 1
cmake --build --preset fuzz -j "${JOBS:-$(nproc)}" >/dev/null || {
  # Show the failure (the quiet build hides it).
  cmake --build --preset fuzz -j 1 2>&1 | tail -40
  exit 1
}

targets=${FUZZ_TARGETS:-$(find fuzz -maxdepth 1 -name '*.cpp' -printf '%f\n' | sed 's/\.cpp$//' | sort)}
failed=()
# Per-input time limit: 60 s in the smoke (a slow input on a busy machine is not a hang), 10 s
# in a run (libFuzzer's default of 1200 s would hide a hang for the whole of a 60-s run).
case "$mode" in
  smoke)
    scratch=$(mktemp -d); trap 'rm -rf "$scratch"' EXIT
    printf '%-16s %6s %7s %7s %s\n' target inputs cov ft result
    for t in $targets; do
      log=$(mktemp)
      # With -runs=0 libFuzzer executes the seed corpus and stops.
      # (crash files of the smoke go to a scratch folder, not into the working directory)
      if build-fuzz/fuzz/fuzz_"$t" -runs=0 -timeout=60 -rss_limit_mb=4096 \
        -artifact_prefix="$scratch/" fuzz/corpus/"$t" >"$log" 2>&1; then
        result=ok
      else
        result=FAILED; failed+=("$t")
      fi
      line=$(grep -E '^#[0-9]+\s+(INITED|DONE)' "$log" | tail -1)
      inputs=$(find fuzz/corpus/"$t" -type f | wc -l)
      cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line"); ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
      printf '%-16s %6s %7s %7s %s\n' "$t" "$inputs" "${cov:--}" "${ft:--}" "$result"
      [ "$result" = ok ] || tail -40 "$log"
      rm -f "$log"
    done
    ;;
  run)
    printf '%-16s %6s %11s %8s %7s %7s %7s %s\n' target secs execs exec/s cov ft corpus crashes
    for t in $targets; do
      work=build-fuzz/work/$t; artifacts=build-fuzz/artifacts/$t
      mkdir -p "$work" "$artifacts"
      dict=()
      case "$t" in
        rrule | http_request | list_query) dict=(-dict=fuzz/dict/"$t".dict) ;;
        task_body | mcp_message | dapr_delivery | client_inputs) dict=(-dict=fuzz/dict/json.dict) ;;
      esac
      log=build-fuzz/work/$t.log
      build-fuzz/fuzz/fuzz_"$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -print_final_stats=1 -artifact_prefix="$artifacts/" "${dict[@]}" "$work" fuzz/corpus/"$t" \
        >"$log" 2>&1
      status=$?
      line=$(grep -E '^#[0-9]+\s' "$log" | tail -1)
      execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log")
      rate=$(sed -nE 's/^stat::average_exec_per_sec: *([0-9]+)/\1/p' "$log")
      cov=$(sed -nE 's/.* cov: ([0-9]+).*/\1/p' <<<"$line"); ft=$(sed -nE 's/.* ft: ([0-9]+).*/\1/p' <<<"$line")
      corp=$(sed -nE 's/.* corp: ([0-9]+).*/\1/p' <<<"$line")
      crashes=$(find "$artifacts" -type f | wc -l)
      printf '%-16s %6s %11s %8s %7s %7s %7s %s\n' "$t" "$seconds" "${execs:--}" "${rate:--}" \
        "${cov:--}" "${ft:--}" "${corp:--}" "$crashes"
      if [ "$status" -ne 0 ]; then
        failed+=("$t")
        grep -E '^(==[0-9]+==ERROR|SUMMARY|fuzz invariant|.*runtime error)' "$log" | head -5
        echo "  log: $log; inputs: $artifacts/"
      fi
    done
    ;;
  *) echo "usage: scripts/fuzz.sh smoke|run" >&2; exit 2 ;;
esac
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: FAILED: ${failed[*]}"
  exit 1
fi
echo "fuzz: $mode passed"

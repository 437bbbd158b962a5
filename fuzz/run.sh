#!/usr/bin/env bash
# Runs the libFuzzer targets built in BUILD_DIR (configured with -DSEEDPLAN_FUZZ=ON): first every
# input of fuzz/regressions/<target>/ and fuzz/corpus/<target>/ once (a crash found earlier must
# stay fixed), then SECONDS of fuzzing per target from a copy of its corpus (two targets at a time:
# CI has two cores). A finding stops the run with the target's name and the input that crashed
# (kept in $FUZZ_ARTIFACTS, default BUILD_DIR/fuzz-artifacts): turn it into a regression input.
# Usage: fuzz/run.sh BUILD_DIR SECONDS [TARGET...]   (SECONDS 0: replay only)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
seconds="$2"
shift 2
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(seeds_csv points_csv plan_xml source_xml volume_header dicom)
fi
artifacts="${FUZZ_ARTIFACTS:-$build/fuzz-artifacts}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# Limits of one input: a parser that takes longer than this or more memory is a finding.
limits=(-timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048)

replay() {
  local target="$1" binary="$build/fuzz/fuzz_$1" inputs=()
  for folder in "$here/regressions/$target" "$here/corpus/$target"; do
    if [ -d "$folder" ]; then
      while IFS= read -r -d '' file; do inputs+=("$file"); done \
        < <(find "$folder" -type f -print0 | sort -z)
    fi
  done
  if [ ${#inputs[@]} -gt 0 ]; then
    "$binary" "${limits[@]}" "${inputs[@]}" > "$work/$target.replay.log" 2>&1 || {
      echo "fuzz: $target fails on a regression or corpus input:"; tail -40 "$work/$target.replay.log"
      return 1
    }
  fi
  echo "fuzz: $target: ${#inputs[@]} regression and corpus inputs pass"
}

fuzz() {
  local target="$1" binary="$build/fuzz/fuzz_$1"
  local dictionary=()
  if [ -f "$here/dictionaries/$target.dict" ]; then
    dictionary=(-dict="$here/dictionaries/$target.dict")
  fi
  mkdir -p "$work/corpus-$target"
  cp -r "$here/corpus/$target/." "$work/corpus-$target/" 2>/dev/null || true
  if "$binary" "${limits[@]}" "${dictionary[@]}" -max_total_time="$seconds" -print_final_stats=1 \
      -artifact_prefix="$artifacts/$target-" "$work/corpus-$target" > "$work/$target.log" 2>&1; then
    echo "fuzz: $target: $(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$target.log" \
      | grep -o '[0-9]*$') executions in $seconds s, no finding"
  else
    echo "fuzz: $target FOUND A PROBLEM (input kept in $artifacts):"
    grep -E "ERROR|SUMMARY|Test unit written|runtime error|==[0-9]+==" "$work/$target.log" | head -20
    return 1
  fi
}

status=0
for target in "${targets[@]}"; do
  replay "$target" || status=1
done
[ $status -eq 0 ] || exit $status
# SECONDS = 0: replay only (libFuzzer would read -max_total_time=0 as "no limit").
[ "$seconds" -gt 0 ] || exit 0
# Two at a time.
for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for target in "${targets[@]:i:2}"; do
    fuzz "$target" & pids+=($!)
  done
  for pid in "${pids[@]}"; do
    wait "$pid" || status=1
  done
done
exit $status

#!/usr/bin/env bash
# Long fuzzing runs (the acceptance of issue 13: every target at least an hour without a finding):
# each target for SECONDS, two at a time at low priority, its growing corpus in CORPUS_DIR/<target>
# (seeded from fuzz/corpus/<target>), its log in LOG_DIR/<target>.log and anything it finds in
# LOG_DIR/artifacts/ (turn a finding into fuzz/regressions/<target>/ with its fix). The executions
# and time of each run are in the last "stat::" lines of its log.
# Usage: fuzz/long_run.sh BUILD_DIR SECONDS LOG_DIR CORPUS_DIR [TARGET...]
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$1"
seconds="$2"
logs="$3"
corpora="$4"
shift 4
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(seeds_csv points_csv plan_xml source_xml volume_header dicom)
fi
mkdir -p "$logs/artifacts"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

run() {
  local target="$1"
  local dictionary=()
  if [ -f "$here/dictionaries/$target.dict" ]; then
    dictionary=(-dict="$here/dictionaries/$target.dict")
  fi
  mkdir -p "$corpora/$target"
  cp -rn "$here/corpus/$target/." "$corpora/$target/"
  nice -n 10 "$build/fuzz/fuzz_$target" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=2048 \
    "${dictionary[@]}" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix="$logs/artifacts/$target-" "$corpora/$target" > "$logs/$target.log" 2>&1
  echo "$target: exit $? ($(date -u +%FT%TZ))" >> "$logs/summary.txt"
}

for ((i = 0; i < ${#targets[@]}; i += 2)); do
  pids=()
  for target in "${targets[@]:i:2}"; do
    run "$target" & pids+=($!)
  done
  wait "${pids[@]}"
done

#!/usr/bin/env bash
# Quick start, part 2 (and CI): install what is missing, build everything in Release and run every
# test; then build the libraries that use neither ITK nor VTK (core, dosimetry, study) with
# AddressSanitizer + UndefinedBehaviorSanitizer and run their tests; then run each benchmark once
# briefly so that they keep working (their figures are read with a full run, see bench/); then
# build the libFuzzer targets (fuzz/) and run every regression input and 30 s of fuzzing each.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
start=$(date +%s)
bash "$root/scripts/install-deps.sh"

echo "== Release build: all modules, tests and benchmarks"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release -DSEEDPLAN_WERROR=ON >/dev/null
cmake --build "$root/build" -j2

echo "== Sanitizer build (ASan+UBSan): core, dosimetry, study and their tests"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSEEDPLAN_SANITIZE=ON \
  -DSEEDPLAN_WITH_TOOLKITS=OFF -DSEEDPLAN_BUILD_BENCH=OFF -DSEEDPLAN_WERROR=ON >/dev/null
cmake --build "$root/build-asan" -j2

echo "== Fuzz targets (libFuzzer, clang, ASan+UBSan): every regression input, then 30 s each"
fuzz_start=$(date +%s)
CC=clang CXX=clang++ cmake -S "$root" -B "$root/build-fuzz" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSEEDPLAN_FUZZ=ON -DSEEDPLAN_WERROR=ON >/dev/null
cmake --build "$root/build-fuzz" -j2
bash "$root/fuzz/run.sh" "$root/build-fuzz" 30
echo "fuzz stage: $(( $(date +%s) - fuzz_start )) s"

echo "== Benchmarks, smoke run"
"$root/build/bench/seedplan_bench_dosimetry" --benchmark_min_time=0.01 \
  --benchmark_filter='BM_KernelTabulation|BM_DoseGrid100Seeds/simd:1' >/dev/null

echo "== Sanitizer tests"
(cd "$root/build-asan" && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest -j2 --output-on-failure)

echo "== Release tests (setup, builds and sanitizer tests took $(( $(date +%s) - start )) s)"
cd "$root/build"
exec ctest -j2 --output-on-failure

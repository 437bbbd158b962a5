#!/usr/bin/env bash
# Issue 12, acceptance 1: the whole `seedplan dose --rate` process on 100 seeds x 100^3 voxels at
# 1 mm against the loop time of the direct SIMD TG-43 yardstick (bench/Tg43Yardstick.cpp, -O3
# -march=native -ffast-math -fopenmp), seeds on the grid's phase and off it by up to 0.45 mm per
# axis, on the AVX-512 and the AVX2 path, OMP_NUM_THREADS=2 for both sides. The AVX2 path is
# compared with the yardstick an AVX2-only machine would build (-O3 -mavx2 -mfma -ffast-math
# -fopenmp, no AVX-512), the AVX-512 path with the -march=native one. Everything is
# measured in one run of one binary with interleaved repetitions (the machine is shared: ratios
# of medians taken side by side are what holds). Usage:
#   bash bench/dose_engine_vs_yardstick.sh [BUILD_DIR] [REPETITIONS]
set -euo pipefail
build="${1:-$(dirname "$0")/../build}"
repetitions="${2:-15}"
bench="$build/bench/seedplan_bench_dosimetry"
json="$(mktemp --suffix=.json)"
trap 'rm -f "$json"' EXIT
OMP_NUM_THREADS=2 "$bench" --benchmark_filter='BM_Yardstick|BM_DoseCommand|BM_DoseGrid/offphase:1' \
  --benchmark_repetitions="$repetitions" --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true --benchmark_out="$json" --benchmark_out_format=json \
  > /dev/null
python3 - "$json" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
# Google Benchmark names UseRealTime() runs "<name>/real_time" (after "/process_time" for
# MeasureProcessCPUTime()).
median = {b["run_name"].removesuffix("/real_time").removesuffix("/process_time"): b
          for b in data["benchmarks"] if b.get("aggregate_name") == "median"}
def ms(name):
    b = median[name]
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
    return b["real_time"] * scale
print(f"machine: {data['context'].get('host_name', '?')}, {data['context']['num_cpus']} CPUs, "
      f"load average {open('/proc/loadavg').read().split()[0]} at the end")
for phase, label, limit in ((0, "on phase", 0.5), (1, "off phase (<= 0.45 mm per axis)", 0.75)):
    yards = {2: ms(f"BM_Yardstick/offphase:{phase}/isa:0"),
             1: ms(f"BM_Yardstick/offphase:{phase}/isa:1")}
    print(f"{label}: yardstick loop {yards[2]:.1f} ms -march=native, {yards[1]:.1f} ms "
          f"-mavx2 -mfma (medians)")
    for simd, name, yardName in ((2, "AVX-512", "-march=native"), (1, "AVX2", "AVX2-only")):
        key = f"BM_DoseCommand/offphase:{phase}/simd:{simd}"
        if key not in median:
            print(f"  {name}: not measured (CPU lacks it)")
            continue
        cmd = ms(key)
        yard = yards[simd]
        verdict = "meets" if cmd <= limit * yard else "MISSES"
        print(f"  seedplan dose --rate, whole process, {name}: {cmd:.1f} ms = "
              f"{cmd / yard:.2f} x the {yardName} yardstick ({verdict} <= {limit})")
def cpu_ms(name):
    b = median[name]
    scale = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}[b["time_unit"]]
    return b["cpu_time"] * scale
print("CPU time of every thread (steadier under load; counts a serial part once, not twice):")
for phase, label in ((0, "on phase"), (1, "off phase")):
    for simd, name, isa in ((2, "AVX-512", 0), (1, "AVX2", 1)):
        key = f"BM_DoseCommand/offphase:{phase}/simd:{simd}"
        if key not in median:
            continue
        cmd = median[key]["child_cpu_ms"]
        yard = cpu_ms(f"BM_Yardstick/offphase:{phase}/isa:{isa}")
        print(f"  {label}, {name}: command {cmd:.1f} ms, yardstick loop {yard:.1f} ms = "
              f"{cmd / yard:.2f} x")
for simd, name in ((2, "AVX-512"), (1, "AVX2"), (0, "scalar")):
    key = f"BM_DoseGrid/offphase:1/simd:{simd}"
    if key in median:
        b = median[key]
        print(f"grid alone, off phase, {name}: {ms(key):.1f} ms, "
              f"{b['ns_per_seed_voxel_pair']:.3f} ns per pair (2 threads)")
PY

#!/usr/bin/env bash
# Issue 12, acceptance 2: `seedplan evaluate` of the sample plan (the demo's: 57 seeds, 22
# structures) against Debian's plastimatch rasterising the same RT Structure Set on the same CT and
# computing every structure's DVH on the same dose (`plastimatch convert` + `plastimatch dvh`):
# wall time and peak memory of each, measured alternately in one run (the machine is shared), and
# the end-to-end `seedplan demo`. Writes the sample patient and the demo plan on first use.
# Usage:
#   bash bench/evaluate_vs_plastimatch.sh [BUILD_DIR] [REPETITIONS]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-$root/build}"
repetitions="${2:-5}"
seedplan="$build/app/seedplan"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
patient="${SEEDPLAN_SAMPLE_PATIENT:-$root/sample_data/patient}"
if [ ! -f "$patient/rtstruct.dcm" ]; then
  "$seedplan" phantom --out "$patient" > /dev/null
fi
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-2}"
# The demo plan and its dose (the dose plastimatch reads is the one seedplan writes).
/usr/bin/time -f "%e %M" -o "$work/demo.time" \
  "$seedplan" demo --patient "$patient" --out "$work/demo" > "$work/demo.out" 2>&1

run() { # label, command...: appends "label seconds peakKB"
  local label="$1"; shift
  /usr/bin/time -f "$label %e %M" -a -o "$work/times" "$@" > /dev/null 2>&1
}
for ((n = 0; n < repetitions; n++)); do
  run seedplan "$seedplan" evaluate --plan "$work/demo/plan.xml"
  rm -rf "$work/pm"; mkdir -p "$work/pm"
  /usr/bin/time -f "convert %e %M" -a -o "$work/times" \
    plastimatch convert --input "$patient/rtstruct.dcm" --referenced-ct "$patient/ct" \
    --output-prefix "$work/pm/masks" --output-ss-img "$work/pm/ss.nrrd" \
    --output-ss-list "$work/pm/ss.txt" > /dev/null 2>&1
  /usr/bin/time -f "dvh %e %M" -a -o "$work/times" \
    plastimatch dvh --input-ss-img "$work/pm/ss.nrrd" --input-ss-list "$work/pm/ss.txt" \
    --input-dose "$work/demo/dose.mha" --output-csv "$work/pm/dvh.csv" > /dev/null 2>&1
done
python3 - "$work/times" "$work/demo.time" "$repetitions" <<'PY'
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
def column(label, index):
    return [float(r[index]) for r in rows if r[0] == label]
reps = int(sys.argv[3])
seed_s = column("seedplan", 1); seed_kb = column("seedplan", 2)
pm_s = [c + d for c, d in zip(column("convert", 1), column("dvh", 1))]
pm_kb = [max(c, d) for c, d in zip(column("convert", 2), column("dvh", 2))]
ratios = [s / p for s, p in zip(seed_s, pm_s)]
print(f"{reps} alternating runs, OMP_NUM_THREADS={__import__('os').environ.get('OMP_NUM_THREADS')}, "
      f"load average {open('/proc/loadavg').read().split()[0]} at the end")
print(f"seedplan evaluate: median {statistics.median(seed_s):.2f} s, peak "
      f"{max(seed_kb) / 1024:.0f} MB")
print(f"plastimatch convert + dvh: median {statistics.median(pm_s):.2f} s, peak "
      f"{max(pm_kb) / 1024:.0f} MB")
print(f"ratio evaluate / plastimatch (per pair of runs): median {statistics.median(ratios):.2f} "
      f"(acceptance <= 0.5), range {min(ratios):.2f}-{max(ratios):.2f}")
demo = open(sys.argv[2]).read().split()
print(f"seedplan demo end to end: {float(demo[0]):.1f} s, peak {float(demo[1]) / 1024:.0f} MB "
      f"(acceptance <= 20 s)")
PY

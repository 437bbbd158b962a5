#!/usr/bin/env bash
# Quick start, part 1: install what is missing, build seedplan (Release) and run the main job on the
# embedded sample case. Output goes to ./seedplan-demo.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bash "$root/scripts/install-deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$root/build" -j2 --target seedplan
"$root/build/app/seedplan" demo --out "${SEEDPLAN_DEMO_DIR:-seedplan-demo}"

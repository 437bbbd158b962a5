#!/usr/bin/env python3
"""Scores `seedplan detect-seeds` on one scan of postimplant_ct.py, by hand (issue 11).

Usage: score_detection.py SEEDPLAN WORK_DIR [postimplant_ct.py options ...]

Generates the scan into WORK_DIR/ct (truth in WORK_DIR/truth.csv), runs detect-seeds without and
with --expected (the true count), and prints, for each, the seeds found, matched within the
issue's tolerance (1.5 mm; 2 mm in slices of 3 mm and more), missed and false, then the misses
and false seeds with their distance to the nearest counterpart. The matching is the one of
tests/app/ForeignPostImplantScanTest.cpp: closest pairs first, each seed used once.
"""

import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def read_positions(path):
    if not os.path.exists(path):
        return np.zeros((0, 3))
    rows = [line.split(",")[:3] for line in open(path).read().splitlines()[1:] if line.strip()]
    return np.array([[float(v) for v in row] for row in rows]).reshape(-1, 3)


def score(truth, found, tolerance):
    pairs = sorted(
        (np.linalg.norm(t - f), i, j) for i, t in enumerate(truth) for j, f in enumerate(found)
    )
    used_truth, used_found = set(), set()
    for distance, i, j in pairs:
        if distance > tolerance:
            break
        if i not in used_truth and j not in used_found:
            used_truth.add(i)
            used_found.add(j)
    missed = [i for i in range(len(truth)) if i not in used_truth]
    false = [j for j in range(len(found)) if j not in used_found]
    return missed, false


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    seedplan, work = sys.argv[1], sys.argv[2]
    options = sys.argv[3:]
    os.makedirs(work, exist_ok=True)
    ct, truth_csv = os.path.join(work, "ct"), os.path.join(work, "truth.csv")
    subprocess.run(
        [sys.executable, os.path.join(HERE, "postimplant_ct.py"), ct, truth_csv] + options, check=True
    )
    truth = read_positions(truth_csv)
    slice_mm = float(options[options.index("--slice") + 1]) if "--slice" in options else 2.0
    tolerance = 2.0 if slice_mm >= 3.0 else 1.5
    for label, extra in (("without the count", []), ("with the count", ["--expected", str(len(truth))])):
        out = os.path.join(work, "found.csv" if not extra else "found_expected.csv")
        if os.path.exists(out):
            os.remove(out)
        run = subprocess.run(
            [seedplan, "detect-seeds", "--ct", ct, "--out", out] + extra, capture_output=True, text=True
        )
        found = read_positions(out)
        missed, false = score(truth, found, tolerance)
        print(
            f"{label}: exit {run.returncode}, {len(found)} found for {len(truth)}, "
            f"{len(truth) - len(missed)} within {tolerance} mm, {len(missed)} missed, {len(false)} false"
        )
        for i in missed:
            nearest = np.min(np.linalg.norm(found - truth[i], axis=1)) if len(found) else float("inf")
            print(f"  missed {np.round(truth[i], 1)}: nearest found {nearest:.2f} mm")
        for j in false:
            nearest = np.min(np.linalg.norm(truth - found[j], axis=1))
            print(f"  false {np.round(found[j], 1)}: nearest true seed {nearest:.2f} mm")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# Installs the Debian 12 packages seedplan needs; skips what is already installed (idempotent).
# dcmtk (command-line tools) and python3-pydicom (its sample DICOM files) serve the imaging tests:
# DICOM written by other software. The independent tools the tests compare with: dicom3tools
# (dciodvfy, dcentvfy) and python3-dicompylercore for DICOM RT (numpy and scipy for the test
# scripts that write foreign RT Plans and Doses), plastimatch for DVHs, R's
# survival package for the outcome analyses, pandas for the study export; chromium renders the
# plan report (zlib: the report test reads its PNG); clang with its runtime (libFuzzer, sanitizers) and its OpenMP (the dose engine
# compiled with clang) builds the fuzz targets.
set -euo pipefail
packages=(
  build-essential cmake pkg-config clang-format
  libeigen3-dev libtinyxml2-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libboost-math-dev
  libinsighttoolkit5-dev libdcmtk-dev libvtk9-dev
  xvfb xauth libgl1-mesa-dri
  libsqlite3-dev sqlite3
  dcmtk python3-pydicom dicom3tools python3-dicompylercore plastimatch
  python3-numpy python3-scipy
  r-cran-survival python3-pandas chromium zlib1g-dev
  clang libclang-rt-14-dev libomp-14-dev
)
missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"

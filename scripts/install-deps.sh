#!/usr/bin/env bash
# Installs the Debian 12 packages seedplan needs; skips what is already installed (idempotent).
# dcmtk (command-line tools) and python3-pydicom (its sample DICOM files) serve the imaging tests:
# DICOM written by other software.
set -euo pipefail
packages=(
  build-essential cmake pkg-config clang-format
  libeigen3-dev libtinyxml2-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libboost-math-dev
  libinsighttoolkit5-dev libdcmtk-dev libvtk9-dev
  xvfb xauth libgl1-mesa-dri
  dcmtk python3-pydicom
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

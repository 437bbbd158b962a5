#!/usr/bin/python3
"""The cross-check of seedplan's target D90 with an established tool: dicompyler-core computes
each named structure's cumulative DVH from an RT Structure Set and an RT Dose (its own contour
rasterisation and dose lookup, nothing of seedplan's), and this script prints one line per
structure:
    name,volume_cc,D90_Gy

Usage: dicompyler_dvh.py RTSTRUCT RTDOSE NAME [NAME ...]

dicompyler-core samples the dose at the pixel centres of the dose grid inside each contour, on
each contour plane. Its in-plane interpolation (interpolation_resolution) is not used: in Debian
12's dicompyler-core it moves the resampled grid outward (the sample plan's GTV_Bone grows from
3.50 to 3.53-3.57 cc and its D90 drops from 132.0 to 124.3 Gy at 0.225 mm), while without it
dicompyler-core agrees with plastimatch's DVH of the same files (132.0 vs 132.1 Gy; all four
targets within 0.2 %) and with seedplan's (within 1.5 %).
"""

import sys

import pydicom
from dicompylercore import dicomparser, dvhcalc


def main():
    if len(sys.argv) < 4:
        sys.exit("usage: dicompyler_dvh.py RTSTRUCT RTDOSE NAME [NAME ...]")
    structure_file, dose_file, names = sys.argv[1], sys.argv[2], sys.argv[3:]
    rtss = pydicom.dcmread(structure_file)
    rtdose = pydicom.dcmread(dose_file)
    structures = dicomparser.DicomParser(rtss).GetStructures()
    by_name = {s["name"]: number for number, s in structures.items()}
    for name in names:
        if name not in by_name:
            sys.exit(f"{structure_file}: no structure named {name}")
        dvh = dvhcalc.get_dvh(rtss, rtdose, by_name[name], use_structure_extents=True)
        print(f"{name},{dvh.volume:.6g},{dvh.statistic('D90').value:.6g}")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The cross-check of seedplan's target D90 with an established tool: dicompyler-core computes
each named structure's cumulative DVH from an RT Structure Set and an RT Dose (its own contour
rasterisation and dose lookup, nothing of seedplan's), and this script prints one line per
structure:
    name,volume_cc,D90_Gy

Usage: dicompyler_dvh.py RTSTRUCT RTDOSE NAME [NAME ...]

dicompyler-core samples the dose at the pixel centres of the dose grid inside each contour; the
dose grid is interpolated in plane to a quarter of its pixel spacing (0.225 mm on the sample CT)
so that lesions of a few cc are resolved as seedplan's sub-voxel DVH resolves them.
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
    resolution = float(rtdose.PixelSpacing[0]) / 4.0
    for name in names:
        if name not in by_name:
            sys.exit(f"{structure_file}: no structure named {name}")
        dvh = dvhcalc.get_dvh(rtss, rtdose, by_name[name], use_structure_extents=True,
                              interpolation_resolution=resolution)
        print(f"{name},{dvh.volume:.6g},{dvh.statistic('D90').value:.6g}")


if __name__ == "__main__":
    main()

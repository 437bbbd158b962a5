#!/usr/bin/python3
"""Writes RT Doses as another system would, with pydicom and scipy, from an RT Dose seedplan
exported: the inputs of the `seedplan compare-dose` tests (no seedplan code is used here).

Usage: make_foreign_rtdose.py RTDOSE OUTDIR

OUTDIR/resampled.dcm  the dose resampled (trilinear, scipy.ndimage.map_coordinates) onto a 2 mm
                      grid shifted by (0.3, -0.7, 0.45) mm from the CT's, written the old way:
                      16 bit, absolute Grid Frame Offset Vector (the frames' z), no DVHs
OUTDIR/scaled.dcm     every dose value x 1.03 on the same grid, 32 bit
OUTDIR/other_frame.dcm  scaled.dcm with another Frame of Reference UID
OUTDIR/relative.dcm   scaled.dcm with Dose Units RELATIVE
Prints the scaling factor of scaled.dcm and the grid of resampled.dcm.
"""

import copy
import os
import sys

import numpy as np
import pydicom
from pydicom.uid import generate_uid
from scipy import ndimage

SCALE = 1.03
SPACING_MM = 2.0
SHIFT_MM = np.array([0.3, -0.7, 0.45])


def renew(ds):
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.SeriesInstanceUID = generate_uid()
    ds.Manufacturer = "Foreign TPS"
    if "DVHSequence" in ds:
        del ds.DVHSequence


def store(ds, dose_gy, bits):
    maximum = float(dose_gy.max())
    scaling = maximum / (2 ** bits - 2)
    text = f"{scaling:.10g}"
    scaling = float(text)
    stored = np.clip(np.rint(dose_gy / scaling), 0, 2 ** bits - 1)
    ds.BitsAllocated = bits
    ds.BitsStored = bits
    ds.HighBit = bits - 1
    ds.PixelRepresentation = 0
    ds.DoseGridScaling = text
    ds.PixelData = stored.astype("<u2" if bits == 16 else "<u4").tobytes()


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make_foreign_rtdose.py RTDOSE OUTDIR")
    source = pydicom.dcmread(sys.argv[1])
    folder = sys.argv[2]
    os.makedirs(folder, exist_ok=True)
    dose = source.pixel_array.astype(float) * float(source.DoseGridScaling)  # (k, j, i)
    row = np.array(source.ImageOrientationPatient[:3], dtype=float)
    column = np.array(source.ImageOrientationPatient[3:], dtype=float)
    normal = np.cross(row, column)
    if not np.allclose(row, [1, 0, 0]) or not np.allclose(column, [0, 1, 0]):
        sys.exit("make_foreign_rtdose: expected an axial HFS dose")
    origin = np.array(source.ImagePositionPatient, dtype=float)
    dj, di = (float(v) for v in source.PixelSpacing)  # row spacing first
    offsets = np.array(source.GridFrameOffsetVector, dtype=float)
    dk = offsets[1] - offsets[0]

    scaled = copy.deepcopy(source)
    renew(scaled)
    store(scaled, dose * SCALE, 32)
    scaled.save_as(os.path.join(folder, "scaled.dcm"))

    other = copy.deepcopy(scaled)
    renew(other)
    other.FrameOfReferenceUID = generate_uid()
    other.save_as(os.path.join(folder, "other_frame.dcm"))

    relative = copy.deepcopy(scaled)
    renew(relative)
    relative.DoseUnits = "RELATIVE"
    relative.save_as(os.path.join(folder, "relative.dcm"))

    # 2 mm grid over the same box, shifted: voxel centres inside the source's centre box.
    extent = np.array([di * (source.Columns - 1), dj * (source.Rows - 1), dk * (len(offsets) - 1)])
    first = origin + np.abs(SHIFT_MM)
    counts = np.floor((extent - np.abs(SHIFT_MM)) / SPACING_MM).astype(int) + 1
    x = first[0] + SPACING_MM * np.arange(counts[0])
    y = first[1] + SPACING_MM * np.arange(counts[1])
    z = first[2] + SPACING_MM * np.arange(counts[2])
    zz, yy, xx = np.meshgrid(z, y, x, indexing="ij")
    coordinates = np.array([(zz - origin[2]) / dk, (yy - origin[1]) / dj, (xx - origin[0]) / di])
    resampled_dose = ndimage.map_coordinates(dose, coordinates, order=1, mode="nearest")

    resampled = copy.deepcopy(source)
    renew(resampled)
    resampled.Columns = int(counts[0])
    resampled.Rows = int(counts[1])
    resampled.NumberOfFrames = str(int(counts[2]))
    resampled.PixelSpacing = [f"{SPACING_MM:g}", f"{SPACING_MM:g}"]
    resampled.SliceThickness = f"{SPACING_MM:g}"
    resampled.ImagePositionPatient = [f"{v:.10g}" for v in first]
    # The older absolute form: the z of each frame (first value = the first frame's z).
    resampled.GridFrameOffsetVector = [f"{v:.10g}" for v in z]
    store(resampled, resampled_dose, 16)
    if "ReferencedStructureSetSequence" in resampled:
        del resampled.ReferencedStructureSetSequence
    resampled.save_as(os.path.join(folder, "resampled.dcm"))
    print(f"scaled x{SCALE}; resampled {counts[0]}x{counts[1]}x{counts[2]} at {SPACING_MM} mm "
          f"from {first.tolist()}; normal {normal.tolist()}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""A CT series written by pydicom, not by seedplan, for the viewer's orientation tests.

Usage: write_ct_series.py OUT_DIR POSITION ROTATION_DEG ROW_SPACING COL_SPACING SLICE_SPACING
       [LABELS.nrrd]

The patient, in LPS millimetres (x to the patient's left, y posterior, z superior), centred on
the origin: a soft-tissue ellipse (0 HU) of semi-axes 70 mm (x) and 50 mm (y) in air
(-1000 HU), and three bone spheres (1000 HU): 8 mm radius at (45, 0, 0) on the patient's left,
6 mm at (0, -35, 0) anterior, 5 mm at (0, 0, 12) superior. The image rows and columns run as a
scanner writes them for POSITION (HFS, FFS, HFP, FFP), turned in plane by ROTATION_DEG about the
slice normal; PixelSpacing is ROW_SPACING\\COL_SPACING (between rows, between columns), slices
SLICE_SPACING apart. 256 x 256 pixels, 17 slices, stored unsigned with RescaleIntercept -1024.

With LABELS.nrrd, also a label map on the series' voxels (its first voxel the first slice along
the slice normal, as a DICOM reader orders them): 1 BODY (the ellipse), 2 GTV_Test (a sphere of
12 mm radius at (-20, 10, 0)), 3 Cord (a cylinder of 5 mm radius along z at (0, 40)), in
colours that are none of the isodose hues.
"""

import math
import sys

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"
ROWS = 256
COLUMNS = 256
SLICES = 17

# Row direction (along a row, columns increasing) and column direction as scanners write them.
DIRECTIONS = {
    "HFS": ((1, 0, 0), (0, 1, 0)),
    "FFS": ((-1, 0, 0), (0, 1, 0)),
    "HFP": ((-1, 0, 0), (0, -1, 0)),
    "FFP": ((1, 0, 0), (0, -1, 0)),
}


def hounsfield(x, y, z):
    hu = np.full(x.shape, -1000.0)
    hu[(x / 70.0) ** 2 + (y / 50.0) ** 2 <= 1.0] = 0.0
    for centre, radius in (((45, 0, 0), 8), ((0, -35, 0), 6), ((0, 0, 12), 5)):
        inside = (x - centre[0]) ** 2 + (y - centre[1]) ** 2 + (z - centre[2]) ** 2 <= radius**2
        hu[inside] = 1000.0
    return hu


def labels(x, y, z):
    label = np.zeros(x.shape, dtype=np.uint8)
    label[(x / 70.0) ** 2 + (y / 50.0) ** 2 <= 1.0] = 1
    label[(x + 20) ** 2 + (y - 10) ** 2 + z**2 <= 12**2] = 2
    label[x**2 + (y - 40) ** 2 <= 5**2] = 3
    return label


def write_labels(path, volume, origin, axes):
    """A raw NRRD label map in LPS; axes are the (direction x spacing) vectors of i, j, k."""
    header = [
        "NRRD0004",
        "type: uint8",
        "dimension: 3",
        "space: left-posterior-superior",
        f"sizes: {COLUMNS} {ROWS} {SLICES}",
        "space directions: " + " ".join("(" + ",".join(repr(float(v)) for v in a) + ")" for a in axes),
        "kinds: domain domain domain",
        "endian: little",
        "encoding: raw",
        "space origin: (" + ",".join(repr(float(v)) for v in origin) + ")",
        "label_1:=BODY",
        "label_1_color:=0 160 0",
        "label_2:=GTV_Test",
        "label_2_color:=255 128 0",
        "label_3:=Cord",
        "label_3_color:=0 128 255",
    ]
    with open(path, "wb") as out:
        out.write(("\n".join(header) + "\n\n").encode())
        out.write(np.ascontiguousarray(volume).tobytes())


def main():
    out_dir, position = sys.argv[1], sys.argv[2]
    rotation = math.radians(float(sys.argv[3]))
    row_spacing, col_spacing, slice_spacing = (float(v) for v in sys.argv[4:7])
    row_dir, col_dir = (np.array(v, dtype=float) for v in DIRECTIONS[position])
    normal = np.cross(row_dir, col_dir)
    # Turn both in-plane axes about the slice normal (Rodrigues; they are perpendicular to it).
    c, s = math.cos(rotation), math.sin(rotation)
    row_dir, col_dir = (c * v + s * np.cross(normal, v) for v in (row_dir, col_dir))

    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    columns, rows = np.meshgrid(np.arange(COLUMNS), np.arange(ROWS))
    label_slices = []
    first_corner = None
    for k in range(SLICES):
        corner = (
            -(COLUMNS - 1) / 2 * col_spacing * row_dir
            - (ROWS - 1) / 2 * row_spacing * col_dir
            + (k - (SLICES - 1) / 2) * slice_spacing * normal
        )
        point = [
            corner[a] + columns * col_spacing * row_dir[a] + rows * row_spacing * col_dir[a]
            for a in range(3)
        ]
        stored = np.round(hounsfield(*point) + 1024).astype(np.uint16)
        label_slices.append(labels(*point))
        if first_corner is None:
            first_corner = corner

        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.SOPClassUID = CT_IMAGE_STORAGE
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series
        ds.FrameOfReferenceUID = frame
        ds.Modality = "CT"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.PatientName = "Pydicom^" + position
        ds.PatientID = "PYDICOM-" + position
        ds.PatientPosition = position
        ds.PatientBirthDate = ""
        ds.PatientSex = ""
        ds.StudyDate = "20260101"
        ds.StudyTime = "120000"
        ds.StudyID = "1"
        ds.AccessionNumber = ""
        ds.ReferringPhysicianName = ""
        ds.Laterality = ""
        ds.PositionReferenceIndicator = ""
        ds.Manufacturer = "pydicom"
        ds.KVP = 120
        ds.AcquisitionNumber = 1
        ds.SeriesNumber = 1
        ds.InstanceNumber = k + 1
        ds.ImagePositionPatient = [round(float(v), 6) for v in corner]
        ds.ImageOrientationPatient = [round(float(v), 9) for v in (*row_dir, *col_dir)]
        ds.PixelSpacing = [row_spacing, col_spacing]
        ds.SliceThickness = slice_spacing
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = ROWS
        ds.Columns = COLUMNS
        ds.BitsAllocated = 16
        ds.BitsStored = 16
        ds.HighBit = 15
        ds.PixelRepresentation = 0
        ds.RescaleIntercept = -1024
        ds.RescaleSlope = 1
        ds.PixelData = stored.tobytes()
        ds.save_as(f"{out_dir}/ct_{k:03d}.dcm", write_like_original=False)

    if len(sys.argv) > 7:
        axes = (col_spacing * row_dir, row_spacing * col_dir, slice_spacing * normal)
        write_labels(sys.argv[7], np.stack(label_slices), first_corner, axes)


if __name__ == "__main__":
    main()

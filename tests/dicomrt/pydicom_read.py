#!/usr/bin/python3
"""Reads DICOM files with pydicom as a third-party program would, with value validation raised as
errors, and checks what a reader needs of seedplan's RT export. Prints one summary line per file
and exits non-zero at the first problem.

Usage: pydicom_read.py RTPLAN RTDOSE RTSTRUCT
"""

import sys

import numpy as np
import pydicom
from pydicom import config


def strict():
    # pydicom 2.3: validation of values on reading raises instead of warning.
    try:
        config.settings.reading_validation_mode = config.RAISE
    except AttributeError:
        config.enforce_valid_values = True


CONTOUR_DATA = 0x30060050


def check_contour_data(raw):
    """Contour Data checked as pydicom's DS validation would, in one numpy pass (the per-value
    validation of a structure set's million coordinates takes many seconds)."""
    parts = bytes(raw).rstrip(b" \0").split(b"\\")
    if any(len(part) > 16 for part in parts):
        fail("a Contour Data value is longer than 16 characters")
    values = np.array(parts, dtype=float)
    if len(values) % 3 != 0 or not np.all(np.isfinite(values)):
        fail("Contour Data is not finite x\\y\\z triplets")


def walk(ds):
    """Converts (and so validates) every value, item by item."""
    for tag in ds.keys():
        raw = ds.get_item(tag)
        if tag == CONTOUR_DATA and isinstance(raw, pydicom.dataelem.RawDataElement):
            check_contour_data(raw.value)
            continue
        element = ds[tag]
        if element.VR == "SQ":
            for item in element.value:
                walk(item)
        else:
            _ = element.value


def read(path):
    ds = pydicom.dcmread(path)
    walk(ds)
    return ds


def fail(message):
    sys.exit("pydicom_read: " + message)


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: pydicom_read.py RTPLAN RTDOSE RTSTRUCT")
    strict()
    plan, dose, structures = (read(path) for path in sys.argv[1:])
    for ds, modality in ((plan, "RTPLAN"), (dose, "RTDOSE"), (structures, "RTSTRUCT")):
        if ds.Modality != modality:
            fail(f"{ds.filename}: Modality {ds.Modality}, expected {modality}")
        for other in (plan, dose, structures):
            if other.StudyInstanceUID != ds.StudyInstanceUID or other.PatientID != ds.PatientID:
                fail("the three files do not share patient and study")
    if plan.FrameOfReferenceUID != dose.FrameOfReferenceUID:
        fail("RT Plan and RT Dose frames of reference differ")
    if plan.ReferencedStructureSetSequence[0].ReferencedSOPInstanceUID != \
            structures.SOPInstanceUID:
        fail("the RT Plan does not reference the structure set")
    if dose.ReferencedRTPlanSequence[0].ReferencedSOPInstanceUID != plan.SOPInstanceUID:
        fail("the RT Dose does not reference the RT Plan")
    seeds = sum(len(setup.ChannelSequence) for setup in plan.ApplicationSetupSequence)
    for setup in plan.ApplicationSetupSequence:
        for channel in setup.ChannelSequence:
            points = channel.BrachyControlPointSequence
            if len(points) != 2 or list(points[0].ControlPoint3DPosition) != \
                    list(points[1].ControlPoint3DPosition):
                fail("a channel is not one seed")
    pixels = dose.pixel_array
    frames = int(dose.NumberOfFrames)
    if pixels.shape != (frames, dose.Rows, dose.Columns):
        fail(f"RT Dose pixel array {pixels.shape}")
    offsets = np.array(dose.GridFrameOffsetVector, dtype=float)
    if offsets[0] != 0 or np.any(np.diff(offsets) <= 0):
        fail("Grid Frame Offset Vector is not relative and increasing")
    maximum = float(pixels.max()) * float(dose.DoseGridScaling)
    rois = {item.ROINumber for item in structures.StructureSetROISequence}
    for dvh in dose.DVHSequence:
        data = np.array(dvh.DVHData, dtype=float)
        if len(data) != 2 * int(dvh.DVHNumberOfBins):
            fail("DVH Data length")
        if dvh.DVHReferencedROISequence[0].ReferencedROINumber not in rois:
            fail("a DVH references an unknown ROI")
        volumes = data[1::2]
        if np.any(np.diff(volumes) > 1e-9 * max(volumes[0], 1e-9)):
            fail("a cumulative DVH increases")
    print(f"{sys.argv[1]}: RTPLAN {plan.BrachyTreatmentTechnique} {plan.BrachyTreatmentType}, "
          f"{len(plan.SourceSequence)} sources, {seeds} seeds")
    print(f"{sys.argv[2]}: RTDOSE {dose.Columns}x{dose.Rows}x{frames}, {dose.BitsAllocated} bit, "
          f"max {maximum:.6g} Gy, {len(dose.DVHSequence)} DVHs")
    print(f"{sys.argv[3]}: RTSTRUCT {len(rois)} ROIs")


if __name__ == "__main__":
    main()

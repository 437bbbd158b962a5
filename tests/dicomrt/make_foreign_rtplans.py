#!/usr/bin/python3
"""Writes brachytherapy RT Plans as other planning systems do, with pydicom: an independent
generator for the import tests of `seedplan import-rtplan` (no seedplan code is used here).

Usage: make_foreign_rtplans.py OUTDIR

Writes OUTDIR/<case>.dcm for every case and OUTDIR/cases.csv with one row per case:
  file,args,expect,fragments,seeds
expect is "ok" or "refused"; fragments are '|'-separated texts the single stderr line (refused)
or the warnings (ok) must contain; seeds names OUTDIR/<case>.expected.csv (the seeds CSV
seedplan must write: x_mm,y_mm,z_mm,dir_x,dir_y,dir_z,strength_U,model).

The styles follow PS3.3 C.8.8.15 and what vendors write:
 - one channel of two control points per seed, cumulative weights 0 and 1 (VariSeed-like,
   implicit VR, no orientation);
 - one channel per needle holding its seeds as dwell pairs with rising cumulative weights, a
   transit from the channel's end before them, Control Point Orientation per seed;
 - two sources (models) with different reference dates;
 - empty cumulative weights;
and the plans seedplan must refuse: HDR, external beam, no strength, no reference date, no seed,
2D positions, no 3D positions, another isotope, an unknown model, not an RT Plan.
"""

import csv
import math
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.sequence import Sequence
from pydicom.uid import (ExplicitVRLittleEndian, ImplicitVRLittleEndian, generate_uid)

RT_PLAN = "1.2.840.10008.5.1.4.1.1.481.5"
CT_IMAGE = "1.2.840.10008.5.1.4.1.1.2"
HALF_LIFE_I125 = 59.40


def base(sop_class=RT_PLAN, modality="RTPLAN", manufacturer="Varian Medical Systems"):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.ImplementationClassUID = generate_uid()
    ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.PatientName = "FOREIGN^PLAN"
    ds.PatientID = "F-001"
    ds.PatientBirthDate = ""
    ds.PatientSex = "O"
    ds.StudyInstanceUID = generate_uid()
    ds.StudyDate = "20250103"
    ds.StudyTime = "101500"
    ds.StudyID = "1"
    ds.AccessionNumber = ""
    ds.ReferringPhysicianName = ""
    ds.Modality = modality
    ds.SeriesInstanceUID = generate_uid()
    ds.SeriesNumber = "7"
    ds.FrameOfReferenceUID = generate_uid()
    ds.PositionReferenceIndicator = ""
    ds.Manufacturer = manufacturer
    ds.RTPlanLabel = "SEEDS"
    ds.RTPlanDate = "20250103"
    ds.RTPlanTime = "110000"
    ds.RTPlanGeometry = "PATIENT"
    ds.ApprovalStatus = "APPROVED"
    return ds


def source_item(number, model, strength_u, date, time, isotope="I-125",
                half_life=HALF_LIFE_I125, units="AIR_KERMA_RATE"):
    item = Dataset()
    item.SourceNumber = str(number)
    item.SourceType = "CYLINDER"
    item.SourceManufacturer = "Oncura"
    item.SourceModelID = model
    item.SourceIsotopeName = isotope
    item.SourceIsotopeHalfLife = f"{half_life}"
    if units:
        item.SourceStrengthUnits = units
    if strength_u is not None:
        item.ReferenceAirKermaRate = f"{strength_u:.6g}"
        item.SourceStrength = f"{strength_u:.6g}"
    if date is not None:
        item.SourceStrengthReferenceDate = date
    if time is not None:
        item.SourceStrengthReferenceTime = time
    return item


def control_point(index, position, weight, orientation=None, relative=0.0):
    point = Dataset()
    point.ControlPointIndex = str(index)
    point.ControlPointRelativePosition = f"{relative:g}"
    if position is not None:
        point.ControlPoint3DPosition = [f"{v:.10g}" for v in position]
    point.CumulativeTimeWeight = "" if weight is None else f"{weight:g}"
    if orientation is not None:
        point.add_new((0x300A, 0x0412), "FL", [float(v) for v in orientation])
    return point


def channel(number, source, points, final_weight):
    item = Dataset()
    item.ChannelNumber = str(number)
    item.ChannelLength = ""
    item.ChannelTotalTime = "7404311"
    item.SourceMovementType = "FIXED"
    item.TransferTubeNumber = ""
    item.ReferencedSourceNumber = str(source)
    item.NumberOfControlPoints = str(len(points))
    if final_weight is not None:
        item.FinalCumulativeTimeWeight = f"{final_weight:g}"
    item.BrachyControlPointSequence = Sequence(points)
    return item


def brachy(ds, technique, kind, sources, setups):
    ds.BrachyTreatmentTechnique = technique
    ds.BrachyTreatmentType = kind
    machine = Dataset()
    machine.TreatmentMachineName = "SEEDS"
    ds.TreatmentMachineSequence = Sequence([machine])
    ds.SourceSequence = Sequence(sources)
    items = []
    for number, channels in enumerate(setups, start=1):
        setup = Dataset()
        setup.ApplicationSetupType = "PERINEAL"
        setup.ApplicationSetupNumber = str(number)
        setup.TotalReferenceAirKerma = "0"
        setup.ChannelSequence = Sequence(channels)
        items.append(setup)
    ds.ApplicationSetupSequence = Sequence(items)


def save(ds, path, implicit=False):
    ds.is_little_endian = True
    ds.is_implicit_VR = implicit
    ds.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian if implicit else ExplicitVRLittleEndian
    ds.save_as(path, write_like_original=False)


def decayed(strength, days, half_life=HALF_LIFE_I125):
    return strength * 2.0 ** (-days / half_life)


def seeds_csv(path, seeds):
    with open(path, "w", newline="") as stream:
        stream.write("x_mm,y_mm,z_mm,dir_x,dir_y,dir_z,strength_U,model\n")
        for seed in seeds:
            direction = seed.get("dir")
            d = ["", "", ""] if direction is None else [repr(float(v)) for v in direction]
            stream.write(",".join([repr(float(v)) for v in seed["pos"]] + d +
                                  [repr(float(seed["strength"])), seed["model"]]) + "\n")


class Cases:
    def __init__(self, folder):
        self.folder = folder
        self.rows = []

    def ok(self, name, ds, seeds, implicit=False, args="", warnings=()):
        save(ds, os.path.join(self.folder, name + ".dcm"), implicit)
        seeds_csv(os.path.join(self.folder, name + ".expected.csv"), seeds)
        self.rows.append([name + ".dcm", args, "ok", "|".join(warnings), name + ".expected.csv"])

    def refused(self, name, ds, fragments, args=""):
        save(ds, os.path.join(self.folder, name + ".dcm"))
        self.rows.append([name + ".dcm", args, "refused", "|".join(fragments), ""])

    def write(self):
        with open(os.path.join(self.folder, "cases.csv"), "w", newline="") as stream:
            writer = csv.writer(stream, lineterminator="\n")
            writer.writerow(["file", "args", "expect", "fragments", "seeds"])
            writer.writerows(self.rows)


def variseed_like(cases):
    """One channel of two control points per seed, implicit VR, no orientation."""
    rng = np.random.default_rng(20250103)
    ds = base(manufacturer="Varian Medical Systems (VariSeed-like)")
    strength = 0.508
    seeds, channels = [], []
    for n in range(23):
        position = rng.uniform([-30, -20, -40], [30, 20, 40]).round(2)
        channels.append(channel(n + 1, 1, [control_point(0, position, 0),
                                           control_point(1, position, 1)], 1))
        seeds.append({"pos": position, "strength": strength, "model": "6711"})
    brachy(ds, "PERMANENT", "LDR", [source_item(1, "6711", strength, "20250103", "093000")],
           [channels])
    cases.ok("variseed_like", ds, seeds, implicit=True)


def single_channel_stepwise(cases):
    """Each needle one channel: a transit from the channel's end, then its seeds as dwell pairs
    (cumulative weights 0, 0, 1, 1, 2, 2, 3 ...), Control Point Orientation along the needle."""
    ds = base(manufacturer="Elekta (single-channel style)")
    strength = 0.7
    seeds, channels = [], []
    for needle in range(3):
        axis = np.array([1.0, 0.2 * needle, -0.3])
        axis /= np.linalg.norm(axis)
        tip = np.array([10.0 * needle, -5.0, 12.0])
        points = [control_point(0, tip + 200 * axis, 0, axis, relative=200)]
        weight = 0
        for n in range(4):
            position = tip - 5.0 * n * axis
            index = len(points)
            points.append(control_point(index, position, weight, axis, relative=5.0 * n))
            weight += 1
            points.append(control_point(index + 1, position, weight, axis, relative=5.0 * n))
            rounded = np.array([float(f"{v:.10g}") for v in position])
            seeds.append({"pos": rounded, "dir": axis.astype(np.float32).astype(float),
                          "strength": strength, "model": "6711"})
        channels.append(channel(needle + 1, 1, points, weight))
    brachy(ds, "INTERSTITIAL", "LDR",
           [source_item(1, "OncoSeed 6711", strength, "20250110", "000000")], [channels])
    cases.ok("single_channel_stepwise", ds, seeds,
             warnings=["Brachy Treatment Technique (300A,0200) is INTERSTITIAL"])


def two_sources(cases):
    """Two models with different reference dates: strengths decayed to the first one's."""
    ds = base(manufacturer="Nucletron (two sources)")
    first = source_item(1, "130.002", 0.6, "20250103", "120000")
    second = source_item(2, "6711", 0.45, "20250113", "000000")
    days = -(10.0 - 0.5)  # from 2025-01-13 00:00 back to 2025-01-03 12:00
    seeds, channels = [], []
    for n in range(4):
        source = 1 if n % 2 == 0 else 2
        position = [1.5 * n, -2.25, 3.0 + n]
        channels.append(channel(n + 1, source, [control_point(0, position, 0),
                                                control_point(1, position, 100)], 100))
        strength = 0.6 if source == 1 else decayed(0.45, days)
        seeds.append({"pos": position, "strength": strength,
                      "model": "130002" if source == 1 else "6711"})
    brachy(ds, "PERMANENT", "LDR", [first, second], [channels[:2], channels[2:]])
    cases.ok("two_sources", ds, seeds, warnings=["source 2 refers to 20250113"])


def empty_weights(cases):
    ds = base(manufacturer="Legacy (empty weights)")
    seeds, channels = [], []
    for n in range(3):
        position = [0.0, 5.0 * n, -7.5]
        channels.append(channel(n + 1, 1, [control_point(0, position, None),
                                           control_point(1, position, None)], None))
        seeds.append({"pos": position, "strength": 0.55, "model": "6711"})
    brachy(ds, "PERMANENT", "LDR", [source_item(1, "6711", 0.55, "20250103", "0930")], [channels])
    cases.ok("empty_weights", ds, seeds, warnings=["Cumulative Time Weight (300A,02D6) of "
                                                   "channel 1 is empty"])


def implausible_strength(cases):
    """0.04: an activity-like number written where µGy/h at 1 m belongs; a warning, not a guess."""
    ds = base(manufacturer="Unit mix-up")
    position = [1.0, 2.0, 3.0]
    brachy(ds, "PERMANENT", "LDR", [source_item(1, "6711", 0.04, "20250103", "120000")],
           [[channel(1, 1, [control_point(0, position, 0), control_point(1, position, 1)], 1)]])
    cases.ok("implausible_strength", ds, [{"pos": position, "strength": 0.04, "model": "6711"}],
             warnings=["outside the 0.1-5 U"])


def one_seed_plan(technique="PERMANENT", kind="LDR", isotope="I-125", strength=0.5,
                  date="20250103", time="120000", position=(1.0, 2.0, 3.0), model="6711"):
    ds = base()
    brachy(ds, technique, kind, [source_item(1, model, strength, date, time, isotope=isotope)],
           [[channel(1, 1, [control_point(0, position, 0), control_point(1, position, 1)], 1)]])
    return ds


def refusals(cases):
    hdr = one_seed_plan(technique="INTERSTITIAL", kind="HDR", isotope="Ir-192", strength=40700)
    cases.refused("hdr", hdr, ["Brachy Treatment Type (300A,0202) is HDR"])

    beams = base()
    beam = Dataset()
    beam.BeamNumber = "1"
    beam.BeamName = "AP"
    beam.BeamType = "STATIC"
    beam.RadiationType = "PHOTON"
    beam.TreatmentMachineName = "LINAC"
    beam.NumberOfControlPoints = "0"
    beams.BeamSequence = Sequence([beam])
    cases.refused("external_beam", beams, ["an external-beam RT Plan"])

    cases.refused("no_strength", one_seed_plan(strength=None),
                  ["Reference Air Kerma Rate (300A,022A)", "is missing"])
    cases.refused("no_date", one_seed_plan(date=None),
                  ["Source Strength Reference Date (300A,022C)", "is missing"])

    zero = base()
    position = [0.0, 0.0, 0.0]
    brachy(zero, "PERMANENT", "LDR", [source_item(1, "6711", 0.5, "20250103", "120000")],
           [[channel(1, 1, [control_point(0, position, 0), control_point(1, position, 0)], 0)]])
    cases.refused("zero_seeds", zero, ["no seeds"])

    flat = one_seed_plan()
    flat.ApplicationSetupSequence[0].ChannelSequence[0].BrachyControlPointSequence[0] \
        .ControlPoint3DPosition = ["1.0", "2.0"]
    flat.ApplicationSetupSequence[0].ChannelSequence[0].BrachyControlPointSequence[1] \
        .ControlPoint3DPosition = ["1.0", "2.0"]
    cases.refused("positions_2d", flat, ["Control Point 3D Position (300A,02D4)",
                                         "expected a 3D position"])

    relative = one_seed_plan()
    for point in relative.ApplicationSetupSequence[0].ChannelSequence[0].BrachyControlPointSequence:
        del point.ControlPoint3DPosition
    cases.refused("no_positions", relative, ["Control Point 3D Position (300A,02D4)",
                                             "expected 3D seed positions"])

    cases.refused("palladium", one_seed_plan(isotope="Pd-103"),
                  ["Source Isotope Name (300A,0226)", "expected I-125"])

    cases.refused("unknown_model", one_seed_plan(model="XYZ-99"),
                  ["Source Model ID (300A,021B)", "'XYZ-99'", "--model"])

    ct = base(sop_class=CT_IMAGE, modality="CT")
    cases.refused("ct_slice", ct, ["expected an RT Plan"])


def unknown_model_with_option(cases):
    ds = one_seed_plan(model="XYZ-99")
    cases.ok("unknown_model_with_option", ds,
             [{"pos": [1.0, 2.0, 3.0], "strength": 0.5, "model": "9011"}],
             args="--model 9011", warnings=["read as --model 9011"])


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_foreign_rtplans.py OUTDIR")
    folder = sys.argv[1]
    os.makedirs(folder, exist_ok=True)
    cases = Cases(folder)
    variseed_like(cases)
    single_channel_stepwise(cases)
    two_sources(cases)
    empty_weights(cases)
    implausible_strength(cases)
    unknown_model_with_option(cases)
    refusals(cases)
    cases.write()
    print(f"pydicom {pydicom.__version__}: {len(cases.rows)} RT Plans in {folder}")


if __name__ == "__main__":
    main()

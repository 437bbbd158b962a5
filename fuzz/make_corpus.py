#!/usr/bin/python3
"""Writes the seed corpus of the libFuzzer targets (fuzz/corpus/<target>/): small valid inputs of
every kind each parser reads, so that fuzzing starts from the formats' real structure. Run with
Debian's python3 (pydicom, numpy) from the repository root: /usr/bin/python3 fuzz/make_corpus.py.
The files it writes are committed; rerun it only to change the corpus."""

import gzip
import io
import os
import struct
import zlib

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.encaps import encapsulate
from pydicom.sequence import Sequence
from pydicom.uid import (DeflatedExplicitVRLittleEndian, ExplicitVRBigEndian,
                         ExplicitVRLittleEndian, ImplicitVRLittleEndian, JPEGBaseline8Bit,
                         RLELossless)

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(target, name, data):
    folder = os.path.join(ROOT, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


# ---- CSV ---------------------------------------------------------------------------------------
put("seeds_csv", "minimal.csv", "x_mm,y_mm,z_mm\n1,2,3\n")
put("seeds_csv", "full.csv",
    "x_mm,y_mm,z_mm,dir_x,dir_y,dir_z,strength_U,model,needle,confidence\n"
    "-12.5,30.25,-7,0,0,1,0.635,6711,N1,0.98\n"
    "-12.5,30.25,-2,,,,0.635,6711,N1,\n")
put("seeds_csv", "activity_quoted_crlf.csv",
    "\ufeff\"x_mm\",y_mm,z_mm,activity_mCi,extra\r\n1e1,-2.5E-1,3,0.5,\"a,b\"\r\n\r\n4,5,6,,x\r\n")
put("points_csv", "axis.csv", "y_cm,z_cm\n0,1\n1,0\n0.5,-0.5\n")
put("points_csv", "extra_columns.csv", "label,z_cm,y_cm\n\"a\",2,3\nb,-10,0.1\n")

# ---- XML ---------------------------------------------------------------------------------------
put("plan_xml", "plan.xml", """<?xml version="1.0" encoding="UTF-8"?>
<seedplanPlan schemaVersion="1" kind="plan">
  <provenance>
    <program name="seedplan" version="0.1.0"/>
    <created utc="2026-02-10T09:30:00Z"/>
    <engine sourceModel="6711" formalism="auto" cutoff_cm="10" doseGridSpacing_mm="0" programVersion="0.1.0"/>
  </provenance>
  <patient id="P001" studyId="S1"/>
  <ct path="patient/ct" studyUid="1.2.3" seriesUid="1.2.3.4" frameOfReferenceUid="1.2.3.5"/>
  <structures path="patient/rtstruct.dcm"/>
  <targets>
    <target structure="GTV_Lung" site="lung" prescription_Gy="120" margin_mm="0"/>
  </targets>
  <organLimits>
    <limit structure="SpinalCord" metric="D0_1cc" limit_Gy="30"/>
  </organLimits>
  <implant assayStrength_U="0.762" assayDate="2026-01-20" implantDate="2026-02-10" strengthAtImplant_U="0.595" seedSpacing_mm="5"/>
  <needles>
    <needle id="N1" target="GTV_Lung" depth_mm="80" passThroughLength_mm="35" pleuralCrossings="1">
      <entry x_mm="-120" y_mm="10" z_mm="5"/>
      <tip x_mm="-40" y_mm="10" z_mm="5"/>
      <tissue name="Skin"/><tissue name="Lung_R"/>
    </needle>
  </needles>
  <seeds>
    <seed x_mm="-50" y_mm="10" z_mm="5" dir_x="1" dir_y="0" dir_z="0" strength_U="0.595" model="6711" needle="N1"/>
    <seed x_mm="-45" y_mm="10" z_mm="5" strength_U="0.595" confidence="0.9"/>
  </seeds>
  <metrics>
    <structure name="GTV_Lung" role="target" rx_Gy="120" prescription_Gy="120" volume_cc="4.47" D90_Gy="131" D98_Gy="110" D100_Gy="90" Dmean_Gy="180" Dmin_Gy="90" Dmax_Gy="900" V100_pct="97" V150_pct="55" V200_pct="22" D2cc_Gy="170" CI="0.8"/>
  </metrics>
</seedplanPlan>
""")
put("plan_xml", "post_implant.xml", """<seedplanPlan schemaVersion="1" kind="post-implant">
<provenance><program/><engine sourceModel="2301" formalism="1d-line" cutoff_cm="12.5" doseGridSpacing_mm="1"/></provenance>
<patient/><evaluates plan="plan.xml"/><ct path="ct"/><structures path="rs.dcm"/>
<targets/><organLimits/>
<implant assayStrength_U="1" strengthAtImplant_U="1" seedSpacing_mm="0"/>
<needles/><seeds><seed x_mm="0" y_mm="0" z_mm="0" strength_U="1"/></seeds><metrics/>
</seedplanPlan>
""")
sources = os.path.join(os.path.dirname(ROOT), "..", "dosimetry", "sources")
for model in ("MED3631", "6711"):
    with open(os.path.join(sources, model + ".xml"), "rb") as f:
        put("source_xml", model + ".xml", f.read())

# ---- Volume headers (first byte: 0 MetaImage, 1 NRRD, 2 NIfTI, 3 NIfTI .gz) ----------------------
values = np.arange(8, dtype="<i2")
raw = values.tobytes()
mha = ("ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
       "CompressedData = False\nTransformMatrix = 1 0 0 0 1 0 0 0 1\nOffset = -1.5 0 2.25\n"
       "CenterOfRotation = 0 0 0\nAnatomicalOrientation = RAI\nElementSpacing = 0.5 0.5 2.5\n"
       "DimSize = 2 2 2\nseedplan_unit = Gy\nElementType = MET_SHORT\nElementDataFile = LOCAL\n")
put("volume_header", "local.mha", b"\x00" + mha.encode() + raw)
compressed = zlib.compress(raw)
mhaz = mha.replace("CompressedData = False\n",
                   "CompressedData = True\nCompressedDataSize = %d\n" % len(compressed))
put("volume_header", "compressed.mha", b"\x00" + mhaz.encode() + compressed)
ascii_mha = mha.replace("BinaryData = True", "BinaryData = False")
put("volume_header", "ascii.mha", b"\x00" + ascii_mha.encode() + b" ".join(b"%d" % v for v in values))
put("volume_header", "separate.mhd",
    b"\x00" + mha.replace("ElementDataFile = LOCAL", "HeaderSize = 0\nElementDataFile = ct.raw").encode())
nrrd = ("NRRD0004\n# Complete NRRD file format specification at:\ntype: short\ndimension: 3\n"
        "space: left-posterior-superior\nsizes: 2 2 2\n"
        "space directions: (0.5,0,0) (0,0.5,0) (0,0,2.5)\nkinds: domain domain domain\n"
        "endian: little\nencoding: %s\nspace origin: (-1.5,0,2.25)\nseedplan_unit:=Gy\n\n")
put("volume_header", "raw.nrrd", b"\x01" + (nrrd % "raw").encode() + raw)
put("volume_header", "gzip.nrrd", b"\x01" + (nrrd % "gzip").encode() + gzip.compress(raw))
put("volume_header", "ascii.nrrd", b"\x01" + (nrrd % "ascii").encode() + b"0 1 2 3\n4 5 6 7\n")
put("volume_header", "hex.nrrd", b"\x01" + (nrrd % "hex").encode() + raw.hex().encode())
put("volume_header", "detached.nhdr",
    b"\x01" + (nrrd % "raw").replace("\n\n", "\ndata file: ct.raw\nline skip: 0\nbyte skip: -1\n")
    .encode())


def nifti(datatype, bitpix, data):
    header = bytearray(348)
    struct.pack_into("<i", header, 0, 348)
    struct.pack_into("<8h", header, 40, 3, 2, 2, 2, 1, 1, 1, 1)
    struct.pack_into("<hh", header, 70, datatype, bitpix)
    struct.pack_into("<8f", header, 76, 1, 0.5, 0.5, 2.5, 1, 1, 1, 1)
    struct.pack_into("<f", header, 108, 352)
    struct.pack_into("<ff", header, 112, 1, 0)
    struct.pack_into("<hh", header, 252, 1, 1)
    struct.pack_into("<6f", header, 256, 0, 0, 0, -1.5, 0, 2.25)
    struct.pack_into("<12f", header, 280, -0.5, 0, 0, 1.5, 0, -0.5, 0, 0, 0, 0, 2.5, 2.25)
    header[344:348] = b"n+1\x00"
    return bytes(header) + b"\x00" * 4 + data


put("volume_header", "short.nii", b"\x02" + nifti(4, 16, raw))
put("volume_header", "float.nii.gz",
    b"\x03" + gzip.compress(nifti(16, 32, np.arange(8, dtype="<f4").tobytes())))


# ---- DICOM -------------------------------------------------------------------------------------
def ct_slice(syntax, z=0.0):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.2.1125.1.%d" % int(z * 10 + 100)
    meta.TransferSyntaxUID = syntax
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = meta.MediaStorageSOPClassUID
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.Modality = "CT"
    ds.PatientID = "FUZZ"
    ds.StudyInstanceUID = "1.2.826.0.1.3680043.2.1125.2"
    ds.SeriesInstanceUID = "1.2.826.0.1.3680043.2.1125.3"
    ds.FrameOfReferenceUID = "1.2.826.0.1.3680043.2.1125.4"
    ds.ImagePositionPatient = [-1.5, -1.5, z]
    ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
    ds.PixelSpacing = [0.75, 0.75]
    ds.SliceThickness = 2.5
    ds.InstanceNumber = 1
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows = 4
    ds.Columns = 4
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.RescaleIntercept = -1024
    ds.RescaleSlope = 1
    ds.PixelData = np.arange(16, dtype="<i2").tobytes()
    ds.is_little_endian = syntax != ExplicitVRBigEndian
    ds.is_implicit_VR = syntax == ImplicitVRLittleEndian
    return ds


def dicom_bytes(ds):
    buffer = io.BytesIO()
    pydicom.dcmwrite(buffer, ds, write_like_original=False)
    return buffer.getvalue()


for name, syntax in (("implicit", ImplicitVRLittleEndian), ("explicit", ExplicitVRLittleEndian),
                     ("big_endian", ExplicitVRBigEndian)):
    ds = ct_slice(syntax)
    if syntax == ExplicitVRBigEndian:
        ds.PixelData = np.arange(16, dtype=">i2").tobytes()
    put("dicom", "ct_%s.dcm" % name, dicom_bytes(ds))
ds = ct_slice(DeflatedExplicitVRLittleEndian)
ds.is_implicit_VR = False
put("dicom", "ct_deflated.dcm", dicom_bytes(ds))
ds = ct_slice(JPEGBaseline8Bit)
ds.is_implicit_VR = False
ds.PixelData = encapsulate([b"\xff\xd8fragment one\xff\xd9", b"\xff\xd8two\xff\xd9"])
ds["PixelData"].VR = "OB"
ds["PixelData"].is_undefined_length = True
put("dicom", "ct_encapsulated.dcm", dicom_bytes(ds))
ds = ct_slice(ExplicitVRLittleEndian)
del ds.file_meta
bare = io.BytesIO()
ds.is_little_endian = True
ds.is_implicit_VR = True
pydicom.dcmwrite(bare, ds, write_like_original=True)
put("dicom", "ct_no_meta.dcm", bare.getvalue())

rs = Dataset()
rs.file_meta = FileMetaDataset()
rs.file_meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.481.3"
rs.file_meta.MediaStorageSOPInstanceUID = "1.2.826.0.1.3680043.2.1125.9"
rs.file_meta.TransferSyntaxUID = ImplicitVRLittleEndian
rs.SOPClassUID = rs.file_meta.MediaStorageSOPClassUID
rs.SOPInstanceUID = rs.file_meta.MediaStorageSOPInstanceUID
rs.Modality = "RTSTRUCT"
frame = Dataset()
frame.FrameOfReferenceUID = "1.2.826.0.1.3680043.2.1125.4"
rs.ReferencedFrameOfReferenceSequence = Sequence([frame])
roi = Dataset()
roi.ROINumber = 1
roi.ROIName = "GTV"
roi.ReferencedFrameOfReferenceUID = frame.FrameOfReferenceUID
rs.StructureSetROISequence = Sequence([roi])
contour = Dataset()
contour.ContourGeometricType = "CLOSED_PLANAR"
contour.NumberOfContourPoints = 3
contour.ContourData = [0, 0, 0, 1, 0, 0, 0, 1, 0]
roi_contour = Dataset()
roi_contour.ReferencedROINumber = 1
roi_contour.ROIDisplayColor = [255, 0, 0]
roi_contour.ContourSequence = Sequence([contour])
rs.ROIContourSequence = Sequence([roi_contour])
rs.is_little_endian = True
rs.is_implicit_VR = True
put("dicom", "rtstruct_implicit.dcm", dicom_bytes(rs))
rs.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
rs.is_implicit_VR = False
put("dicom", "rtstruct_explicit.dcm", dicom_bytes(rs))
print("corpus written to", ROOT)

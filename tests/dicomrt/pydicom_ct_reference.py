#!/usr/bin/python3
"""pydicom's reading of DICOM files, the independent reference of the CT loader (issue 13).

Usage: pydicom_ct_reference.py OUTPUT_FOLDER FILE...
For each FILE prints one tab-separated line:
  name  modality  transfer-syntax  rows  columns  frames  spacing-row  spacing-column
  ipp-x ipp-y ipp-z  iop(6)  slice-thickness  pixels
where absent values are "-" and `pixels` is "yes" when pydicom decoded the pixel data and wrote
HU = stored x RescaleSlope + RescaleIntercept (float64, row-major, frame by frame) to
OUTPUT_FOLDER/<name>.hu, else the reason it could not. A file pydicom cannot read at all gives
"name  ERROR  <reason>".
"""
import os
import sys
import warnings

import numpy
import pydicom


def text(value):
    return "-" if value is None or value == "" else str(value)


def main():
    out = sys.argv[1]
    for path in sys.argv[2:]:
        name = os.path.basename(path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                data = pydicom.dcmread(path, force=True)
        except Exception as error:  # every failure is a result here
            print(name + "\tERROR\t" + type(error).__name__)
            continue
        syntax = getattr(getattr(data, "file_meta", None), "TransferSyntaxUID", None)
        spacing = data.get("PixelSpacing")
        position = data.get("ImagePositionPatient")
        orientation = data.get("ImageOrientationPatient")
        fields = [name, text(data.get("Modality")), text(syntax), text(data.get("Rows")),
                  text(data.get("Columns")), text(data.get("NumberOfFrames", 1))]
        fields += [text(v) for v in (spacing if spacing is not None and len(spacing) == 2
                                     else [None, None])]
        fields += [text(v) for v in (position if position is not None and len(position) == 3
                                     else [None] * 3)]
        fields += [text(v) for v in (orientation if orientation is not None
                                     and len(orientation) == 6 else [None] * 6)]
        fields.append(text(data.get("SliceThickness")))
        pixels = "no"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                stored = data.pixel_array
            slope = float(data.get("RescaleSlope", 1.0))
            intercept = float(data.get("RescaleIntercept", 0.0))
            hu = stored.astype(numpy.float64) * slope + intercept
            hu.astype("<f8").tofile(os.path.join(out, name + ".hu"))
            pixels = "yes"
        except Exception as error:
            pixels = "no:" + type(error).__name__
        fields.append(pixels)
        print("\t".join(fields))


if __name__ == "__main__":
    main()

#pragma once
// Test data for the DICOM RT writer and reader tests: a small CT in memory with DICOM identity,
// a temporary folder, a warning capture.

#include "../core/TempFolder.h"
#include "../core/WarningCapture.h"
#include "seedplan/core/Log.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/DicomStudyContext.h"
#include "seedplan/imaging/RtInstanceHeader.h"

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

namespace seedplan::imaging::rttest {

using TempFolder = test::TempFolder;
using WarningCapture = test::WarningCapture;

/// A 40 x 30 x 12 CT of 1 x 1 x 2.5 mm (HFS, axial) with study, series, frame of reference and
/// one SOP Instance UID per slice, as DicomCtSeries would report it.
inline CtImage SmallCt() {
  CtImage ct;
  ct.hu = Volume<short>(GridGeometry({-19.5, -14.5, -13.75}, {1.0, 1.0, 2.5}, {40, 30, 12}), 0);
  ct.info.studyInstanceUid = "1.2.826.0.1.3680043.9.7777.10.1";
  ct.info.seriesInstanceUid = "1.2.826.0.1.3680043.9.7777.10.2";
  ct.info.frameOfReferenceUid = "1.2.826.0.1.3680043.9.7777.10.3";
  ct.info.patientId = "RT-TEST-7";
  ct.info.modality = "CT";
  for (int k = 0; k < 12; ++k) {
    ct.info.sopInstanceUids.push_back("1.2.826.0.1.3680043.9.7777.10.4." + std::to_string(k + 1));
  }
  return ct;
}

/// The header an RT object written for SmallCt() gets: its identity, a patient name and study
/// attributes as a CT file would carry them.
inline RtInstanceHeader SmallCtHeader(const CtImage& ct) {
  RtInstanceHeader header;
  header.study = DicomStudyContext::FromSeriesInfo(ct.info);
  header.study.patientAndStudy.push_back({0x0010, 0x0010, "PN", "TEST^RT"});
  header.study.patientAndStudy.push_back({0x0008, 0x0020, "DA", "20260120"});
  header.study.patientAndStudy.push_back({0x0020, 0x0010, "SH", "77"});
  header.softwareVersion = "test";
  return header;
}

} // namespace seedplan::imaging::rttest

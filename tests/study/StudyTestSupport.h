#pragma once
// Records made in code for the study tests: a record with patients and lesions, a follow-up whose
// every value follows from its date (so that a test can tell a whole entry from a partial one).

#include "../core/TempFolder.h"
#include "seedplan/study/IsoDate.h"
#include "seedplan/study/StudyRecord.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace seedplan::test {

inline study::StudyInfo TwoGroupStudy() {
  study::StudyInfo info;
  info.studyId = "HCC-PD1-I125";
  info.title = "PD-1 inhibitor with or without 125I seeds for extrahepatic HCC metastases";
  info.groups = {"PD1", "PD1_I125"};
  return info;
}

inline study::PatientRecord Patient(const std::string& id, const std::string& group,
                                    const std::string& startDate = "2022-01-10") {
  study::PatientRecord patient;
  patient.patientId = id;
  patient.group = group;
  patient.startDate = startDate;
  return patient;
}

inline study::LesionRecord Lesion(const std::string& patientId, const std::string& lesionId,
                                  const std::string& site, bool isIndex) {
  study::LesionRecord lesion;
  lesion.patientId = patientId;
  lesion.lesionId = lesionId;
  lesion.site = site;
  lesion.isIndex = isIndex;
  return lesion;
}

/// A follow-up of `patientId` whose values are all functions of `date`: VAS, labs and two lesion
/// responses (L1, L2). WholeFollowUp checks a stored one against the same functions.
inline study::FollowUpRecord DeterministicFollowUp(const std::string& patientId,
                                                   const study::IsoDate& date) {
  const auto day = date.DayNumber();
  study::FollowUpRecord followUp;
  followUp.patientId = patientId;
  followUp.date = date.ToString();
  followUp.vas = static_cast<double>(day % 11);
  followUp.response = std::string("CRPRSDPD").substr(static_cast<std::size_t>(day % 4) * 2, 2);
  followUp.wbc = 3.0 + static_cast<double>(day % 7) * 0.5;
  followUp.neutrophils = 1.0 + static_cast<double>(day % 5) * 0.25;
  followUp.platelets = 100.0 + static_cast<double>(day % 50);
  followUp.haemoglobin = 100.0 + static_cast<double>(day % 40);
  followUp.alt = 20.0 + static_cast<double>(day % 30);
  followUp.ast = 25.0 + static_cast<double>(day % 30);
  followUp.bilirubin = 10.0 + static_cast<double>(day % 20);
  followUp.albumin = 30.0 + static_cast<double>(day % 10);
  followUp.creatinine = 60.0 + static_cast<double>(day % 40);
  followUp.lesionResponses = {{"L1", followUp.response.value()}, {"L2", "SD"}};
  return followUp;
}

/// True if `stored` has every value DeterministicFollowUp gives its date.
inline bool WholeFollowUp(const study::FollowUpRecord& stored) {
  const auto expected =
      DeterministicFollowUp(stored.patientId, study::IsoDate::Parse(stored.date, "date"));
  bool same = stored.vas == expected.vas && stored.response == expected.response &&
              stored.wbc == expected.wbc && stored.neutrophils == expected.neutrophils &&
              stored.platelets == expected.platelets &&
              stored.haemoglobin == expected.haemoglobin && stored.alt == expected.alt &&
              stored.ast == expected.ast && stored.bilirubin == expected.bilirubin &&
              stored.albumin == expected.albumin && stored.creatinine == expected.creatinine &&
              stored.lesionResponses.size() == 2;
  if (same) {
    same = stored.lesionResponses[0].lesionId == "L1" &&
           stored.lesionResponses[0].response == expected.response &&
           stored.lesionResponses[1].lesionId == "L2" && stored.lesionResponses[1].response == "SD";
  }
  return same;
}

/// A record with patients P01..Pnn (alternating groups, start 2000-01-01), each with lesions L1
/// (index, lung) and L2 (bone).
inline void MakeRecordWithPatients(const std::filesystem::path& file, int patients) {
  study::StudyRecord::Create(file, TwoGroupStudy(), "tester");
  auto record = study::StudyRecord::Open(file, "tester", "test setup");
  auto transaction = record.BeginCommand();
  for (int i = 1; i <= patients; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "P%02d", i);
    record.AddPatient(Patient(id, i % 2 ? "PD1_I125" : "PD1", "2000-01-01"));
    record.AddLesion(Lesion(id, "L1", "lung", true));
    record.AddLesion(Lesion(id, "L2", "bone", false));
  }
  transaction->Commit();
}

inline std::string ReadText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

/// Expects `call` to throw `Exception` whose message contains every fragment.
template <class Exception, class Call>
void ExpectError(Call&& call, const std::vector<std::string>& fragments) {
  try {
    call();
    ADD_FAILURE() << "no exception; expected one containing " << fragments.front();
  } catch (const Exception& error) {
    const std::string message = error.what();
    for (const auto& fragment : fragments) {
      EXPECT_NE(message.find(fragment), std::string::npos)
          << "message: " << message << "\nexpected: " << fragment;
    }
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

} // namespace seedplan::test

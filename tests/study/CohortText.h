#pragma once
// Small cohorts for the tests: every required column, each patient given by the cells that
// matter to the test, the others filled with plausible values.

#include "seedplan/study/CohortTable.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace seedplan::test {

using Cells = std::map<std::string, std::string>;

/// Default cells of one patient (a censored PD1 patient with complete data).
inline Cells DefaultPatient(int number) {
  const std::string id = "P" + std::to_string(number);
  return {{"patient_id", id},
          {"group", "PD1"},
          {"age", "60"},
          {"sex", "M"},
          {"child_pugh", "A"},
          {"ecog", "1"},
          {"afp_ng_ml", "100"},
          {"lesion_site", "lung"},
          {"n_extrahepatic", "1"},
          {"pd1_agent", "sintilimab"},
          {"seed_activity_mci", ""},
          {"n_seeds", ""},
          {"prescribed_dose_gy", ""},
          {"d90_gy", ""},
          {"v100_pct", ""},
          {"best_response", "SD"},
          {"start_date", "2020-01-01"},
          {"pfs_date", "2020-07-01"},
          {"pfs_event", "0"},
          {"os_date", "2020-07-01"},
          {"os_event", "0"},
          {"lpfs_date", "2020-07-01"},
          {"lpfs_event", "0"},
          {"pfs_months", "6"},
          {"os_months", "6"},
          {"lpfs_months", "6"}};
}

/// CSV text of the patients: the required columns first, then any extra column a patient has.
inline std::string CohortCsv(const std::vector<Cells>& patients) {
  std::vector<std::string> header = study::CohortTable::RequiredColumns();
  for (const auto& patient : patients) {
    for (const auto& [column, value] : patient) {
      if (std::find(header.begin(), header.end(), column) == header.end()) {
        header.push_back(column);
      }
    }
  }
  std::string text;
  for (std::size_t j = 0; j < header.size(); ++j) {
    text += (j ? "," : "") + header[j];
  }
  text += "\n";
  for (const auto& patient : patients) {
    for (std::size_t j = 0; j < header.size(); ++j) {
      const auto cell = patient.find(header[j]);
      text += (j ? "," : "") + (cell == patient.end() ? std::string() : cell->second);
    }
    text += "\n";
  }
  return text;
}

} // namespace seedplan::test

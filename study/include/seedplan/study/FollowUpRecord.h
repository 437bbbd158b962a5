#pragma once

#include "seedplan/study/RecordFields.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::study {

/// A follow-up visit: its date, pain (VAS 0-10), the overall tumour response and the response of
/// each assessed lesion (RECIST 1.1 or mRECIST), and blood values. One per patient and date.
struct FollowUpRecord {
  struct LesionResponse {
    std::string lesionId;
    std::string response; ///< CR, PR, SD, PD
  };

  std::string patientId;
  std::string date;
  std::optional<double> vas;           ///< 0-10
  std::optional<std::string> response; ///< overall: CR, PR, SD, PD
  std::optional<std::string> criteria; ///< RECIST1.1 (default when a response is given), mRECIST
  std::optional<double> wbc;           ///< white blood cells (10^9/L)
  std::optional<double> neutrophils;   ///< (10^9/L)
  std::optional<double> platelets;     ///< (10^9/L)
  std::optional<double> haemoglobin;   ///< (g/L)
  std::optional<double> alt;           ///< alanine aminotransferase (U/L)
  std::optional<double> ast;           ///< aspartate aminotransferase (U/L)
  std::optional<double> bilirubin;     ///< total bilirubin (umol/L)
  std::optional<double> albumin;       ///< (g/L)
  std::optional<double> creatinine;    ///< (umol/L)
  std::vector<LesionResponse> lesionResponses;

  /// patient_id, date, vas, response, criteria, wbc_1e9_l, neutrophils_1e9_l, platelets_1e9_l,
  /// haemoglobin_g_l, alt_u_l, ast_u_l, bilirubin_umol_l, albumin_g_l, creatinine_umol_l (the
  /// lesion responses are stored beside, one row per lesion).
  static const RecordFields<FollowUpRecord>& Fields();
  /// "GTV_Lung:PR;GTV_Bone:SD": the lesion responses as one CSV cell (export and import).
  static std::string FormatLesionResponses(const std::vector<LesionResponse>& responses);
  /// Reads "LESION:RESPONSE" items separated by ';' (an empty text gives none); InvalidInput naming
  /// `context` for a malformed item, an unknown response or a lesion given twice.
  static std::vector<LesionResponse> ParseLesionResponses(const std::string& text,
                                                          const std::string& context);
};

} // namespace seedplan::study

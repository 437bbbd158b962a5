#include "seedplan/study/FollowUpRecord.h"

#include "SpecBuilders.h"
#include "seedplan/study/StudyVocabulary.h"

#include <set>

namespace seedplan::study {

const RecordFields<FollowUpRecord>& FollowUpRecord::Fields() {
  using R = FollowUpRecord;
  // The lab ranges are wide enough for any patient and narrow enough to catch the usual unit
  // slips: haemoglobin or albumin typed in g/dL (below 20 and 8), creatinine in mg/dL (below 10).
  static const RecordFields<R> fields({
      {spec::Id("patient_id", "Pseudonymous study patient id"), &R::patientId},
      {spec::Date("date", "Date of the follow-up visit", true), &R::date},
      {spec::Real("vas", "Pain, visual analogue scale", "0-10", 0, 10), &R::vas},
      {spec::Choice("response", "Overall tumour response", StudyVocabulary::Responses()),
       &R::response},
      {spec::Choice("criteria", "Response criteria", StudyVocabulary::ResponseCriteria()),
       &R::criteria},
      {spec::Real("wbc_1e9_l", "White blood cells", "10^9/L", 0, 500), &R::wbc},
      {spec::Real("neutrophils_1e9_l", "Neutrophils", "10^9/L", 0, 500), &R::neutrophils},
      {spec::Real("platelets_1e9_l", "Platelets", "10^9/L", 0, 5000), &R::platelets},
      {spec::Real("haemoglobin_g_l", "Haemoglobin", "g/L", 20, 250), &R::haemoglobin},
      {spec::Real("alt_u_l", "Alanine aminotransferase (ALT)", "U/L", 0, 20000), &R::alt},
      {spec::Real("ast_u_l", "Aspartate aminotransferase (AST)", "U/L", 0, 20000), &R::ast},
      {spec::Real("bilirubin_umol_l", "Total bilirubin", "umol/L", 0, 1500), &R::bilirubin},
      {spec::Real("albumin_g_l", "Albumin", "g/L", 8, 80), &R::albumin},
      {spec::Real("creatinine_umol_l", "Creatinine", "umol/L", 10, 3000), &R::creatinine},
  });
  return fields;
}

std::string FollowUpRecord::FormatLesionResponses(const std::vector<LesionResponse>& responses) {
  std::string text;
  for (const auto& item : responses) {
    text += (text.empty() ? "" : ";") + item.lesionId + ":" + item.response;
  }
  return text;
}

std::vector<FollowUpRecord::LesionResponse>
FollowUpRecord::ParseLesionResponses(const std::string& text, const std::string& context) {
  std::vector<LesionResponse> responses;
  if (text.empty() || FieldSpec::LooksMissing(text)) {
    return responses;
  }
  const FieldSpec lesion = spec::Id("lesion_id", "lesion");
  const FieldSpec response =
      spec::Choice("response", "response", StudyVocabulary::Responses(), true);
  std::set<std::string> seen;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(';', start), text.size());
    const std::string item = text.substr(start, end - start);
    const std::size_t colon = item.rfind(':');
    if (colon == std::string::npos) {
      throw InvalidInput(context + " item '" + item + "'; expected LESION:CR|PR|SD|PD");
    }
    LesionResponse parsed;
    parsed.lesionId =
        std::get<std::string>(lesion.Parse(item.substr(0, colon), context + " lesion"));
    parsed.response =
        std::get<std::string>(response.Parse(item.substr(colon + 1), context + " " + item));
    if (!seen.insert(parsed.lesionId).second) {
      throw InvalidInput(context + ": lesion " + parsed.lesionId +
                         " given twice; expected one response per lesion");
    }
    responses.push_back(parsed);
    start = end + 1;
  }
  return responses;
}

} // namespace seedplan::study

#pragma once

#include <string>
#include <vector>

namespace seedplan::study {

/// The closed vocabularies of the study record, in the spelling the record stores and exports
/// (and that the outcome analyses read): lesion sites, tumour responses, response criteria, event
/// types, adverse-event attributions and the patients' categorical fields.
class StudyVocabulary {
public:
  /// lung, bone, lymph_node, adrenal, peritoneum, liver, other.
  static const std::vector<std::string>& Sites();
  /// CR, PR, SD, PD (RECIST 1.1 / mRECIST).
  static const std::vector<std::string>& Responses();
  /// RECIST1.1, mRECIST.
  static const std::vector<std::string>& ResponseCriteria();
  /// progression, local-progression, death, last-contact.
  static const std::vector<std::string>& EventTypes();
  /// procedure, seeds, pd1, other.
  static const std::vector<std::string>& Attributions();

  /// Rank of a response, best first: CR 0, PR 1, SD 2, PD 3; -1 for anything else.
  static int ResponseRank(const std::string& response);
  /// The site for a planning site name ("lymph node" -> lymph_node, "Lung" -> lung); "other" when
  /// the name is none of the sites.
  static std::string SiteFromPlanning(const std::string& planningSite);
};

} // namespace seedplan::study

#include "seedplan/study/StudyVocabulary.h"

#include <algorithm>

namespace seedplan::study {

const std::vector<std::string>& StudyVocabulary::Sites() {
  static const std::vector<std::string> sites = {"lung",       "bone",  "lymph_node", "adrenal",
                                                 "peritoneum", "liver", "other"};
  return sites;
}

const std::vector<std::string>& StudyVocabulary::Responses() {
  static const std::vector<std::string> responses = {"CR", "PR", "SD", "PD"};
  return responses;
}

const std::vector<std::string>& StudyVocabulary::ResponseCriteria() {
  static const std::vector<std::string> criteria = {"RECIST1.1", "mRECIST"};
  return criteria;
}

const std::vector<std::string>& StudyVocabulary::EventTypes() {
  static const std::vector<std::string> types = {"progression", "local-progression", "death",
                                                 "last-contact"};
  return types;
}

const std::vector<std::string>& StudyVocabulary::Attributions() {
  static const std::vector<std::string> attributions = {"procedure", "seeds", "pd1", "other"};
  return attributions;
}

int StudyVocabulary::ResponseRank(const std::string& response) {
  const auto& all = Responses();
  const auto found = std::find(all.begin(), all.end(), response);
  return found == all.end() ? -1 : static_cast<int>(found - all.begin());
}

std::string StudyVocabulary::SiteFromPlanning(const std::string& planningSite) {
  std::string key;
  for (const char c : planningSite) {
    key.push_back(c == ' ' || c == '-'
                      ? '_'
                      : static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  const auto& sites = Sites();
  return std::find(sites.begin(), sites.end(), key) != sites.end() ? key : "other";
}

} // namespace seedplan::study

#include "seedplan/study/AnalysisResults.h"

namespace seedplan::study {

const ResultRow* AnalysisResults::Find(const std::string& endpoint, const std::string& analysis,
                                       const std::string& group, const std::string& term,
                                       const std::string& statistic) const {
  for (const auto& row : rows) {
    if (row.endpoint == endpoint && row.analysis == analysis && row.group == group &&
        row.term == term && row.statistic == statistic) {
      return &row;
    }
  }
  return nullptr;
}

} // namespace seedplan::study

#include "seedplan/study/OutcomeAnalysis.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/study/BinomialCi.h"
#include "seedplan/study/ContingencyTests.h"
#include "seedplan/study/CoxDesign.h"
#include "seedplan/study/LogRankTest.h"
#include "seedplan/study/NotAvailable.h"
#include "seedplan/study/WilcoxonSignedRank.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace seedplan::study {

namespace {

struct Endpoint {
  std::string name;
  std::string monthsColumn;
  std::string eventColumn;
  std::string dateColumn;
};

const std::vector<Endpoint> kEndpoints = {{"pfs", "pfs_months", "pfs_event", "pfs_date"},
                                          {"os", "os_months", "os_event", "os_date"},
                                          {"lpfs", "lpfs_months", "lpfs_event", "lpfs_date"}};

/// The patients of one endpoint with a time and an event status: cohort row, group index in the
/// analysis order, observation (times tie-merged as R does).
struct EndpointData {
  std::vector<std::size_t> rows;
  std::vector<int> group;
  std::vector<SurvivalObservation> observations;
  std::map<std::size_t, std::size_t> indexOfRow;
};

std::string TimeLabel(double months) {
  return FormatNumber(months, 10);
}

double Median(std::vector<double> values) {
  if (values.empty()) {
    return kNotAvailable;
  }
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

class Analysis {
public:
  Analysis(const CohortTable& cohort, const AnalysisOptions& options)
      : m_Cohort(cohort), m_Options(options) {}

  AnalysisResults Run() {
    Prepare();
    for (const auto& endpoint : kEndpoints) {
      AnalyseEndpoint(endpoint);
    }
    AnalyseResponse("orr", "best_response", {"CR", "PR"});
    AnalyseResponse("dcr", "best_response", {"CR", "PR", "SD"});
    if (m_Cohort.Column("local_response")) {
      AnalyseResponse("lcr", "local_response", {"CR", "PR", "SD"});
    }
    if (m_Cohort.Column("vas_baseline") && m_Cohort.Column("vas_followup")) {
      AnalyseVas();
    }
    return std::move(m_Results);
  }

private:
  void Add(const std::string& endpoint, const std::string& analysis, const std::string& group,
           const std::string& term, const std::string& statistic, double value,
           double lower = kNotAvailable, double upper = kNotAvailable) {
    m_Results.rows.push_back({endpoint, analysis, group, term, statistic, value, lower, upper});
  }

  void Warn(const std::string& message) { m_Results.warnings.push_back(message); }

  void Prepare() {
    const auto& groups = m_Cohort.Groups();
    std::string reference;
    if (m_Options.referenceGroup) {
      reference = *m_Options.referenceGroup;
      if (std::find(groups.begin(), groups.end(), reference) == groups.end()) {
        std::string names;
        for (const auto& group : groups) {
          names += (names.empty() ? "" : ", ") + group;
        }
        throw InvalidInput("--ref is '" + reference + "'; expected one of the groups of " +
                           m_Cohort.SourceName() + ": " + names);
      }
    } else {
      reference =
          std::find(groups.begin(), groups.end(), "PD1") != groups.end() ? "PD1" : groups.front();
    }
    m_Results.source = m_Cohort.SourceName();
    m_Results.patients = static_cast<int>(m_Cohort.PatientCount());
    m_Results.referenceGroup = reference;
    m_Results.groups.push_back(reference);
    for (const auto& group : groups) {
      if (group != reference) {
        m_Results.groups.push_back(group);
      }
    }
    for (const auto& group : m_Results.groups) {
      int count = 0;
      for (std::size_t row = 0; row < m_Cohort.PatientCount(); ++row) {
        count += m_Cohort.Group(row) == group ? 1 : 0;
      }
      m_Results.groupSizes.push_back(count);
    }
    std::set<double> seenTimes;
    for (double time : m_Options.timesMonths) {
      if (!std::isfinite(time) || time <= 0.0) {
        throw InvalidInput("--times holds " + FormatNumber(time) +
                           "; expected landmark times in months > 0");
      }
      if (!seenTimes.insert(time).second) {
        throw InvalidInput("--times holds " + FormatNumber(time) +
                           " twice; expected distinct landmark times");
      }
    }
    m_Results.timesMonths = m_Options.timesMonths;
    m_Results.confidenceType = m_Options.confidenceType;
    m_Results.tiesName = TiesMethodName(m_Options.ties);
    m_Results.timesFromDates = m_Options.timesFromDates;
    if (m_Results.groups.size() < 2) {
      Warn("only one group (" + reference +
           ") in the cohort: Kaplan-Meier curves are given; the log-rank test, the group Cox "
           "models and the between-group response tests are NA");
    }

    // The models' terms, checked against every row now, before any analysis runs.
    CovariateSpec group{"group", CovariateSpec::Kind::Factor, "", m_Results.groups};
    m_GroupTerms = {group};
    m_AdjustedTerms = {group,
                       {"child_pugh", CovariateSpec::Kind::Auto, "", {}},
                       {"ecog", CovariateSpec::Kind::Numeric, "", {}},
                       {"afp_ng_ml", CovariateSpec::Kind::Log10, "log10(afp)", {}}};
    for (const auto& extra : ParseCovariateList(m_Options.extraCovariates, m_Cohort)) {
      m_AdjustedTerms.push_back(extra);
    }
    m_D90Terms = {{"d90_gy", CovariateSpec::Kind::Numeric, "", {}}};
    std::vector<std::size_t> allRows(m_Cohort.PatientCount());
    for (std::size_t row = 0; row < allRows.size(); ++row) {
      allRows[row] = row;
    }
    const CoxDesign adjusted(m_Cohort, allRows, m_AdjustedTerms);
    const CoxDesign d90(m_Cohort, allRows, m_D90Terms);
    m_Results.adjustedTerms = adjusted.TermNames();
    (void)d90;
    for (const auto& column : adjusted.SingleLevelFactors()) {
      if (column != "group") {
        Warn("the adjusted Cox model leaves out " + column +
             ": it has a single value in the cohort");
      }
    }
  }

  EndpointData Collect(const Endpoint& endpoint) {
    EndpointData data;
    const std::size_t monthsColumn = m_Cohort.RequireColumn(endpoint.monthsColumn);
    const std::size_t eventColumn = m_Cohort.RequireColumn(endpoint.eventColumn);
    const std::size_t dateColumn = m_Cohort.RequireColumn(endpoint.dateColumn);
    const std::size_t startColumn = m_Cohort.RequireColumn("start_date");
    std::size_t leftOut = 0;
    for (std::size_t row = 0; row < m_Cohort.PatientCount(); ++row) {
      std::optional<double> months;
      if (m_Options.timesFromDates) {
        const auto start = m_Cohort.Date(row, startColumn);
        const auto end = m_Cohort.Date(row, dateColumn);
        if (start && end) {
          if (*end < *start) {
            throw DataFormat(m_Cohort.Where(row, dateColumn) + " is '" +
                             m_Cohort.Text(row, dateColumn) + "', before start_date '" +
                             m_Cohort.Text(row, startColumn) +
                             "'; expected a date on or after the start");
          }
          months = static_cast<double>(*end - *start) / OutcomeAnalysis::kDaysPerMonth;
        }
      } else {
        months = m_Cohort.Number(row, monthsColumn);
      }
      const std::string& event = m_Cohort.Text(row, eventColumn);
      if (!months || event.empty()) {
        ++leftOut;
        continue;
      }
      const auto group =
          std::find(m_Results.groups.begin(), m_Results.groups.end(), m_Cohort.Group(row)) -
          m_Results.groups.begin();
      data.indexOfRow[row] = data.rows.size();
      data.rows.push_back(row);
      data.group.push_back(static_cast<int>(group));
      data.observations.push_back({*months, event == "1"});
    }
    if (leftOut > 0) {
      Warn(endpoint.name + ": " + std::to_string(leftOut) + " patient(s) without " +
           (m_Options.timesFromDates ? "start_date, " + endpoint.dateColumn
                                     : endpoint.monthsColumn) +
           " or " + endpoint.eventColumn + " left out");
    }
    MergeNearlyTiedTimes(data.observations);
    return data;
  }

  void AnalyseEndpoint(const Endpoint& endpoint) {
    const EndpointData data = Collect(endpoint);
    const std::string& name = endpoint.name;
    EndpointCurves curves{name, {}};
    int groupsWithPatients = 0;
    std::vector<SurvivalObservation> reversedAll;
    for (std::size_t g = 0; g < m_Results.groups.size(); ++g) {
      const std::string& label = m_Results.groups[g];
      std::vector<SurvivalObservation> observations;
      std::vector<SurvivalObservation> reversed;
      for (std::size_t i = 0; i < data.observations.size(); ++i) {
        if (data.group[i] == static_cast<int>(g)) {
          observations.push_back(data.observations[i]);
          reversed.push_back({data.observations[i].time, !data.observations[i].event});
          reversedAll.push_back(reversed.back());
        }
      }
      groupsWithPatients += observations.empty() ? 0 : 1;
      const KaplanMeier logBand(observations, ConfidenceType::Log);
      const KaplanMeier logLogBand(observations, ConfidenceType::LogLog);
      Add(name, "km", label, "", "n", logBand.Count());
      Add(name, "km", label, "", "events", logBand.Events());
      for (const KaplanMeier* curve : {&logBand, &logLogBand}) {
        const std::string analysis = curve == &logBand ? "km" : "km_loglog";
        const auto median = curve->Median();
        Add(name, analysis, label, "", "median", median.value, median.lower, median.upper);
        for (double time : m_Options.timesMonths) {
          const auto at = curve->At(time);
          Add(name, analysis, label, "", "surv_" + TimeLabel(time), at.survival, at.lower,
              at.upper);
        }
      }
      for (double time : m_Options.timesMonths) {
        const auto at = logBand.At(time);
        Add(name, "km", label, "", "n_risk_" + TimeLabel(time),
            observations.empty() ? 0 : at.nRisk);
      }
      const auto followUp = KaplanMeier(reversed, ConfidenceType::Log).Median();
      Add(name, "km", label, "", "median_followup", followUp.value, followUp.lower, followUp.upper);
      curves.groups.push_back(
          {label, m_Options.confidenceType == ConfidenceType::Log ? logBand : logLogBand});
    }
    const auto followUpAll = KaplanMeier(reversedAll, ConfidenceType::Log).Median();
    Add(name, "km", "", "", "median_followup", followUpAll.value, followUpAll.lower,
        followUpAll.upper);
    m_Results.curves.push_back(std::move(curves));

    const bool compareGroups = groupsWithPatients >= 2;
    if (compareGroups) {
      const auto logRank = LogRankTest::Compute(data.observations, data.group,
                                                static_cast<int>(m_Results.groups.size()));
      Add(name, "logrank", "", "", "chisq", logRank.chiSquare);
      Add(name, "logrank", "", "", "df", logRank.degreesOfFreedom);
      Add(name, "logrank", "", "", "p", logRank.p);
    } else {
      if (m_Results.groups.size() >= 2) {
        Warn(name + ": patients of one group only: the log-rank test and the group Cox models "
                    "are NA");
      }
      Add(name, "logrank", "", "", "chisq", kNotAvailable);
      Add(name, "logrank", "", "", "df", kNotAvailable);
      Add(name, "logrank", "", "", "p", kNotAvailable);
    }
    const std::string tiesSuffix = std::string("_").append(TiesMethodName(m_Options.ties));
    AddCox(name, "cox_efron", data, m_GroupTerms, TiesMethod::Efron, compareGroups);
    AddCox(name, "cox_breslow", data, m_GroupTerms, TiesMethod::Breslow, compareGroups);
    AddCox(name, "cox_adjusted" + tiesSuffix, data, m_AdjustedTerms, m_Options.ties, compareGroups);
    AddCox(name, "cox_d90" + tiesSuffix, data, m_D90Terms, m_Options.ties, true);
  }

  void AddCox(const std::string& endpoint, const std::string& analysis, const EndpointData& data,
              const std::vector<CovariateSpec>& terms, TiesMethod ties, bool fit) {
    const CoxDesign design(m_Cohort, data.rows, terms);
    std::vector<SurvivalObservation> observations;
    std::set<std::string> groupsInModel;
    for (std::size_t row : design.Rows()) {
      observations.push_back(data.observations[data.indexOfRow.at(row)]);
      groupsInModel.insert(m_Cohort.Group(row));
    }
    const bool isD90 = terms.front().column == "d90_gy";
    const std::string group =
        isD90 && groupsInModel.size() == 1 ? *groupsInModel.begin() : std::string();
    CoxFit result;
    const bool nobody = fit && observations.empty();
    if (nobody) {
      Warn(endpoint + " " + analysis + ": no patient has " +
           (isD90 ? std::string("a d90_gy value") : std::string("every covariate")) +
           "; the model's rows are NA");
    }
    if (!fit || nobody || design.TermNames().empty()) {
      result.n = static_cast<int>(observations.size());
      for (const auto& observation : observations) {
        result.events += observation.event ? 1 : 0;
      }
      for (const auto& termName : design.TermNames()) {
        result.terms.push_back({termName, kNotAvailable, kNotAvailable, kNotAvailable,
                                kNotAvailable, kNotAvailable, kNotAvailable, kNotAvailable});
      }
      result.estimable = false;
      result.logLikelihood = result.logLikelihoodNull = kNotAvailable;
      result.waldChiSquare = result.pWald = kNotAvailable;
      result.likelihoodRatioChiSquare = result.pLikelihoodRatio = kNotAvailable;
      result.scoreChiSquare = result.pScore = kNotAvailable;
      result.degreesOfFreedom = 0;
    } else {
      if (design.LeftOut() > 0 && !isD90) {
        Warn(endpoint + " " + analysis + ": " + std::to_string(design.LeftOut()) +
             " patient(s) with a missing covariate left out");
      }
      result = CoxModel::Fit(observations, design.Matrix(), design.TermNames(), ties);
      if (!result.estimable) {
        Warn(endpoint + " " + analysis + ": not estimable, " + result.problem +
             "; the model's rows are NA");
      } else {
        for (const auto& term : result.terms) {
          if (term.aliased) {
            Warn(endpoint + " " + analysis + ": term " + term.name +
                 " is constant or aliased with the others; its rows are NA");
          }
        }
      }
    }
    for (const auto& term : result.terms) {
      Add(endpoint, analysis, group, term.name, "coef", term.coefficient);
      Add(endpoint, analysis, group, term.name, "se", term.standardError);
      Add(endpoint, analysis, group, term.name, "hr", term.hazardRatio, term.lower, term.upper);
      Add(endpoint, analysis, group, term.name, "p_wald", term.pWald);
    }
    Add(endpoint, analysis, group, "", "n", result.n);
    Add(endpoint, analysis, group, "", "events", result.events);
    const bool estimable = result.estimable;
    Add(endpoint, analysis, group, "", "df", estimable ? result.degreesOfFreedom : kNotAvailable);
    Add(endpoint, analysis, group, "", "chisq_wald", result.waldChiSquare);
    Add(endpoint, analysis, group, "", "p_wald", result.pWald);
    Add(endpoint, analysis, group, "", "chisq_lr", result.likelihoodRatioChiSquare);
    Add(endpoint, analysis, group, "", "p_lr", result.pLikelihoodRatio);
    Add(endpoint, analysis, group, "", "chisq_score", result.scoreChiSquare);
    Add(endpoint, analysis, group, "", "p_score", result.pScore);
  }

  void AnalyseResponse(const std::string& analysis, const std::string& columnName,
                       const std::set<std::string>& success) {
    const std::size_t column = m_Cohort.RequireColumn(columnName);
    CountTable table;
    std::size_t notEvaluable = 0;
    for (const auto& label : m_Results.groups) {
      int n = 0;
      int count = 0;
      for (std::size_t row = 0; row < m_Cohort.PatientCount(); ++row) {
        if (m_Cohort.Group(row) != label) {
          continue;
        }
        const std::string& response = m_Cohort.Text(row, column);
        if (response.empty() || response == "NE") {
          ++notEvaluable;
          continue;
        }
        ++n;
        count += success.count(response) > 0 ? 1 : 0;
      }
      const auto proportion = BinomialCi::ClopperPearson(count, n);
      Add("response", analysis, label, "", "n", n);
      Add("response", analysis, label, "", "count", count);
      Add("response", analysis, label, "", "pct", 100.0 * proportion.estimate,
          100.0 * proportion.lower, 100.0 * proportion.upper);
      if (n > 0) {
        table.push_back({count, n - count});
      }
    }
    if (notEvaluable > 0 && analysis != "dcr") {
      Warn(analysis + ": " + std::to_string(notEvaluable) + " patient(s) with " + columnName +
           " missing or NE left out of the denominators");
    }
    ChiSquareResult plain{kNotAvailable, 0, kNotAvailable, kNotAvailable};
    ChiSquareResult corrected = plain;
    double fisher = kNotAvailable;
    if (table.size() >= 2) {
      plain = ContingencyTests::PearsonChiSquare(table, false);
      corrected = ContingencyTests::PearsonChiSquare(table, true);
      fisher = ContingencyTests::FisherExactP(table);
      if (!IsNotAvailable(plain.smallestExpected) && plain.smallestExpected < 5.0) {
        Warn(analysis + ": an expected count is below 5 (" +
             FormatNumber(plain.smallestExpected, 3) +
             "): the chi-square p-values are approximate, prefer Fisher's exact test");
      }
      if (IsNotAvailable(fisher)) {
        Warn(analysis + ": Fisher's exact test is NA (table too large to enumerate)");
      }
    } else if (m_Results.groups.size() >= 2) {
      Warn(analysis + ": fewer than two groups with evaluable patients; the between-group tests "
                      "are NA");
    }
    Add("response", analysis, "", "", "chisq", plain.statistic);
    Add("response", analysis, "", "", "p_chisq", plain.p);
    Add("response", analysis, "", "", "chisq_yates", corrected.statistic);
    Add("response", analysis, "", "", "p_chisq_yates", corrected.p);
    Add("response", analysis, "", "", "p_fisher", fisher);
  }

  void AnalyseVas() {
    const std::size_t baselineColumn = m_Cohort.RequireColumn("vas_baseline");
    const std::size_t followUpColumn = m_Cohort.RequireColumn("vas_followup");
    std::size_t incomplete = 0;
    for (const auto& label : m_Results.groups) {
      std::vector<double> baseline;
      std::vector<double> followUp;
      std::vector<double> change;
      for (std::size_t row = 0; row < m_Cohort.PatientCount(); ++row) {
        if (m_Cohort.Group(row) != label) {
          continue;
        }
        const auto before = m_Cohort.Number(row, baselineColumn);
        const auto after = m_Cohort.Number(row, followUpColumn);
        if (!before || !after) {
          ++incomplete;
          continue;
        }
        baseline.push_back(*before);
        followUp.push_back(*after);
        change.push_back(*after - *before);
      }
      const auto test = WilcoxonSignedRank::Test(followUp, baseline);
      Add("response", "vas", label, "", "n", test.pairs);
      Add("response", "vas", label, "", "median_baseline", Median(baseline));
      Add("response", "vas", label, "", "median_followup", Median(followUp));
      Add("response", "vas", label, "", "median_change", Median(change));
      Add("response", "vas", label, "", "v", test.statistic);
      Add("response", "vas", label, "", "p", test.p);
      Add("response", "vas", label, "", "exact", test.exact ? 1.0 : 0.0);
      if (test.pairs > 0 && IsNotAvailable(test.p)) {
        Warn("vas: group " + label + ": every follow-up score equals its baseline; the test is NA");
      }
    }
    if (incomplete > 0) {
      Warn("vas: " + std::to_string(incomplete) +
           " patient(s) without both vas_baseline and vas_followup left out");
    }
  }

  const CohortTable& m_Cohort;
  const AnalysisOptions& m_Options;
  AnalysisResults m_Results;
  std::vector<CovariateSpec> m_GroupTerms;
  std::vector<CovariateSpec> m_AdjustedTerms;
  std::vector<CovariateSpec> m_D90Terms;
};

} // namespace

AnalysisResults OutcomeAnalysis::Run(const CohortTable& cohort, const AnalysisOptions& options) {
  return Analysis(cohort, options).Run();
}

} // namespace seedplan::study

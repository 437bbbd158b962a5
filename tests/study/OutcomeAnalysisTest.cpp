#include "CohortText.h"
#include "PublishedSurvivalData.h"
#include "Tolerances.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"
#include "seedplan/study/OutcomeAnalysis.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace seedplan::test {
namespace {

using study::AnalysisOptions;
using study::CohortTable;
using study::IsNotAvailable;
using study::OutcomeAnalysis;

CohortTable Parse(const std::vector<Cells>& patients) {
  return CohortTable::FromCsv(CsvTable::Parse(CohortCsv(patients), "cohort.csv"));
}

/// Freireich et al. (1963) as a cohort: 6-MP as "PD1_I125", placebo as "PD1", remission weeks
/// in every *_months column.
std::vector<Cells> FreireichCohort() {
  std::vector<Cells> patients;
  int number = 0;
  auto add = [&](const std::string& group, double weeks, int event) {
    Cells cells = DefaultPatient(++number);
    cells["group"] = group;
    for (const std::string endpoint : {"pfs", "os", "lpfs"}) {
      cells[endpoint + "_months"] = std::to_string(weeks);
      cells[endpoint + "_event"] = std::to_string(event);
    }
    cells["d90_gy"] = group == "PD1_I125" ? std::to_string(100 + number) : "";
    patients.push_back(cells);
  };
  for (std::size_t i = 0; i < kFreireich6mpWeeks.size(); ++i) {
    add("PD1_I125", kFreireich6mpWeeks[i], kFreireich6mpRelapse[i]);
  }
  for (double week : kFreireichPlaceboWeeks) {
    add("PD1", week, 1);
  }
  return patients;
}

double Value(const study::AnalysisResults& results, const std::string& endpoint,
             const std::string& analysis, const std::string& group, const std::string& term,
             const std::string& statistic) {
  const auto* row = results.Find(endpoint, analysis, group, term, statistic);
  EXPECT_NE(row, nullptr) << endpoint << " " << analysis << " " << group << " " << term << " "
                          << statistic;
  return row ? row->value : study::kNotAvailable;
}

TEST(OutcomeAnalysis, FreireichThroughTheCohortGivesThePublishedLogRankAndHazardRatios) {
  // Log-rank 16.79 (Kleinbaum & Klein 2012); HR 6-MP vs placebo = 1/4.817 (Efron, Venables &
  // Ripley 2002) and 1/4.523 (Breslow, Kleinbaum & Klein 2012), here with PD1 (placebo) as the
  // reference, so the seed group's HR is their inverse.
  const auto results = OutcomeAnalysis::Run(Parse(FreireichCohort()), AnalysisOptions{});
  EXPECT_EQ(results.referenceGroup, "PD1");
  EXPECT_LT(RelativeDifference(Value(results, "os", "logrank", "", "", "chisq"), 16.79),
            kFourDigits);
  EXPECT_LT(
      RelativeDifference(Value(results, "os", "cox_efron", "", "groupPD1_I125", "hr"), 1.0 / 4.817),
      kFourDigits);
  EXPECT_LT(RelativeDifference(Value(results, "os", "cox_breslow", "", "groupPD1_I125", "hr"),
                               1.0 / 4.523),
            kFourDigits);
  EXPECT_EQ(Value(results, "os", "km", "PD1_I125", "", "median"), 23.0);
  EXPECT_EQ(Value(results, "os", "km", "PD1", "", "events"), 21.0);
}

TEST(OutcomeAnalysis, DemoCohortGivesEveryAnalysisOfTheIssueWithoutWarnings) {
  const auto cohort = CohortTable::Read(std::filesystem::path(SEEDPLAN_SAMPLE_DATA_DIR) / "cohort" /
                                        "patients.csv");
  const auto results = OutcomeAnalysis::Run(cohort, AnalysisOptions{});
  EXPECT_TRUE(results.warnings.empty()) << results.warnings.front();
  EXPECT_EQ(results.patients, 80);
  ASSERT_EQ(results.groups.size(), 2u);
  EXPECT_EQ(results.groups[0], "PD1");
  EXPECT_EQ(results.groupSizes[1], 40);
  for (const std::string endpoint : {"pfs", "os", "lpfs"}) {
    for (const std::string group : {"PD1", "PD1_I125"}) {
      for (const std::string statistic : {"n", "events", "median", "surv_6", "surv_12", "surv_24",
                                          "n_risk_6", "median_followup"}) {
        EXPECT_NE(results.Find(endpoint, "km", group, "", statistic), nullptr)
            << endpoint << group << statistic;
      }
      EXPECT_NE(results.Find(endpoint, "km_loglog", group, "", "median"), nullptr);
    }
    EXPECT_FALSE(IsNotAvailable(Value(results, endpoint, "logrank", "", "", "p")));
    for (const std::string model : {"cox_efron", "cox_breslow", "cox_adjusted_efron"}) {
      EXPECT_FALSE(IsNotAvailable(Value(results, endpoint, model, "", "groupPD1_I125", "hr")));
      EXPECT_FALSE(IsNotAvailable(Value(results, endpoint, model, "", "", "p_score")));
    }
    for (const std::string term : {"child_pughB", "ecog", "log10(afp)"}) {
      EXPECT_FALSE(
          IsNotAvailable(Value(results, endpoint, "cox_adjusted_efron", "", term, "coef")));
    }
    EXPECT_FALSE(
        IsNotAvailable(Value(results, endpoint, "cox_d90_efron", "PD1_I125", "d90_gy", "hr")));
    EXPECT_EQ(Value(results, endpoint, "cox_d90_efron", "PD1_I125", "", "n"), 40.0);
  }
  for (const std::string analysis : {"orr", "dcr", "lcr"}) {
    EXPECT_FALSE(IsNotAvailable(Value(results, "response", analysis, "PD1", "", "pct")));
    for (const std::string statistic :
         {"chisq", "p_chisq", "chisq_yates", "p_chisq_yates", "p_fisher"}) {
      EXPECT_FALSE(IsNotAvailable(Value(results, "response", analysis, "", "", statistic)));
    }
  }
  EXPECT_FALSE(IsNotAvailable(Value(results, "response", "vas", "PD1_I125", "", "p")));
  ASSERT_EQ(results.curves.size(), 3u);
  EXPECT_EQ(results.curves[0].groups[1].curve.Count(), 40);
}

TEST(OutcomeAnalysis, OneGroupOnlyWarnsAndGivesNotAvailableBetweenGroupRows) {
  std::vector<Cells> patients;
  for (int i = 1; i <= 6; ++i) {
    Cells cells = DefaultPatient(i);
    cells["os_event"] = std::string(i % 2 == 0 ? "1" : "0");
    cells["os_months"] = std::to_string(i);
    patients.push_back(cells);
  }
  const auto results = OutcomeAnalysis::Run(Parse(patients), AnalysisOptions{});
  ASSERT_FALSE(results.warnings.empty());
  EXPECT_NE(results.warnings.front().find("only one group"), std::string::npos);
  EXPECT_FALSE(IsNotAvailable(Value(results, "os", "km", "PD1", "", "median")));
  EXPECT_TRUE(IsNotAvailable(Value(results, "os", "logrank", "", "", "chisq")));
  EXPECT_TRUE(IsNotAvailable(Value(results, "os", "cox_efron", "", "", "p_lr")));
  EXPECT_TRUE(IsNotAvailable(Value(results, "response", "orr", "", "", "p_fisher")));
  // Nobody has a D90: that model is NA with its own warning.
  EXPECT_TRUE(IsNotAvailable(Value(results, "os", "cox_d90_efron", "", "d90_gy", "hr")));
  bool warned = false;
  for (const auto& warning : results.warnings) {
    warned |= warning == "os cox_d90_efron: no patient has a d90_gy value; the model's rows are NA";
  }
  EXPECT_TRUE(warned);
}

TEST(OutcomeAnalysis, GroupWithoutEventsGivesNotAvailableCoxRowsAndAWarning) {
  std::vector<Cells> patients;
  for (int i = 1; i <= 16; ++i) {
    Cells cells = DefaultPatient(i);
    cells["group"] = std::string(i <= 8 ? "PD1" : "PD1_I125");
    cells["os_months"] = std::to_string(i);
    cells["os_event"] = std::string(i <= 8 ? "1" : "0");
    patients.push_back(cells);
  }
  const auto results = OutcomeAnalysis::Run(Parse(patients), AnalysisOptions{});
  EXPECT_TRUE(IsNotAvailable(Value(results, "os", "cox_efron", "", "groupPD1_I125", "hr")));
  EXPECT_FALSE(IsNotAvailable(Value(results, "os", "logrank", "", "", "p")));
  bool warned = false;
  for (const auto& warning : results.warnings) {
    warned |= warning.find("os cox_efron: not estimable, monotone likelihood") != std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST(OutcomeAnalysis, UnknownCovariateOrReferenceIsRefused) {
  const auto cohort = Parse(FreireichCohort());
  AnalysisOptions options;
  options.extraCovariates = "age,tumour_size";
  try {
    OutcomeAnalysis::Run(cohort, options);
    FAIL();
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what())
                  .find("--covariates: 'tumour_size' is not a column of "
                        "cohort.csv"),
              std::string::npos)
        << error.what();
  }
  AnalysisOptions reference;
  reference.referenceGroup = "placebo";
  EXPECT_THROW(OutcomeAnalysis::Run(cohort, reference), InvalidInput);
}

TEST(OutcomeAnalysis, SingleValuedFactorIsLeftOutOfTheAdjustedModelWithAWarning) {
  // Every Freireich patient is Child-Pugh A: R's model.matrix would refuse the factor.
  const auto results = OutcomeAnalysis::Run(Parse(FreireichCohort()), AnalysisOptions{});
  const std::vector<std::string> expected = {"groupPD1_I125", "ecog", "log10(afp)"};
  EXPECT_EQ(results.adjustedTerms, expected);
  ASSERT_FALSE(results.warnings.empty());
  EXPECT_NE(results.warnings.front().find("leaves out child_pugh"), std::string::npos);
}

TEST(OutcomeAnalysis, CovariatesAddFactorAndLogTermsNamedAsR) {
  auto patients = FreireichCohort();
  for (std::size_t i = 0; i < patients.size(); ++i) {
    patients[i]["sex"] = std::string(i % 3 == 0 ? "F" : "M");
    patients[i]["child_pugh"] = std::string(i % 4 == 0 ? "B" : "A");
  }
  AnalysisOptions options;
  options.extraCovariates = "sex, log10(age)";
  const auto results = OutcomeAnalysis::Run(Parse(patients), options);
  const std::vector<std::string> expected = {"groupPD1_I125", "child_pughB", "ecog",
                                             "log10(afp)",    "sexM",        "log10(age)"};
  EXPECT_EQ(results.adjustedTerms, expected);
  EXPECT_NE(results.Find("pfs", "cox_adjusted_efron", "", "sexM", "hr"), nullptr);
}

TEST(OutcomeAnalysis, NonNumericEcogOrNonPositiveAfpIsRefusedWithRowAndColumn) {
  auto patients = FreireichCohort();
  patients[3]["ecog"] = "ECOG 1";
  try {
    OutcomeAnalysis::Run(Parse(patients), AnalysisOptions{});
    FAIL();
  } catch (const DataFormat& error) {
    EXPECT_NE(std::string(error.what())
                  .find("cohort.csv: line 5 (patient P4), column ecog is "
                        "'ECOG 1'; expected a number"),
              std::string::npos)
        << error.what();
  }
  patients = FreireichCohort();
  patients[0]["afp_ng_ml"] = "0";
  EXPECT_THROW(OutcomeAnalysis::Run(Parse(patients), AnalysisOptions{}), DataFormat);
}

TEST(OutcomeAnalysis, FromDatesRecomputesMonthsAndRefusesAnEventBeforeTheStart) {
  auto patients = FreireichCohort();
  for (auto& cells : patients) {
    cells["os_date"] = "2020-07-01"; // 182 days after 2020-01-01
  }
  AnalysisOptions options;
  options.timesFromDates = true;
  const auto results = OutcomeAnalysis::Run(Parse(patients), options);
  EXPECT_DOUBLE_EQ(Value(results, "os", "km", "PD1", "", "median"), 182.0 / 30.4375);
  patients[2]["os_date"] = "2019-12-31";
  try {
    OutcomeAnalysis::Run(Parse(patients), options);
    FAIL();
  } catch (const DataFormat& error) {
    EXPECT_NE(std::string(error.what()).find("column os_date is '2019-12-31', before start_date"),
              std::string::npos)
        << error.what();
  }
}

TEST(OutcomeAnalysis, PatientsWithoutTimeAreLeftOutWithAWarning) {
  auto patients = FreireichCohort();
  patients[0]["pfs_months"] = "";
  patients[1]["pfs_event"] = "NA";
  const auto results = OutcomeAnalysis::Run(Parse(patients), AnalysisOptions{});
  EXPECT_EQ(Value(results, "pfs", "km", "PD1_I125", "", "n"), 19.0);
  EXPECT_EQ(Value(results, "os", "km", "PD1_I125", "", "n"), 21.0);
  bool warned = false;
  for (const auto& warning : results.warnings) {
    warned |= warning.find("pfs: 2 patient(s) without pfs_months or pfs_event left out") !=
              std::string::npos;
  }
  EXPECT_TRUE(warned);
}

TEST(OutcomeAnalysis, LandmarkTimesMustBePositiveAndDistinct) {
  const auto cohort = Parse(FreireichCohort());
  AnalysisOptions options;
  options.timesMonths = {6, 0};
  EXPECT_THROW(OutcomeAnalysis::Run(cohort, options), InvalidInput);
  options.timesMonths = {6, 6};
  EXPECT_THROW(OutcomeAnalysis::Run(cohort, options), InvalidInput);
}

} // namespace
} // namespace seedplan::test

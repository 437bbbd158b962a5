// Speed of the outcome analyses (issue 8: 10 000 patients, all analyses <= 2 s). The case: a
// synthetic two-arm cohort of N patients (half PD1, half PD1_I125) with every cohort column,
// exponential times in whole days (so ties as in real data), about 25 % censoring, child_pugh
// A/B/C, ecog 0-2, lognormal AFP, D90 in the seed arm, best and local response, VAS. Timed:
// reading the CSV, every analysis (KM with both bands, median follow-up, log-rank, the four Cox
// models of each endpoint, ORR/DCR/LCR with chi-square and Fisher, VAS Wilcoxon) and writing the
// output folder. Run:
//   build/bench/seedplan_bench_study

#include "seedplan/study/AnalysisOutput.h"
#include "seedplan/study/CohortTable.h"
#include "seedplan/study/CoxModel.h"
#include "seedplan/study/KaplanMeier.h"
#include "seedplan/study/OutcomeAnalysis.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <unistd.h>

namespace {

using namespace seedplan;

std::string Fixed(double value, int decimals) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string CohortCsv(int patients) {
  std::mt19937_64 random(20240517);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::normal_distribution<double> normal(0.0, 1.0);
  const char* responses[] = {"CR", "PR", "SD", "PD"};
  std::string text;
  for (std::size_t j = 0; j < study::CohortTable::RequiredColumns().size(); ++j) {
    text += (j ? "," : "") + study::CohortTable::RequiredColumns()[j];
  }
  text += ",local_response,vas_baseline,vas_followup\n";
  for (int i = 0; i < patients; ++i) {
    const bool seeds = i % 2 == 1;
    const char* childPugh = uniform(random) < 0.7 ? "A" : (uniform(random) < 0.9 ? "B" : "C");
    const int ecog = static_cast<int>(uniform(random) * 3);
    const double rate = (seeds ? 0.06 : 0.1) * (childPugh[0] == 'A' ? 1.0 : 1.4) * (1 + 0.2 * ecog);
    auto days = [&](double scale) {
      return std::max(1.0, std::round(-std::log(1.0 - uniform(random)) / (rate * scale) * 30.4375));
    };
    const double pfs = days(1.0);
    const double lpfs = std::max(pfs, days(0.7));
    const double os = std::max(lpfs, days(0.5));
    const std::string d90 = seeds ? Fixed(120 + 15 * normal(random), 1) : "";
    const int baseline = 3 + static_cast<int>(uniform(random) * 6);
    const bool censored = uniform(random) < 0.25;
    const char* event = censored ? "0" : "1";
    std::ostringstream row;
    row << 'P' << i + 1 << ',' << (seeds ? "PD1_I125" : "PD1") << ",60,M," << childPugh << ','
        << ecog << ',' << Fixed(std::exp(std::log(150.0) + 2.0 * normal(random)), 1)
        << ",lung,1,sintilimab," << (seeds ? "0.6,30,120," : ",,,") << d90 << ','
        << (seeds ? "93.0" : "") << ',' << responses[static_cast<int>(uniform(random) * 4)]
        << ",2020-01-01,2020-06-01," << event << ",2020-06-01," << event << ",2020-06-01," << event
        << ',' << Fixed(pfs / 30.4375, 6) << ',' << Fixed(os / 30.4375, 6) << ','
        << Fixed(lpfs / 30.4375, 6) << ',' << responses[static_cast<int>(uniform(random) * 4)]
        << ',' << baseline << ',' << std::max(0, baseline - static_cast<int>(uniform(random) * 4))
        << '\n';
    text += row.str();
  }
  return text;
}

/// The whole `seedplan study analyze`: read, analyse, write.
void BM_AnalyzeCohort(benchmark::State& state) {
  const auto folder = std::filesystem::temp_directory_path() /
                      ("seedplan-bench-study-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const auto cohortPath = folder / "cohort.csv";
  std::ofstream(cohortPath) << CohortCsv(static_cast<int>(state.range(0)));
  std::size_t rows = 0;
  for (auto _ : state) {
    const auto cohort = study::CohortTable::Read(cohortPath);
    const auto results = study::OutcomeAnalysis::Run(cohort, study::AnalysisOptions{});
    std::filesystem::remove_all(folder / "out");
    study::AnalysisOutput::Write(results, folder / "out");
    rows = results.rows.size();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["result_rows"] = static_cast<double>(rows);
  std::filesystem::remove_all(folder);
}
BENCHMARK(BM_AnalyzeCohort)->Arg(80)->Arg(10000)->Unit(benchmark::kMillisecond);

/// One Cox fit of group + three covariates (the adjusted model) on N patients.
void BM_CoxAdjustedEfron(benchmark::State& state) {
  const auto n = static_cast<Eigen::Index>(state.range(0));
  std::mt19937_64 random(7);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<study::SurvivalObservation> observations;
  Eigen::MatrixXd x(n, 4);
  for (Eigen::Index i = 0; i < n; ++i) {
    x(i, 0) = i % 2;
    x(i, 1) = uniform(random) < 0.3 ? 1 : 0;
    x(i, 2) = std::floor(uniform(random) * 3);
    x(i, 3) = 1 + 3 * uniform(random);
    const double rate = 0.1 * std::exp(-0.5 * x(i, 0) + 0.3 * x(i, 1) + 0.2 * x(i, 2));
    observations.push_back({std::round(-std::log(1 - uniform(random)) / rate * 30.4375) / 30.4375,
                            uniform(random) < 0.75});
  }
  for (auto _ : state) {
    benchmark::DoNotOptimize(study::CoxModel::Fit(observations, x, {"g", "cp", "ecog", "afp"},
                                                  study::TiesMethod::Efron));
  }
}
BENCHMARK(BM_CoxAdjustedEfron)->Arg(10000)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();

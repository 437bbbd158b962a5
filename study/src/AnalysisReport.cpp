#include "seedplan/study/AnalysisReport.h"

#include "seedplan/study/NotAvailable.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

namespace seedplan::study {

namespace {

const std::vector<std::pair<std::string, std::string>> kEndpointTitles = {
    {"pfs", "Progression-free survival (PFS)"},
    {"os", "Overall survival (OS)"},
    {"lpfs", "Local progression-free survival (LPFS)"}};

std::string Fixed(double value, int decimals) {
  if (IsNotAvailable(value)) {
    return "NA";
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  return buffer;
}

std::string Count(double value) {
  return IsNotAvailable(value) ? "NA" : Fixed(value, 0);
}

std::string PValue(double p) {
  if (IsNotAvailable(p)) {
    return "NA";
  }
  if (p < 1e-4) {
    return "<0.0001";
  }
  return Fixed(p, p < 0.001 ? 4 : 3);
}

std::string WithInterval(double value, double lower, double upper, int decimals) {
  return Fixed(value, decimals) + " (" + Fixed(lower, decimals) + "-" + Fixed(upper, decimals) +
         ")";
}

/// Columns padded to their widest cell; the first `leftColumns` (text) left-aligned, the others
/// (numbers) right-aligned.
std::string Table(const std::vector<std::vector<std::string>>& rows, const std::string& indent,
                  std::size_t leftColumns = 1) {
  std::vector<std::size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()), 0);
    for (std::size_t j = 0; j < row.size(); ++j) {
      width[j] = std::max(width[j], row[j].size());
    }
  }
  std::string text;
  for (const auto& row : rows) {
    std::string line = indent;
    for (std::size_t j = 0; j < row.size(); ++j) {
      const std::string padding(width[j] - row[j].size(), ' ');
      const std::string separator = j == 0 ? "" : "  ";
      line += j < leftColumns ? separator + row[j] + padding : separator + padding + row[j];
    }
    while (!line.empty() && line.back() == ' ') {
      line.pop_back();
    }
    text += line + "\n";
  }
  return text;
}

std::string Join(const std::vector<std::string>& items) {
  std::string text;
  for (const auto& item : items) {
    text += (text.empty() ? "" : " + ") + item;
  }
  return text;
}

std::string Capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') {
    text[0] = static_cast<char>(text[0] - 'a' + 'A');
  }
  return text;
}

std::string Underline(const std::string& title, char mark) {
  return title + "\n" + std::string(title.size(), mark) + "\n";
}

class Writer {
public:
  explicit Writer(const AnalysisResults& results) : m_Results(results) {}

  std::string Text() {
    Header();
    for (const auto& [endpoint, title] : kEndpointTitles) {
      Endpoint(endpoint, title);
    }
    Response();
    Vas();
    Warnings();
    return m_Text;
  }

private:
  const ResultRow* Find(const std::string& endpoint, const std::string& analysis,
                        const std::string& group, const std::string& term,
                        const std::string& statistic) const {
    return m_Results.Find(endpoint, analysis, group, term, statistic);
  }

  double Value(const std::string& endpoint, const std::string& analysis, const std::string& group,
               const std::string& term, const std::string& statistic) const {
    const ResultRow* row = Find(endpoint, analysis, group, term, statistic);
    return row ? row->value : kNotAvailable;
  }

  std::string TimeLabel(double months) const {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.10g", months);
    return buffer;
  }

  void Header() {
    m_Text += Underline("seedplan study analyze: outcome analyses", '=');
    std::string groups;
    for (std::size_t g = 0; g < m_Results.groups.size(); ++g) {
      groups += (g == 0 ? "" : ", ") + m_Results.groups[g] +
                " (n = " + std::to_string(m_Results.groupSizes[g]) +
                (g == 0 ? ", reference)" : ")");
    }
    m_Text += Table(
        {{"Cohort", m_Results.source + ", " + std::to_string(m_Results.patients) + " patients"},
         {"Groups", groups},
         {"Times", m_Results.timesFromDates
                       ? "months from dates: (event date - start date) / 30.4375 d"
                       : "months as given in the *_months columns"}},
        "", 2);
    m_Text += "\nMethods, with the conventions of R's survival 3.x and stats packages:\n"
              "- Kaplan-Meier with Greenwood variance, 95% pointwise CI " +
              ConfidenceTypeName(m_Results.confidenceType) +
              " (results.csv has log and log-log);\n"
              "  median and its CI as print.survfit; median follow-up by reverse Kaplan-Meier\n"
              "- log-rank test (survdiff, rho = 0)\n"
              "- Cox proportional hazards (coxph), HR with Wald 95% CI; adjusted model: " +
              Join(m_Results.adjustedTerms) +
              "\n"
              "- rates with Clopper-Pearson exact 95% CI; Pearson chi-square with and without "
              "Yates'\n  correction; Fisher's exact test\n"
              "- VAS: Wilcoxon signed-rank test (wilcox.test, paired)\n"
              "Times in months. NA: not estimable, not reached or not defined.\n\n";
  }

  void Endpoint(const std::string& endpoint, const std::string& title) {
    m_Text += Underline(title + ", months", '-');
    const std::string km = m_Results.confidenceType == ConfidenceType::Log ? "km" : "km_loglog";
    m_Text += "Kaplan-Meier, 95% CI " + ConfidenceTypeName(m_Results.confidenceType) +
              "; S(t) (95% CI) [n at risk]\n";
    std::vector<std::vector<std::string>> rows;
    std::vector<std::string> head{"group", "n", "events", "median (95% CI)"};
    for (double time : m_Results.timesMonths) {
      head.push_back("S(" + TimeLabel(time) + ")");
    }
    rows.push_back(head);
    for (const auto& group : m_Results.groups) {
      const ResultRow* median = Find(endpoint, km, group, "", "median");
      std::vector<std::string> row{
          group, Count(Value(endpoint, "km", group, "", "n")),
          Count(Value(endpoint, "km", group, "", "events")),
          median ? WithInterval(median->value, median->lower, median->upper, 1) : "NA"};
      for (double time : m_Results.timesMonths) {
        const ResultRow* surv = Find(endpoint, km, group, "", "surv_" + TimeLabel(time));
        const double atRisk = Value(endpoint, "km", group, "", "n_risk_" + TimeLabel(time));
        row.push_back((surv ? WithInterval(surv->value, surv->lower, surv->upper, 3) : "NA") +
                      " [" + Count(atRisk) + "]");
      }
      rows.push_back(row);
    }
    m_Text += Table(rows, "  ");
    std::string followUp;
    for (const auto& group : m_Results.groups) {
      const ResultRow* row = Find(endpoint, "km", group, "", "median_followup");
      followUp +=
          group + " " + (row ? WithInterval(row->value, row->lower, row->upper, 1) : "NA") + "; ";
    }
    const ResultRow* all = Find(endpoint, "km", "", "", "median_followup");
    followUp += "all " + (all ? WithInterval(all->value, all->lower, all->upper, 1) : "NA");
    m_Text += "Median follow-up (reverse Kaplan-Meier): " + followUp + "\n";
    m_Text += "Log-rank test: chi-square " + Fixed(Value(endpoint, "logrank", "", "", "chisq"), 3) +
              " on " + Count(Value(endpoint, "logrank", "", "", "df")) +
              " df, p = " + PValue(Value(endpoint, "logrank", "", "", "p")) + "\n\n";

    m_Text += "Cox proportional hazards (reference group " + m_Results.referenceGroup + ")\n";
    const std::string ties = m_Results.tiesName;
    const std::string tiesLabel = " (" + Capitalised(ties) + ")";
    const std::vector<std::pair<std::string, std::string>> models = {
        {"cox_efron", "group (Efron)"},
        {"cox_breslow", "group (Breslow)"},
        {"cox_adjusted_" + ties, "adjusted" + tiesLabel},
        {"cox_d90_" + ties, "D90" + tiesLabel}};
    std::vector<std::vector<std::string>> termRows{
        {"model", "term", "HR (95% CI)", "coef", "se", "p"}};
    std::vector<std::vector<std::string>> testRows{
        {"model", "n", "events", "df", "LR chi2", "p", "Wald chi2", "p", "score chi2", "p"}};
    for (const auto& [analysis, label] : models) {
      std::string group;
      std::vector<const ResultRow*> hazardRatios;
      for (const auto& row : m_Results.rows) {
        if (row.endpoint == endpoint && row.analysis == analysis && row.statistic == "hr") {
          hazardRatios.push_back(&row);
          group = row.group;
        }
      }
      const ResultRow* nRow = nullptr;
      for (const auto& row : m_Results.rows) {
        if (row.endpoint == endpoint && row.analysis == analysis && row.statistic == "n") {
          nRow = &row;
          group = row.group;
        }
      }
      const std::string name = label + (group.empty() ? "" : ", " + group);
      bool first = true;
      for (const ResultRow* hr : hazardRatios) {
        termRows.push_back({first ? name : "", hr->term,
                            WithInterval(hr->value, hr->lower, hr->upper, 3),
                            Fixed(Value(endpoint, analysis, group, hr->term, "coef"), 4),
                            Fixed(Value(endpoint, analysis, group, hr->term, "se"), 4),
                            PValue(Value(endpoint, analysis, group, hr->term, "p_wald"))});
        first = false;
      }
      if (nRow == nullptr) {
        continue;
      }
      testRows.push_back({name, Count(nRow->value),
                          Count(Value(endpoint, analysis, group, "", "events")),
                          Count(Value(endpoint, analysis, group, "", "df")),
                          Fixed(Value(endpoint, analysis, group, "", "chisq_lr"), 3),
                          PValue(Value(endpoint, analysis, group, "", "p_lr")),
                          Fixed(Value(endpoint, analysis, group, "", "chisq_wald"), 3),
                          PValue(Value(endpoint, analysis, group, "", "p_wald")),
                          Fixed(Value(endpoint, analysis, group, "", "chisq_score"), 3),
                          PValue(Value(endpoint, analysis, group, "", "p_score"))});
    }
    m_Text += Table(termRows, "  ", 2);
    m_Text += "Model tests\n" + Table(testRows, "  ") + "\n";
  }

  void Response() {
    m_Text += Underline("Response", '-');
    const std::vector<std::pair<std::string, std::string>> analyses = {
        {"orr", "Objective response rate (ORR = CR + PR), best_response"},
        {"dcr", "Disease control rate (DCR = CR + PR + SD), best_response"},
        {"lcr", "Local control rate (LCR = CR + PR + SD of the index lesion), local_response"}};
    for (const auto& [analysis, title] : analyses) {
      if (Find("response", analysis, "", "", "p_fisher") == nullptr) {
        continue;
      }
      m_Text += title + "\n";
      std::vector<std::vector<std::string>> rows{{"group", "n", "count", "% (95% exact CI)"}};
      for (const auto& group : m_Results.groups) {
        const ResultRow* pct = Find("response", analysis, group, "", "pct");
        rows.push_back({group, Count(Value("response", analysis, group, "", "n")),
                        Count(Value("response", analysis, group, "", "count")),
                        pct ? WithInterval(pct->value, pct->lower, pct->upper, 1) : "NA"});
      }
      m_Text += Table(rows, "  ");
      m_Text +=
          "  Pearson chi-square " + Fixed(Value("response", analysis, "", "", "chisq"), 3) +
          ", p = " + PValue(Value("response", analysis, "", "", "p_chisq")) +
          "; with Yates' correction " +
          Fixed(Value("response", analysis, "", "", "chisq_yates"), 3) +
          ", p = " + PValue(Value("response", analysis, "", "", "p_chisq_yates")) +
          "; Fisher's exact test p = " + PValue(Value("response", analysis, "", "", "p_fisher")) +
          "\n\n";
    }
  }

  void Vas() {
    if (Find("response", "vas", m_Results.groups.front(), "", "n") == nullptr) {
      return;
    }
    m_Text += Underline("Pain (VAS), follow-up versus baseline", '-');
    std::vector<std::vector<std::string>> rows{{"group", "pairs", "median baseline",
                                                "median follow-up", "median change", "V", "p",
                                                "method"}};
    for (const auto& group : m_Results.groups) {
      const double exact = Value("response", "vas", group, "", "exact");
      rows.push_back({group, Count(Value("response", "vas", group, "", "n")),
                      Fixed(Value("response", "vas", group, "", "median_baseline"), 1),
                      Fixed(Value("response", "vas", group, "", "median_followup"), 1),
                      Fixed(Value("response", "vas", group, "", "median_change"), 1),
                      Fixed(Value("response", "vas", group, "", "v"), 1),
                      PValue(Value("response", "vas", group, "", "p")),
                      exact == 1.0 ? "exact" : "normal approx., continuity corr."});
    }
    m_Text += "Wilcoxon signed-rank test (paired), change = follow-up - baseline\n";
    m_Text += Table(rows, "  ") + "\n";
  }

  void Warnings() {
    m_Text += Underline("Warnings", '-');
    if (m_Results.warnings.empty()) {
      m_Text += "none\n";
    }
    for (const auto& warning : m_Results.warnings) {
      m_Text += "- " + warning + "\n";
    }
  }

  const AnalysisResults& m_Results;
  std::string m_Text;
};

} // namespace

std::string AnalysisReport::Text(const AnalysisResults& results) {
  return Writer(results).Text();
}

} // namespace seedplan::study

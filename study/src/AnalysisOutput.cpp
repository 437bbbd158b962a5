#include "seedplan/study/AnalysisOutput.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/AnalysisReport.h"
#include "seedplan/study/NotAvailable.h"

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <unistd.h>
#include <utility>
#include <vector>

namespace seedplan::study {

namespace {

std::atomic<unsigned> g_FolderCounter{0};

std::string Number(double value) {
  if (IsNotAvailable(value)) {
    return "NA";
  }
  if (std::isinf(value)) {
    return value > 0 ? "Inf" : "-Inf";
  }
  if (value == 0.0) {
    return "0"; // never "-0"
  }
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", AnalysisOutput::kSignificantDigits, value);
  return buffer;
}

std::string Field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) {
    return text;
  }
  std::string quoted = "\"";
  for (char c : text) {
    quoted += c;
    if (c == '"') {
      quoted += '"';
    }
  }
  return quoted + "\"";
}

/// The files to write, name and content, rendered before anything touches the disk.
std::vector<std::pair<std::string, std::string>> Render(const AnalysisResults& results) {
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("results.csv", AnalysisOutput::ResultsCsv(results));
  files.emplace_back("report.txt", AnalysisReport::Text(results));
  for (const auto& curves : results.curves) {
    files.emplace_back("km_" + curves.endpoint + ".csv", AnalysisOutput::CurveCsv(curves));
  }
  return files;
}

void WriteFile(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.flush();
  if (!out) {
    throw Io(path.string() + ": cannot write output (disk full or not writable)");
  }
}

} // namespace

std::string AnalysisOutput::ResultsCsv(const AnalysisResults& results) {
  std::string text = "endpoint,analysis,group,term,statistic,value,lower,upper\n";
  for (const auto& row : results.rows) {
    text += Field(row.endpoint) + ',' + Field(row.analysis) + ',' + Field(row.group) + ',' +
            Field(row.term) + ',' + Field(row.statistic) + ',' + Number(row.value) + ',' +
            Number(row.lower) + ',' + Number(row.upper) + '\n';
  }
  return text;
}

std::string AnalysisOutput::CurveCsv(const EndpointCurves& curves) {
  std::string text = "group,time,surv,lower,upper,n_risk,n_event,n_censor\n";
  for (const auto& group : curves.groups) {
    const KaplanMeier& curve = group.curve;
    if (curve.Count() == 0) {
      continue;
    }
    const std::string label = Field(group.group);
    text += label + ",0,1,1,1," + std::to_string(curve.Count()) + ",0,0\n";
    for (const auto& step : curve.Steps()) {
      text += label + ',' + Number(step.time) + ',' + Number(step.survival) + ',' +
              Number(step.lower) + ',' + Number(step.upper) + ',' + std::to_string(step.nRisk) +
              ',' + std::to_string(step.nEvent) + ',' + std::to_string(step.nCensor) + '\n';
    }
  }
  return text;
}

void AnalysisOutput::Write(const AnalysisResults& results, const std::filesystem::path& folder) {
  const auto files = Render(results);
  std::error_code error;
  if (std::filesystem::exists(folder, error)) {
    if (!std::filesystem::is_directory(folder, error)) {
      throw Io(folder.string() + ": exists and is not a folder; expected an output folder");
    }
    std::vector<std::unique_ptr<AtomicFileWriter>> writers;
    for (const auto& [name, content] : files) {
      writers.push_back(std::make_unique<AtomicFileWriter>(folder / name));
      writers.back()->WriteAll(content);
    }
    for (auto& writer : writers) {
      writer->Commit();
    }
    return;
  }
  std::filesystem::path parent = folder.parent_path();
  if (parent.empty()) {
    parent = ".";
  }
  std::filesystem::create_directories(parent, error);
  if (error || !std::filesystem::is_directory(parent)) {
    throw Io(folder.string() + ": cannot create the output folder's parent '" + parent.string() +
             "'" + (error ? ": " + error.message() : std::string()));
  }
  // ".DIR.tmp-PID-N": hidden, unique per process and call, removed on failure.
  std::string stagingName = ".";
  stagingName += folder.filename().string();
  stagingName += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(g_FolderCounter++);
  const std::filesystem::path staging = parent / stagingName;
  if (!std::filesystem::create_directory(staging, error) || error) {
    throw Io(folder.string() + ": cannot create a folder in '" + parent.string() + "'" +
             (error ? ": " + error.message() : std::string()));
  }
  try {
    for (const auto& [name, content] : files) {
      WriteFile(staging / name, content);
    }
    std::filesystem::rename(staging, folder, error);
    if (error) {
      throw Io(folder.string() + ": cannot create the output folder: " + error.message());
    }
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove_all(staging, ignored);
    throw;
  }
}

} // namespace seedplan::study

// `seedplan sources [--model ID]`: the seed models the program knows and, for one, every number it
// uses with its provenance, so that a physicist can check them against the papers.

#include "Commands.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <iomanip>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

std::string DataStatusOf(const dosimetry::SourceModel& model) {
  std::string status = model.IsSingleSource() ? "single-source" : "consensus";
  status += model.AnisotropyFactorIsDerived() ? ", phi_an derived" : ", phi_an published";
  status += model.RadialDosePointIsDerived() ? ", g_P derived" : ", g_P published";
  return status;
}

void PrintRadial(const std::string& title, const dosimetry::RadialTable& table, bool derived) {
  std::cout << title << (derived ? "  [DERIVED by seedplan, not published]" : "  [published]")
            << "\n  r_cm   value\n";
  for (std::size_t i = 0; i < table.rCm.size(); ++i) {
    std::cout << "  " << std::left << std::setw(6) << FormatNumber(table.rCm[i], 4) << " "
              << FormatNumber(table.values[i], derived ? 4 : 6) << '\n';
  }
}

void PrintModel(const dosimetry::SourceModel& model) {
  const auto& d = model.Data();
  std::cout << "model " << d.id << ": " << d.name << "\n"
            << "data status: " << DataStatusOf(model) << "\n"
            << "dataset: " << d.dataset << "\n"
            << "file: " << d.fileName << "\n"
            << "dose-rate constant Lambda: " << FormatNumber(d.doseRateConstantCGyPerHPerU)
            << " cGy h^-1 U^-1 (" << d.doseRateConstantStatus << ")\n"
            << "active length L (geometry function): " << FormatNumber(d.activeLengthCm) << " cm ("
            << d.activeLengthStatus << ")\n"
            << "half-life: " << FormatNumber(d.halfLifeDays) << " d\n"
            << "strength per apparent activity: " << FormatNumber(d.strengthPerActivityUPerMCi)
            << " U/mCi\n"
            << "dose inside the source: taken at r_min = " << FormatNumber(model.MinimumRadiusCm())
            << " cm (L/2 + 0.05 cm, rounded up to 0.01 cm)\n\n";
  PrintRadial("radial dose function g_L(r)", d.radialDoseLine, false);
  PrintRadial("radial dose function g_P(r)", model.RadialDosePointTable(),
              model.RadialDosePointIsDerived());
  std::cout << "anisotropy function F(r, theta)  [published]\n  r_cm \\ theta_deg";
  for (double theta : d.anisotropy.thetaDeg) {
    std::cout << ' ' << FormatNumber(theta, 4);
  }
  std::cout << '\n';
  for (std::size_t i = 0; i < d.anisotropy.rCm.size(); ++i) {
    std::cout << "  " << FormatNumber(d.anisotropy.rCm[i], 4) << ':';
    for (std::size_t j = 0; j < d.anisotropy.thetaDeg.size(); ++j) {
      std::cout << ' '
                << FormatNumber(d.anisotropy.values[i * d.anisotropy.thetaDeg.size() + j], 4);
    }
    std::cout << '\n';
  }
  PrintRadial("anisotropy factor phi_an(r)", model.AnisotropyFactorTable(),
              model.AnisotropyFactorIsDerived());
  std::cout << "\nreferences:\n";
  for (const auto& ref : d.references) {
    std::cout << "  [" << ref.key << "] " << ref.text << (ref.doi.empty() ? "" : " doi:" + ref.doi)
              << '\n';
  }
  std::cout << "transcriptions of the tables:\n";
  for (const auto& tr : d.transcriptions) {
    std::cout << "  [" << tr.key << "] " << tr.text << " (" << tr.location
              << (tr.commit.empty() ? "" : " @ " + tr.commit) << ")\n";
  }
  if (!d.notes.empty()) {
    std::cout << "notes:\n";
    for (const auto& note : d.notes) {
      std::cout << "  (" << note.kind << ") " << note.text << '\n';
    }
  }
}

} // namespace

void RegisterSourcesCommand(CLI::App& app) {
  auto* command = app.add_subcommand("sources", "List the 125I seed models and their TG-43 data");
  auto modelId = std::make_shared<std::string>();
  command->add_option("--model", *modelId, "Print one model's data and provenance");
  command->callback([modelId]() {
    const dosimetry::SourceLibrary library;
    if (!modelId->empty()) {
      PrintModel(*library.Load(*modelId));
      return;
    }
    std::cout << std::left << std::setw(9) << "id" << std::setw(11) << "Lambda" << std::setw(8)
              << "L_cm" << std::setw(52) << "data status"
              << "name\n";
    for (const auto& id : library.ModelIds()) {
      const auto model = library.Load(id);
      std::cout << std::left << std::setw(9) << id << std::setw(11)
                << FormatNumber(model->DoseRateConstant(), 4) << std::setw(8)
                << FormatNumber(model->ActiveLengthCm(), 3) << std::setw(52) << DataStatusOf(*model)
                << model->Name() << '\n';
    }
    std::cout << "Lambda in cGy h^-1 U^-1; L is the active length of the line-source geometry "
                 "function. Single-source models rest on one transcription: use with caution.\n";
  });
}

} // namespace seedplan::app

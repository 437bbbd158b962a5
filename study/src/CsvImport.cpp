#include "seedplan/study/CsvImport.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/study/CohortExport.h"
#include "seedplan/study/StudyRecord.h"

#include <algorithm>
#include <functional>

namespace seedplan::study {

namespace {

/// Reads every row of `csv` into records of type R (format checks), then adds them in one
/// transaction with `add` (record checks); errors are prefixed with the file and line.
template <class R>
std::size_t ImportRows(StudyRecord& record, const CsvTable& csv, const ExportTable& layout,
                       const RecordFields<R>& fields,
                       const std::function<void(R&, const std::string&, const std::string&,
                                                const std::string&)>& special,
                       const std::function<void(StudyRecord&, R)>& add) {
  const std::string file = csv.SourceName();
  std::vector<std::size_t> columns; // CSV column of each entered field read
  std::vector<std::string> names;
  std::vector<std::string> ignored;
  for (std::size_t i = 0; i < csv.Header().size(); ++i) {
    const std::string& name = csv.Header()[i];
    const int at = layout.ColumnIndex(name);
    if (at < 0) {
      std::string expected;
      for (const auto& column : layout.columns) {
        if (!column.derived) {
          expected += (expected.empty() ? "" : ", ") + column.name;
        }
      }
      throw DataFormat(file + ": column '" + name + "' is not a column of " + layout.name +
                       ".csv; expected some of " + expected);
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (csv.Header()[j] == name) {
        throw DataFormat(file + ": column '" + name + "' appears twice; expected it once");
      }
    }
    if (layout.columns[static_cast<std::size_t>(at)].derived) {
      ignored.push_back(name);
      continue;
    }
    columns.push_back(i);
    names.push_back(name);
  }
  for (const auto& field : fields.All()) {
    if (field.spec.required &&
        std::find(names.begin(), names.end(), field.spec.name) == names.end()) {
      throw DataFormat(file + ": column '" + field.spec.name + "' is missing; expected it (" +
                       field.spec.label + ")");
    }
  }
  if (csv.RowCount() == 0) {
    throw DataFormat(file + ": no rows below the header; expected at least one " + layout.name +
                     " row");
  }
  std::vector<R> records;
  std::vector<std::size_t> lines;
  for (std::size_t row = 0; row < csv.RowCount(); ++row) {
    const auto& cells = csv.Row(row);
    if (std::all_of(cells.begin(), cells.end(), [](const std::string& c) { return c.empty(); })) {
      continue; // a spreadsheet's empty trailing row ",,,,"
    }
    lines.push_back(csv.LineOf(row));
    R entry{};
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const std::string context =
          file + " line " + std::to_string(csv.LineOf(row)) + " column " + names[k];
      const std::string& cell = csv.Row(row)[columns[k]];
      if (fields.Find(names[k])) {
        fields.SetText(entry, names[k], cell, context);
      } else {
        special(entry, names[k], cell, context);
      }
    }
    records.push_back(std::move(entry));
  }
  if (!ignored.empty()) {
    std::string list;
    for (const auto& name : ignored) {
      list += (list.empty() ? "" : ", ") + name;
    }
    log::Info(file + ": derived columns not imported (the export computes them): " + list);
  }
  auto transaction = record.BeginCommand();
  for (std::size_t row = 0; row < records.size(); ++row) {
    try {
      add(record, std::move(records[row]));
    } catch (const InvalidInput& error) {
      throw InvalidInput(file + " line " + std::to_string(lines[row]) + ": " + error.what());
    }
  }
  transaction->Commit();
  return records.size();
}

template <class R>
void NoSpecialColumn(R&, const std::string& name, const std::string&, const std::string& context) {
  throw DataFormat(context + ": column " + name + " cannot be imported");
}

} // namespace

std::size_t CsvImport::Import(StudyRecord& record, const std::string& table,
                              const std::filesystem::path& csvFile) {
  const ExportTable layout = CohortExport::ImportLayout(table);
  const CsvTable csv = CsvTable::Read(csvFile);
  if (csv.Header().empty() || csv.Header().front() != "patient_id") {
    throw DataFormat(csvFile.string() + ": first column is '" +
                     (csv.Header().empty() ? std::string() : csv.Header().front()) +
                     "'; expected patient_id, as in the export");
  }
  if (table == "patients") {
    return ImportRows<PatientRecord>(record, csv, layout, PatientRecord::Fields(),
                                     NoSpecialColumn<PatientRecord>,
                                     [](StudyRecord& r, PatientRecord p) { r.AddPatient(p); });
  }
  if (table == "lesions") {
    return ImportRows<LesionRecord>(record, csv, layout, LesionRecord::Fields(),
                                    NoSpecialColumn<LesionRecord>,
                                    [](StudyRecord& r, LesionRecord l) { r.AddLesion(l); });
  }
  if (table == "followups") {
    return ImportRows<FollowUpRecord>(
        record, csv, layout, FollowUpRecord::Fields(),
        [](FollowUpRecord& followUp, const std::string& name, const std::string& cell,
           const std::string& context) {
          if (name != "lesion_responses") {
            throw DataFormat(context + ": column " + name + " cannot be imported");
          }
          followUp.lesionResponses = FollowUpRecord::ParseLesionResponses(cell, context);
        },
        [](StudyRecord& r, FollowUpRecord f) { r.AddFollowUp(f); });
  }
  if (table == "events") {
    return ImportRows<StudyEventRecord>(record, csv, layout, StudyEventRecord::Fields(),
                                        NoSpecialColumn<StudyEventRecord>,
                                        [](StudyRecord& r, StudyEventRecord e) { r.AddEvent(e); });
  }
  return ImportRows<AdverseEventRecord>(
      record, csv, layout, AdverseEventRecord::Fields(), NoSpecialColumn<AdverseEventRecord>,
      [](StudyRecord& r, AdverseEventRecord a) { r.AddAdverseEvent(a); });
}

} // namespace seedplan::study

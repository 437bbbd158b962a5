#pragma once
// Storing and reading the record structs through their RecordFields (internal to study/src): the
// SQL column of a field is its name.

#include "seedplan/study/RecordFields.h"
#include "seedplan/study/SqliteDatabase.h"
#include "seedplan/study/SqliteStatement.h"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace seedplan::study::sql {

using NamedValues = std::vector<std::pair<std::string, FieldValue>>;

inline std::string Quote(const std::string& name) {
  return "\"" + name + "\"";
}

template <class R> NamedValues Values(const RecordFields<R>& fields, const R& record) {
  NamedValues values;
  for (const auto& field : fields.All()) {
    values.emplace_back(field.spec.name, RecordFields<R>::Get(record, field));
  }
  return values;
}

/// INSERT INTO table (columns) VALUES (...); returns the new rowid.
inline std::int64_t Insert(SqliteDatabase& database, const std::string& table,
                           const NamedValues& values) {
  std::string columns, parameters;
  for (const auto& [name, value] : values) {
    columns += (columns.empty() ? "" : ", ") + Quote(name);
    parameters += parameters.empty() ? "?" : ", ?";
  }
  SqliteStatement insert =
      database.Prepare("INSERT INTO " + table + " (" + columns + ") VALUES (" + parameters + ")");
  int index = 1;
  for (const auto& [name, value] : values) {
    insert.Bind(index++, value);
  }
  insert.Run();
  return database.LastInsertRowId();
}

/// SELECT <fields>, <extra columns> FROM table <where> ORDER BY <order>: one record per row;
/// `extra` reads the extra columns (from index fields.All().size()) into the record.
template <class R>
std::vector<R> Select(SqliteDatabase& database, const RecordFields<R>& fields,
                      const std::string& table, const std::vector<std::string>& extraColumns,
                      const std::string& where, const std::vector<FieldValue>& parameters,
                      const std::string& order,
                      const std::function<void(R&, const SqliteStatement&, int)>& extra = {}) {
  std::string columns;
  for (const auto& field : fields.All()) {
    columns += (columns.empty() ? "" : ", ") + Quote(field.spec.name);
  }
  for (const auto& column : extraColumns) {
    columns += ", " + column;
  }
  SqliteStatement select =
      database.Prepare("SELECT " + columns + " FROM " + table +
                       (where.empty() ? "" : " WHERE " + where) + " ORDER BY " + order);
  for (std::size_t i = 0; i < parameters.size(); ++i) {
    select.Bind(static_cast<int>(i) + 1, parameters[i]);
  }
  std::vector<R> records;
  const int fieldCount = static_cast<int>(fields.All().size());
  while (select.Step()) {
    R record{};
    for (int i = 0; i < fieldCount; ++i) {
      RecordFields<R>::Set(record, fields.All()[static_cast<std::size_t>(i)], select.Value(i));
    }
    if (extra) {
      extra(record, select, fieldCount);
    }
    records.push_back(std::move(record));
  }
  return records;
}

} // namespace seedplan::study::sql

#include "MetricsJson.h"

#include "seedplan/core/JsonWriter.h"

#include <optional>

namespace seedplan::app {

namespace {

// The one writer of the metrics JSON: `evaluate --json` and `edit --json` both print it.
void WriteMetrics(JsonWriter& json, const planning::StructureMetrics& entry) {
  const auto& m = entry.metrics;
  const bool target = entry.rxGy.has_value();
  const std::optional<double> none;
  json.BeginObject().Key("name").String(entry.structureName).Key("role").String(entry.role);
  if (target) {
    json.Key("rx_Gy").Number(*entry.rxGy);
  }
  json.Key("volume_cc").Number(m.volumeCc);
  json.Key("D90_Gy").Number(m.D90Gy).Key("D98_Gy").Number(m.D98Gy);
  json.Key("D100_Gy").Number(m.D100Gy).Key("Dmean_Gy").Number(m.DmeanGy);
  json.Key("Dmin_Gy").Number(m.DminGy).Key("Dmax_Gy").Number(m.DmaxGy);
  json.Key("V100_pct").Number(target ? std::optional<double>(m.V100Pct) : none);
  json.Key("V150_pct").Number(target ? std::optional<double>(m.V150Pct) : none);
  json.Key("V200_pct").Number(target ? std::optional<double>(m.V200Pct) : none);
  json.Key("D2cc_Gy").Number(m.D2ccGy).Key("D1cc_Gy").Number(m.D1ccGy);
  json.Key("D0_1cc_Gy").Number(m.D0_1ccGy);
  json.Key("CI").Number(target ? m.CI : none).Key("EI").Number(target ? m.EI : none);
  json.Key("HI").Number(target ? m.HI : none);
  json.EndObject();
}

} // namespace

std::string MetricsJson(const std::vector<planning::StructureMetrics>& metrics) {
  JsonWriter json;
  json.BeginArray();
  for (const auto& entry : metrics) {
    WriteMetrics(json, entry);
  }
  json.EndArray();
  return json.Text();
}

} // namespace seedplan::app

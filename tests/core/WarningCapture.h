#pragma once
// Captures log::Warning lines for the lifetime of the object (tests of what a reader warns about).

#include "seedplan/core/Log.h"

#include <algorithm>
#include <string>
#include <vector>

namespace seedplan::test {

class WarningCapture {
public:
  WarningCapture() {
    m_Previous = log::SetSink([this](log::Level level, const std::string& message) {
      if (level == log::Level::Warning) {
        m_Lines.push_back(message);
      }
    });
  }
  ~WarningCapture() { log::SetSink(m_Previous); }
  WarningCapture(const WarningCapture&) = delete;
  WarningCapture& operator=(const WarningCapture&) = delete;
  const std::vector<std::string>& Lines() const { return m_Lines; }
  /// Whether any warning contains `part`.
  bool Any(const std::string& part) const {
    return std::any_of(m_Lines.begin(), m_Lines.end(), [&](const std::string& line) {
      return line.find(part) != std::string::npos;
    });
  }

private:
  log::Sink m_Previous;
  std::vector<std::string> m_Lines;
};

} // namespace seedplan::test

#pragma once
// The fuzz targets' log sink: a reader's warnings ("ignoring unknown column ...") are still
// formatted, so that code is fuzzed too, but not printed: writing one stderr line per input cut
// the seeds CSV target to about 150 executions per second, and a stalled terminal write under load
// looked like a timeout to libFuzzer.

#include "seedplan/core/Log.h"

#include <string>

namespace seedplan::fuzz {

/// Bytes of log messages discarded (keeps each message "used" without printing it).
inline std::size_t discardedLogBytes = 0;

inline void DiscardLogMessages() {
  log::SetSink([](log::Level, const std::string& message) { discardedLogBytes += message.size(); });
}

} // namespace seedplan::fuzz

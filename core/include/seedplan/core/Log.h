#pragma once
// Minimal logging: warnings and progress go to stderr so that stdout stays machine-readable
// (CSV, JSON). Tests can capture messages by installing a sink.

#include <functional>
#include <string>

namespace seedplan::log {

enum class Level { Info, Warning };

using Sink = std::function<void(Level, const std::string&)>;

/// Replaces the sink (default: "seedplan: warning: ..." on stderr); returns the previous one.
Sink SetSink(Sink sink);
void Info(const std::string& message);
void Warning(const std::string& message);

} // namespace seedplan::log

#include "seedplan/core/Log.h"

#include <iostream>
#include <mutex>

namespace seedplan::log {

namespace {

std::mutex g_Mutex;

void DefaultSink(Level level, const std::string& message) {
  std::cerr << (level == Level::Warning ? "seedplan: warning: " : "seedplan: ") << message << '\n';
}

Sink& CurrentSink() {
  static Sink sink = DefaultSink;
  return sink;
}

void Emit(Level level, const std::string& message) {
  std::lock_guard<std::mutex> lock(g_Mutex);
  CurrentSink()(level, message);
}

} // namespace

Sink SetSink(Sink sink) {
  std::lock_guard<std::mutex> lock(g_Mutex);
  Sink previous = CurrentSink();
  CurrentSink() = sink ? std::move(sink) : Sink(DefaultSink);
  return previous;
}

void Info(const std::string& message) {
  Emit(Level::Info, message);
}
void Warning(const std::string& message) {
  Emit(Level::Warning, message);
}

} // namespace seedplan::log

#pragma once

#include "seedplan/core/Error.h"

#include <string>

namespace seedplan {

/// Inside a catch block: rethrows the seedplan::Error being handled as the same class, its message
/// preceded by `prefix` (e.g. the plan file whose <ct path> failed to load). Anything else is
/// rethrown unchanged.
[[noreturn]] inline void RethrowWithPrefix(const std::string& prefix) {
  try {
    throw;
  } catch (const InvalidInput& error) {
    throw InvalidInput(prefix + error.what());
  } catch (const DataFormat& error) {
    throw DataFormat(prefix + error.what());
  } catch (const Io& error) {
    throw Io(prefix + error.what());
  } catch (const NotSupported& error) {
    throw NotSupported(prefix + error.what());
  } catch (const Error& error) {
    throw Error(prefix + error.what());
  }
}

} // namespace seedplan

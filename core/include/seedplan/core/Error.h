#pragma once
// The error family of seedplan. Libraries throw these, never exit(); the command line maps them to
// a one-line message and a non-zero exit code. Each message names the file, the field, the bad
// value and what was expected, so that a physicist can fix the input without reading code.

#include <stdexcept>
#include <string>

namespace seedplan {

/// Base of every seedplan error; what() is a complete one-line message.
class Error : public std::runtime_error {
public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

/// A value is outside what the program accepts (negative strength, zero grid size, ...).
class InvalidInput : public Error {
public:
  using Error::Error;
};

/// A file does not follow its format (malformed CSV or XML, wrong kind, wrong schema version).
class DataFormat : public Error {
public:
  using Error::Error;
};

/// A file cannot be read or written.
class Io : public Error {
public:
  using Error::Error;
};

/// A valid request that this version does not support.
class NotSupported : public Error {
public:
  using Error::Error;
};

} // namespace seedplan

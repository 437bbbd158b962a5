#pragma once
// What the bad-input tests ask of an error: its message, and whether the message names a part.

#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <string>

namespace seedplan::test {

/// The message of the exception of type E that `action` throws; a test failure (and the other
/// exception's message, or "") if it throws another type or nothing.
template <class E> std::string MessageOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const E& error) {
    return error.what();
  } catch (const std::exception& other) {
    ADD_FAILURE() << "threw another exception: " << other.what();
    return other.what();
  }
  ADD_FAILURE() << "threw nothing";
  return "";
}

inline bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

} // namespace seedplan::test

#pragma once
// Strict number parsing for files and command lines: the whole text must be one finite number.

#include <string>
#include <vector>

namespace seedplan {

/// Parses `text` as a finite number; throws DataFormat("<context> is '<text>'; expected a finite
/// number") if it is empty, has trailing characters, or is inf/nan. The text is echoed as Excerpt.
double ParseFiniteNumber(const std::string& text, const std::string& context);

/// Parses "a,b,c" into exactly `count` finite numbers; InvalidInput naming `context` otherwise.
std::vector<double> ParseNumberList(const std::string& text, std::size_t count,
                                    const std::string& context);

/// A value as a message may echo it: at most `maxCharacters` characters (then "... (N
/// characters)"), control characters (a newline, a NUL) and bytes that are not UTF-8 shown as \xNN,
/// so that a refusal stays one short line whatever the input holds (a 70 kB attribute, a newline
/// inside a value, binary data).
std::string Excerpt(const std::string& text, std::size_t maxCharacters = 80);

/// Formats a number with `significantDigits` significant digits (printf %g).
std::string FormatNumber(double value, int significantDigits = 6);

} // namespace seedplan

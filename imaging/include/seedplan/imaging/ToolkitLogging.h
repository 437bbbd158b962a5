#pragma once

namespace seedplan::imaging {

/// Silences the toolkits' own console output (DCMTK's logger, ITK's warning window): the program
/// reports problems itself, as one clear line naming the file and field; toolkit chatter on stderr
/// would break that contract. Call once at program start.
void QuietToolkitLogging();

} // namespace seedplan::imaging

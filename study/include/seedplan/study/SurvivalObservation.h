#pragma once

#include <vector>

namespace seedplan::study {

/// One right-censored observation: follow-up time (months in this module's outputs, but any unit
/// works) and whether it ended with the event (true) or was censored (false).
struct SurvivalObservation {
  double time = 0.0;
  bool event = false;
};

/// Merges times that differ only by floating-point noise, as R's survival package does before
/// every fit (aeqSurv, survival 3.x, `timefix = TRUE`): over the sorted distinct times, a time
/// whose distance to the previous one is <= sqrt(machine epsilon), absolutely or relative to the
/// mean absolute distinct time, takes the value of the first time of its run. Without this, months
/// computed from dates (days / 30.4375) could split a tie that R sees as one.
void MergeNearlyTiedTimes(std::vector<SurvivalObservation>& observations);

} // namespace seedplan::study

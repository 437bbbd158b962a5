#include "seedplan/study/BinomialCi.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"

#include <boost/math/special_functions/beta.hpp>

#include <string>

namespace seedplan::study {

Proportion BinomialCi::ClopperPearson(int successes, int trials, double level) {
  if (trials < 0 || successes < 0 || successes > trials || !(level > 0.0 && level < 1.0)) {
    throw InvalidInput("binomial interval: " + std::to_string(successes) + " successes of " +
                       std::to_string(trials) + " trials at level " + std::to_string(level) +
                       "; expected 0 <= successes <= trials and 0 < level < 1");
  }
  Proportion result{successes, trials, kNotAvailable, kNotAvailable, kNotAvailable};
  if (trials == 0) {
    return result;
  }
  const double x = successes;
  const double n = trials;
  const double alpha = 1.0 - level;
  result.estimate = x / n;
  result.lower = successes == 0 ? 0.0 : boost::math::ibeta_inv(x, n - x + 1.0, alpha / 2.0);
  result.upper =
      successes == trials ? 1.0 : boost::math::ibeta_inv(x + 1.0, n - x, 1.0 - alpha / 2.0);
  return result;
}

} // namespace seedplan::study

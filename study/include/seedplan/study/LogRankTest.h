#pragma once

#include "seedplan/study/SurvivalObservation.h"

#include <Eigen/Dense>

#include <vector>

namespace seedplan::study {

/// The result of a k-group log-rank test; chiSquare, df and p are NA when fewer than two groups
/// have a positive expected count.
struct LogRankResult {
  Eigen::VectorXd observed; ///< events per group
  Eigen::VectorXd expected; ///< expected events per group under equal hazards
  Eigen::MatrixXd variance; ///< covariance of observed − expected
  double chiSquare = 0.0;
  int degreesOfFreedom = 0;
  double p = 0.0;
};

/// The log-rank test of equal hazards in k groups (Mantel 1966; Peto & Peto 1972), as R's
/// `survdiff(..., rho = 0)`: at each distinct event time t with n at risk and d events,
/// E_g += d n_g / n and V_gh += d (n − d)/(n − 1) · (n_g/n)(δ_gh − n_h/n); χ² = (O − E)ᵀ V⁻ (O − E)
/// over the groups with E > 0 less one, on (that count − 1) degrees of freedom.
class LogRankTest {
public:
  /// `group[i]` in [0, groupCount) is the group of observations[i]. Throws InvalidInput on a size
  /// mismatch or a group index out of range.
  static LogRankResult Compute(const std::vector<SurvivalObservation>& observations,
                               const std::vector<int>& group, int groupCount);
};

} // namespace seedplan::study

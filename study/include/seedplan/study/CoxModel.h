#pragma once

#include "seedplan/study/SurvivalObservation.h"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace seedplan::study {

/// How tied event times enter the partial likelihood: Efron (1977, R's default) or Breslow (1974).
enum class TiesMethod { Efron, Breslow };

/// "efron" or "breslow", as R and the command line spell them.
std::string TiesMethodName(TiesMethod method);

/// One coefficient of a fitted Cox model; every number NA (NaN) if the term is aliased (R's NA
/// coefficient for a column that is a linear combination of the others) or the model is not
/// estimable.
struct CoxTerm {
  std::string name;
  double coefficient = 0.0;
  double standardError = 0.0;
  double hazardRatio = 0.0;
  double lower = 0.0; ///< 95 % Wald interval of the hazard ratio, exp(coef ± 1.96 se)
  double upper = 0.0;
  double z = 0.0;
  double pWald = 0.0; ///< two-sided p of z = coef/se
  bool aliased = false;
};

/// A fitted Cox proportional-hazards model. `estimable` is false when the fit cannot give finite
/// estimates (a monotone likelihood, no convergence): then every number is NA and `problem` says
/// why in one sentence.
struct CoxFit {
  std::vector<CoxTerm> terms;
  int n = 0;
  int events = 0;
  bool estimable = true;
  std::string problem;
  bool converged = false;
  int iterations = 0;
  double logLikelihoodNull = 0.0; ///< at beta = 0
  double logLikelihood = 0.0;     ///< at the estimate
  int degreesOfFreedom = 0;       ///< non-aliased coefficients
  double waldChiSquare = 0.0;     ///< global Wald test, bᵀ V⁻¹ b
  double pWald = 0.0;
  double likelihoodRatioChiSquare = 0.0; ///< 2 (log L(b) − log L(0))
  double pLikelihoodRatio = 0.0;
  double scoreChiSquare = 0.0; ///< uᵀ I⁻¹ u at beta = 0 (the log-rank test for one factor)
  double pScore = 0.0;
};

/// Cox proportional-hazards regression (Cox 1972) by maximum partial likelihood, with Efron's or
/// Breslow's handling of ties, fitted as R's `coxph` (survival 3.x, coxfit6 and coxph.fit) so that
/// the numbers agree with R's to rounding:
/// - covariates not confined to {−1, 0, 1} are centred and scaled by their mean absolute deviation;
/// - Newton–Raphson from beta = 0 with step halving whenever the log-likelihood falls (the k-th
///   consecutive halving moves to (new + k·old)/(k + 1)), converged when |1 − L_best/L_new| <=
///   1e-9, at most 20 iterations (coxph.control defaults);
/// - the information matrix is factored by a Cholesky decomposition that sets a pivot below
///   toler = eps^0.75 × (largest diagonal) to zero: that column is aliased (NA coefficient);
/// - standard errors from the inverse information at the estimate;
/// - a monotone likelihood (a coefficient running off to ±infinity, e.g. a group without events)
///   is detected as R detects it — after convergence the next Newton step u·I⁻¹ still exceeds
///   max(eps, sqrt(eps)·|coef|) — and the model is then not estimable (R warns and prints the
///   meaningless finite value; this class refuses to give a number).
class CoxModel {
public:
  static constexpr double kConvergenceTolerance = 1e-9; ///< coxph.control eps
  static constexpr int kMaximumIterations = 20;         ///< coxph.control iter.max
  static constexpr double kConfidenceLevel = 0.95;

  /// Fits the model. `covariates` has one row per observation and one column per term, named by
  /// `termNames`. Throws InvalidInput on mismatched sizes, a non-finite covariate or time.
  static CoxFit Fit(const std::vector<SurvivalObservation>& observations,
                    const Eigen::MatrixXd& covariates, const std::vector<std::string>& termNames,
                    TiesMethod ties);
};

} // namespace seedplan::study

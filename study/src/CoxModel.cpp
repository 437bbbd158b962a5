#include "seedplan/study/CoxModel.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"

#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

namespace seedplan::study {

namespace {

/// coxph.control's toler.chol = .Machine$double.eps^0.75: a pivot below this fraction of the
/// largest diagonal element marks an aliased (linearly dependent) column.
const double kCholeskyTolerance = std::pow(std::numeric_limits<double>::epsilon(), 0.75);
/// coxph.control's toler.inf = sqrt(eps): the relative size of the remaining Newton step above
/// which a converged coefficient is declared infinite.
const double kInfiniteTolerance = std::sqrt(CoxModel::kConvergenceTolerance);

/// A = F D Fᵀ with F unit lower triangular, where a pivot below `tolerance` × max diag(A) (or not
/// finite) is set to 0 and its column of F to 0: the factorisation of the non-aliased block, and
/// Solve/Inverse give the generalised inverse that is zero on aliased rows and columns (the
/// "generalised Cholesky" of Therneau's survival code).
class GeneralizedCholesky {
public:
  GeneralizedCholesky(const Eigen::MatrixXd& symmetric, double tolerance)
      : m_Factor(symmetric), m_Singular(symmetric.rows(), false) {
    const Eigen::Index n = m_Factor.rows();
    double largest = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) {
      if (m_Factor(i, i) > largest) {
        largest = m_Factor(i, i);
      }
    }
    const double threshold = largest * tolerance;
    for (Eigen::Index i = 0; i < n; ++i) {
      const double pivot = m_Factor(i, i);
      if (largest == 0.0 || !std::isfinite(pivot) || pivot < threshold) {
        m_Singular[i] = true;
        m_Factor(i, i) = 0.0;
        for (Eigen::Index j = i + 1; j < n; ++j) {
          m_Factor(j, i) = 0.0;
        }
        continue;
      }
      ++m_Rank;
      for (Eigen::Index j = i + 1; j < n; ++j) {
        const double multiplier = m_Factor(j, i) / pivot;
        m_Factor(j, i) = multiplier;
        m_Factor(j, j) -= multiplier * multiplier * pivot;
        for (Eigen::Index k = j + 1; k < n; ++k) {
          m_Factor(k, j) -= multiplier * m_Factor(k, i);
        }
      }
    }
  }

  int Rank() const { return m_Rank; }
  bool Singular(Eigen::Index i) const { return m_Singular[i]; }

  Eigen::VectorXd Solve(Eigen::VectorXd y) const {
    const Eigen::Index n = m_Factor.rows();
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j < i; ++j) {
        y[i] -= y[j] * m_Factor(i, j);
      }
    }
    for (Eigen::Index i = n - 1; i >= 0; --i) {
      if (m_Singular[i]) {
        y[i] = 0.0;
        continue;
      }
      double value = y[i] / m_Factor(i, i);
      for (Eigen::Index j = i + 1; j < n; ++j) {
        value -= y[j] * m_Factor(j, i);
      }
      y[i] = value;
    }
    return y;
  }

  Eigen::MatrixXd Inverse() const {
    const Eigen::Index n = m_Factor.rows();
    Eigen::MatrixXd inverse(n, n);
    for (Eigen::Index column = 0; column < n; ++column) {
      inverse.col(column) = Solve(Eigen::VectorXd::Unit(n, column));
    }
    for (Eigen::Index i = 0; i < n; ++i) {
      if (m_Singular[i]) {
        inverse.row(i).setZero();
        inverse.col(i).setZero();
      }
    }
    return (inverse + inverse.transpose()) / 2.0;
  }

private:
  Eigen::MatrixXd m_Factor;
  std::vector<bool> m_Singular;
  int m_Rank = 0;
};

/// The data of one fit, sorted by ascending time, covariates centred and scaled, one column per
/// person (p × n) so that a person's covariates are contiguous.
struct SortedData {
  std::vector<double> time;
  std::vector<char> event;
  Eigen::MatrixXd x;
};

/// Log partial likelihood, score u and information I at beta (coxfit6's inner loop): a sweep from
/// the largest time down, accumulating the risk set; tied deaths enter all at once (Breslow) or in
/// ndead fractional steps (Efron 1977, eq. 3.1).
double PartialLikelihood(const SortedData& data, const Eigen::VectorXd& beta, TiesMethod ties,
                         Eigen::VectorXd& u, Eigen::MatrixXd& information) {
  const Eigen::Index p = beta.size();
  u.setZero(p);
  information.setZero(p, p);
  Eigen::VectorXd a = Eigen::VectorXd::Zero(p);
  Eigen::MatrixXd cmat = Eigen::MatrixXd::Zero(p, p);
  Eigen::VectorXd a2(p);
  Eigen::MatrixXd cmat2(p, p);
  double denominator = 0.0;
  double logLikelihood = 0.0;
  auto person = static_cast<Eigen::Index>(data.time.size()) - 1;
  while (person >= 0) {
    const double time = data.time[person];
    int deaths = 0;
    double deathRisk = 0.0;
    a2.setZero();
    cmat2.setZero();
    while (person >= 0 && data.time[person] == time) {
      const auto x = data.x.col(person);
      const double linear = beta.dot(x);
      const double risk = std::exp(linear);
      if (data.event[person] == 0) {
        denominator += risk;
        a.noalias() += risk * x;
        cmat.noalias() += risk * x * x.transpose();
      } else {
        ++deaths;
        deathRisk += risk;
        logLikelihood += linear;
        u += x;
        a2.noalias() += risk * x;
        cmat2.noalias() += risk * x * x.transpose();
      }
      --person;
    }
    if (deaths == 0) {
      continue;
    }
    if (ties == TiesMethod::Breslow || deaths == 1) {
      denominator += deathRisk;
      a += a2;
      cmat += cmat2;
      logLikelihood -= deaths * std::log(denominator);
      u -= deaths * a / denominator;
      information.noalias() += deaths * (cmat - a * a.transpose() / denominator) / denominator;
    } else {
      const double fraction = 1.0 / deaths;
      for (int k = 0; k < deaths; ++k) {
        denominator += deathRisk * fraction;
        a += a2 * fraction;
        cmat += cmat2 * fraction;
        logLikelihood -= std::log(denominator);
        u -= a / denominator;
        information.noalias() += (cmat - a * a.transpose() / denominator) / denominator;
      }
    }
  }
  return logLikelihood;
}

bool AllFinite(const Eigen::VectorXd& u, const Eigen::MatrixXd& information, double logLik) {
  return std::isfinite(logLik) && u.allFinite() && information.allFinite();
}

double UpperChiSquare(double statistic, int degreesOfFreedom) {
  if (degreesOfFreedom < 1 || !std::isfinite(statistic)) {
    return kNotAvailable;
  }
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared(degreesOfFreedom),
                                                  std::max(statistic, 0.0)));
}

CoxFit NotEstimable(CoxFit fit, const std::string& problem) {
  fit.estimable = false;
  fit.problem = problem;
  for (auto& term : fit.terms) {
    term.coefficient = term.standardError = term.hazardRatio = kNotAvailable;
    term.lower = term.upper = term.z = term.pWald = kNotAvailable;
  }
  fit.logLikelihoodNull = fit.logLikelihood = kNotAvailable;
  fit.waldChiSquare = fit.pWald = kNotAvailable;
  fit.likelihoodRatioChiSquare = fit.pLikelihoodRatio = kNotAvailable;
  fit.scoreChiSquare = fit.pScore = kNotAvailable;
  return fit;
}

} // namespace

std::string TiesMethodName(TiesMethod method) {
  return method == TiesMethod::Efron ? "efron" : "breslow";
}

CoxFit CoxModel::Fit(const std::vector<SurvivalObservation>& observations,
                     const Eigen::MatrixXd& covariates, const std::vector<std::string>& termNames,
                     TiesMethod ties) {
  const auto n = static_cast<Eigen::Index>(observations.size());
  const Eigen::Index p = covariates.cols();
  if (covariates.rows() != n || static_cast<Eigen::Index>(termNames.size()) != p || p == 0) {
    throw InvalidInput("Cox model: " + std::to_string(observations.size()) + " observations, " +
                       std::to_string(covariates.rows()) + " covariate rows, " + std::to_string(p) +
                       " columns and " + std::to_string(termNames.size()) +
                       " term names; expected one row per observation and one name per column");
  }
  if (!covariates.allFinite()) {
    throw InvalidInput("Cox model: a covariate value is not finite; expected finite numbers");
  }
  CoxFit fit;
  fit.n = static_cast<int>(n);
  for (const auto& observation : observations) {
    if (!std::isfinite(observation.time) || observation.time < 0.0) {
      throw InvalidInput("Cox model: a time is " + std::to_string(observation.time) +
                         "; expected a finite time >= 0");
    }
    fit.events += observation.event ? 1 : 0;
  }
  for (const auto& name : termNames) {
    fit.terms.push_back(CoxTerm{name});
  }
  if (fit.events < 2) {
    return NotEstimable(fit, "fewer than 2 events (" + std::to_string(fit.events) + ")");
  }

  std::vector<Eigen::Index> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), Eigen::Index{0});
  std::stable_sort(order.begin(), order.end(), [&](Eigen::Index a, Eigen::Index b) {
    return observations[a].time < observations[b].time;
  });
  SortedData data;
  data.x.resize(p, n);
  for (Eigen::Index i = 0; i < n; ++i) {
    data.time.push_back(observations[order[i]].time);
    data.event.push_back(observations[order[i]].event ? 1 : 0);
    data.x.col(i) = covariates.row(order[i]).transpose();
  }
  // Centre and scale every column that is not confined to {-1, 0, 1} (coxph's nocenter): the
  // estimate is unchanged, the Newton steps are better conditioned.
  Eigen::VectorXd scale = Eigen::VectorXd::Ones(p);
  for (Eigen::Index j = 0; j < p; ++j) {
    auto row = data.x.row(j);
    const bool zeroOne = (row.array() == 0.0 || row.array() == 1.0 || row.array() == -1.0).all();
    if (zeroOne) {
      continue;
    }
    row.array() -= row.mean();
    const double meanAbsolute = row.cwiseAbs().sum() / static_cast<double>(n);
    scale[j] = meanAbsolute > 0.0 ? 1.0 / meanAbsolute : 1.0;
    row *= scale[j];
  }

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  Eigen::VectorXd u;
  Eigen::MatrixXd information;
  const double logLikNull = PartialLikelihood(data, beta, ties, u, information);
  if (!AllFinite(u, information, logLikNull)) {
    return NotEstimable(fit, "the partial likelihood is not finite at beta = 0");
  }
  fit.logLikelihoodNull = logLikNull;
  Eigen::VectorXd step;
  {
    const GeneralizedCholesky cholesky(information, kCholeskyTolerance);
    step = cholesky.Solve(u);
    fit.scoreChiSquare = u.dot(step);
  }
  double bestLogLik = logLikNull;
  Eigen::VectorXd newBeta = beta + step;
  int halving = 0;
  Eigen::MatrixXd variance;
  std::vector<bool> aliased(static_cast<std::size_t>(p), false);
  for (fit.iterations = 1; fit.iterations <= kMaximumIterations; ++fit.iterations) {
    const double newLogLik = PartialLikelihood(data, newBeta, ties, u, information);
    const bool finite = AllFinite(u, information, newLogLik);
    const GeneralizedCholesky cholesky(information, kCholeskyTolerance);
    if (finite && std::abs(1.0 - bestLogLik / newLogLik) <= kConvergenceTolerance) {
      fit.converged = true;
      bestLogLik = newLogLik;
      beta = newBeta;
      variance = cholesky.Inverse();
      for (Eigen::Index j = 0; j < p; ++j) {
        aliased[j] = cholesky.Singular(j);
      }
      break;
    }
    if (!finite || newLogLik < bestLogLik) {
      // Not improving: step back towards the last good estimate, harder each time.
      ++halving;
      newBeta = (newBeta + halving * beta) / (halving + 1.0);
    } else {
      halving = 0;
      bestLogLik = newLogLik;
      beta = newBeta;
      newBeta = newBeta + cholesky.Solve(u);
    }
  }
  if (!fit.converged) {
    fit.iterations = kMaximumIterations;
    return NotEstimable(fit, "the fit did not converge in " + std::to_string(kMaximumIterations) +
                                 " Newton-Raphson iterations");
  }
  // Back to the covariates' own scale.
  const Eigen::VectorXd coefficient = beta.cwiseProduct(scale);
  const Eigen::VectorXd score = u.cwiseQuotient(scale);
  variance = scale.asDiagonal() * variance * scale.asDiagonal();

  const Eigen::VectorXd remainingStep = (score.transpose() * variance).transpose().cwiseAbs();
  std::vector<std::string> infinite;
  for (Eigen::Index j = 0; j < p; ++j) {
    if (!std::isfinite(score[j]) ||
        (remainingStep[j] > kConvergenceTolerance &&
         remainingStep[j] > kInfiniteTolerance * std::abs(coefficient[j]))) {
      infinite.push_back(termNames[j]);
    }
  }
  if (!infinite.empty()) {
    std::string names;
    for (const auto& name : infinite) {
      names += (names.empty() ? "" : ", ") + name;
    }
    return NotEstimable(fit, "monotone likelihood: the coefficient of " + names +
                                 " runs off to infinity (e.g. a level without events)");
  }

  const double z975 =
      boost::math::quantile(boost::math::normal(), 1.0 - (1.0 - kConfidenceLevel) / 2.0);
  std::vector<Eigen::Index> kept;
  for (Eigen::Index j = 0; j < p; ++j) {
    CoxTerm& term = fit.terms[j];
    if (aliased[j]) {
      term.aliased = true;
      term.coefficient = term.standardError = term.hazardRatio = kNotAvailable;
      term.lower = term.upper = term.z = term.pWald = kNotAvailable;
      continue;
    }
    kept.push_back(j);
    term.coefficient = coefficient[j];
    term.standardError = std::sqrt(variance(j, j));
    term.hazardRatio = std::exp(term.coefficient);
    term.lower = std::exp(term.coefficient - z975 * term.standardError);
    term.upper = std::exp(term.coefficient + z975 * term.standardError);
    term.z = term.coefficient / term.standardError;
    term.pWald = 2.0 * boost::math::cdf(boost::math::normal(), -std::abs(term.z));
  }
  fit.degreesOfFreedom = static_cast<int>(kept.size());
  if (kept.empty()) {
    return NotEstimable(fit, "every covariate is constant or aliased");
  }
  fit.logLikelihood = bestLogLik;
  fit.likelihoodRatioChiSquare = 2.0 * (bestLogLik - logLikNull);
  fit.pLikelihoodRatio = UpperChiSquare(fit.likelihoodRatioChiSquare, fit.degreesOfFreedom);
  fit.pScore = UpperChiSquare(fit.scoreChiSquare, fit.degreesOfFreedom);
  // Global Wald test bᵀ V⁻¹ b over the non-aliased coefficients (coxph.wtest).
  const auto k = static_cast<Eigen::Index>(kept.size());
  Eigen::MatrixXd keptVariance(k, k);
  Eigen::VectorXd keptCoefficient(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    keptCoefficient[i] = coefficient[kept[i]];
    for (Eigen::Index j = 0; j < k; ++j) {
      keptVariance(i, j) = variance(kept[i], kept[j]);
    }
  }
  const GeneralizedCholesky varianceFactor(keptVariance, kCholeskyTolerance);
  fit.waldChiSquare = keptCoefficient.dot(varianceFactor.Solve(keptCoefficient));
  fit.pWald = UpperChiSquare(fit.waldChiSquare, fit.degreesOfFreedom);
  return fit;
}

} // namespace seedplan::study

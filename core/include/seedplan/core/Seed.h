#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>

namespace seedplan {

/// One implanted or planned seed. Position in patient coordinates (LPS, mm); the long axis as a
/// unit vector when known (planned seeds: along the needle; detected seeds: the principal axis),
/// absent when unknown, in which case dosimetry uses the 1D formalism for it; air-kerma strength
/// S_K in U (1 U = 1 uGy m^2 h^-1 = 1 cGy cm^2 h^-1) at the time the dose refers to (the implant).
struct Seed {
  Eigen::Vector3d positionMm = Eigen::Vector3d::Zero();
  std::optional<Eigen::Vector3d> direction;
  double strengthU = 0.0;
  std::string model;  ///< source model id; empty = the model given to the command
  std::string needle; ///< needle id; empty = none
  std::optional<double> confidence;
};

} // namespace seedplan

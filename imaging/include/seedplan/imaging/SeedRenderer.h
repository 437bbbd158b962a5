#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"

#include <vector>

namespace seedplan::imaging {

/// How SeedRenderer draws seeds. Lengths in mm, values in HU.
struct SeedRenderOptions {
  double seedLengthMm = 4.5;   ///< overall capsule length, hemispherical ends included (6711)
  double seedDiameterMm = 0.8; ///< capsule outer diameter (6711)
  double metalHu = 3071;       ///< scanner saturation (12-bit CT): the highest value a voxel shows
  double streakAmplitudeHu = 600; ///< streak strength next to a seed, before decay with distance
  double noiseSigmaHu = 12;       ///< Gaussian noise added to every voxel (0: none)
  unsigned randomSeed = 1;        ///< streak angles and noise are reproducible from this
  bool streaks = true;
  /// Mean linear attenuation of the capsule's content, expressed in HU at ~70 keV effective
  /// energy: a 6711 holds a silver rod (0.5 mm x 3 mm, 28 % of the capsule; silver's
  /// mu/rho ~3.7 cm^2/g x 10.5 g/cm^3 ~ 2e5 HU) in a titanium tube (~8000 HU); averaged over the
  /// capsule, and allowing for beam hardening, about 50000 HU, far beyond the 12-bit scale: a
  /// voxel saturates once ~6 % of it is seed.
  double seedAttenuationHu = 50000;
  /// In-plane point spread of the reconstruction (FWHM, mm); 0 disables the blur.
  double psfFwhmMm = 0.6;
};

/// Draws implanted 125I seeds into a CT volume (HU) as a post-implant scan shows them; used by the
/// synthetic sample patient and by the seed detection tests.
///
/// Physics of the picture. Each seed is a capsule (a cylinder with hemispherical ends, 6711:
/// 4.5 mm x 0.8 mm) centred on Seed::positionMm along Seed::direction; a seed without a direction
/// is drawn along +z (patient superior). Its true attenuation (seedAttenuationHu) far exceeds the
/// scanner's scale, so a voxel of background value b that is a fraction f inside the capsule
/// reconstructs to (1 - f) b + f seedAttenuationHu, and the stored value is clamped to the scanner
/// range [-1024, metalHu]: a voxel saturates once a few percent of it is metal, which is why
/// seeds look bigger than they are ("blooming"). f is computed per voxel by supersampling the
/// voxels the capsule's surface crosses (sample step <= 0.1 mm along each voxel axis); voxels of
/// touching or crossing seeds add their fractions, capped at 1. The metal is blurred in the
/// reconstruction plane (the grid's i-j plane) by a Gaussian of psfFwhmMm and integrated over
/// each pixel, from where the metal lies inside its own pixel (per supersample column; a pixel
/// wholly inside spreads as a uniform pixel): the scanner's point spread; along k the slice
/// thickness is already the voxel integral. Streak artefacts (beam hardening and photon starvation)
/// lie in the reconstruction plane: in each slice holding metal, 3 to 5 lines at random angles
/// through the metal's centre in that slice, alternately bright and dark, Gaussian across (sigma
/// 0.6 mm), amplitude streakAmplitudeHu scaled by the amount of metal in that slice and decaying as
/// exp(-d / 25 mm) with the distance d from the seed. Finally Gaussian noise of noiseSigmaHu is
/// added to every voxel (pass 0 when the background already carries its own noise) and values are
/// clamped and rounded. Positions are handled in patient mm through the GridGeometry, so any
/// direction matrix works. Throws InvalidInput for a seed direction of zero length or unusable
/// options.
class SeedRenderer {
public:
  static void Render(Volume<short>& ct, const std::vector<Seed>& seeds,
                     const SeedRenderOptions& options);
};

} // namespace seedplan::imaging

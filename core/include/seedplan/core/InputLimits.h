#pragma once
// The limits seedplan puts on what it reads (issue 13: bad input never crashes, hangs or silently
// misleads). Every input file is read with a stated maximum size, every volume with a stated voxel
// budget, and every number a user gives within physical bounds. The README's bad-input section
// lists these values; change them here only.

#include <cstdint>
#include <string>

namespace seedplan::limits {

// ---- Sizes of input files (bounded reads: /dev/zero or a wrong file never fills the memory) ----
// A seeds CSV line is about 100 bytes: 16 MiB holds 160 000 seeds, 1000 times a large implant.
constexpr std::uint64_t kMaxSeedsCsvBytes = std::uint64_t{16} << 20;
// `dose-rate --points`: about 30 bytes per point, so 16 MiB hold half a million points.
constexpr std::uint64_t kMaxPointsCsvBytes = std::uint64_t{16} << 20;
// A plan of 1000 seeds with needles and metrics is about 0.5 MB.
constexpr std::uint64_t kMaxPlanXmlBytes = std::uint64_t{16} << 20;
// The shipped TG-43 source files are 5 to 60 kB.
constexpr std::uint64_t kMaxSourceXmlBytes = std::uint64_t{4} << 20;
// A label map's sidecar table (`<file>.labels.csv`): one short line per label.
constexpr std::uint64_t kMaxLabelTableBytes = std::uint64_t{1} << 20;
// MetaImage and NRRD header text (the part before the pixel data): real headers are < 10 kB.
constexpr std::uint64_t kMaxVolumeHeaderBytes = std::uint64_t{1} << 20;
// One DICOM file (a CT slice is 0.5-2 MB; an RT Structure Set rarely exceeds 50 MB).
constexpr std::uint64_t kMaxDicomFileBytes = std::uint64_t{512} << 20;

// ---- Volumes (CT, masks, dose grids read from files, DICOM series) ----
// 2^29 voxels = 536 870 912 (e.g. 1024 x 1024 x 512, or a 512 x 512 CT of 2048 slices): 1 GiB as
// short HU, 2 GiB as float. Beyond it a file is refused before any buffer is allocated, naming
// the memory it would need.
constexpr std::uint64_t kMaxVolumeVoxels = std::uint64_t{1} << 29;

// ---- Physical bounds of numbers a user gives ----
// Positions (seeds, grid and volume origins, needle ends): within 10 m of the origin of the
// patient coordinates; scanners place the table origin within a metre of the patient.
constexpr double kMaxCoordinateMm = 10000.0;
// Air-kerma strength of one 125I seed: clinical seeds are 0.3-1.5 U; 100 U is far above any.
constexpr double kMaxStrengthU = 100.0;
// Apparent activity of one seed: 0.4-0.8 mCi clinically; 100 U / 1.27 U/mCi = 78.7 mCi.
constexpr double kMaxActivityMCi = 80.0;
// Prescriptions and organ limits of a permanent implant (total dose): 80-160 Gy prescriptions.
constexpr double kMaxDoseGy = 1000.0;
// `dose --delivered-by-days`: ten years is 61 half-lives of 125I (all of the dose).
constexpr double kMaxDeliveredByDays = 3650.0;
// `--expected` seed counts: prostate implants have about 100 seeds, metastases tens.
constexpr int kMaxExpectedSeeds = 2000;
// `detect-seeds --threshold-hu`: seeds peak at 1200 HU and above even where metal-artefact
// reduction compresses them (issue 11); below 500 HU soft tissue and contrast would count as
// metal, above 32000 HU nothing does (HU are stored as short).
constexpr double kMinMetalThresholdHu = 500.0;
constexpr double kMaxMetalThresholdHu = 32000.0;
// Voxel spacing of a volume file or a DICOM CT: 0.01 mm (finer than any scanner) to 100 mm.
constexpr double kMinVoxelSpacingMm = 0.01;
constexpr double kMaxVoxelSpacingMm = 100.0;
// TG-43 dose-rate points (`dose-rate --points`, cm in the seed's frame): the tables end at 10 cm;
// 100 cm is the largest cutoff the engine accepts.
constexpr double kMaxPointDistanceCm = 100.0;
// DICOM CT modality rescale: HU = stored x slope + intercept; scanners write slope 1 (sometimes
// 0.5 or 2) and intercept -1024, -1000 or -8192.
constexpr double kMaxRescaleSlope = 1000.0;
constexpr double kMaxAbsRescaleIntercept = 100000.0;

/// Throws InvalidInput "<context> is <value>; expected <quantity> from <low> to <high> <unit>"
/// (or "greater than <low>" when `lowExclusive`) unless value is finite and within the bounds.
void RequireInRange(double value, double low, double high, bool lowExclusive,
                    const std::string& context, const std::string& quantity,
                    const std::string& unit);

/// "16 MiB", "512 MiB", "1.5 GiB": a byte count for messages.
std::string DescribeBytes(std::uint64_t bytes);

} // namespace seedplan::limits

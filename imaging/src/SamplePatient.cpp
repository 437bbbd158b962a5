#include "seedplan/imaging/SamplePatient.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/DicomCtWriter.h"
#include "seedplan/imaging/DicomStudyContext.h"
#include "seedplan/imaging/MaskContourer.h"
#include "seedplan/imaging/PostImplantPhantom.h"
#include "seedplan/imaging/RtStructureSetWriter.h"

#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <sys/file.h>
#include <unistd.h>

namespace seedplan::imaging {

namespace fs = std::filesystem;

namespace {

/// The first words of the stamp file and of the README: how a sample patient is recognised.
constexpr const char* kStampPrefix = "seedplan sample patient generator ";
constexpr const char* kReadmePrefix = "seedplan sample patient";

} // namespace

bool SamplePatientFiles::Complete() const {
  for (const fs::path& path :
       {Ct(), RtStruct(), PostCt(), SampleSeeds(), ImplantedSeeds(), PostCtTrueSeeds(),
        PlanningToPost(), Prescriptions(), OrganLimits(), GeneratorStamp()}) {
    std::error_code error;
    if (!fs::exists(path, error)) {
      return false;
    }
  }
  return true;
}

int SamplePatientFiles::GeneratorVersion() const {
  std::ifstream stream(GeneratorStamp());
  std::string line;
  if (!stream || !std::getline(stream, line) || line.rfind(kStampPrefix, 0) != 0) {
    return 0;
  }
  const std::string number = line.substr(std::string(kStampPrefix).size());
  if (number.empty() || number.size() > 6 ||
      number.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  return std::stoi(number);
}

bool SamplePatientFiles::IsCurrent() const {
  return Complete() && GeneratorVersion() == SamplePatient::kGeneratorVersion;
}

namespace {

void WriteText(const fs::path& path, const std::string& text) {
  AtomicFileWriter writer(path);
  writer.WriteAll(text);
  writer.Commit();
}

/// Removes the temporary folder unless the build reached its end.
class TemporaryFolder {
public:
  explicit TemporaryFolder(fs::path path) : m_Path(std::move(path)) {}
  ~TemporaryFolder() {
    if (!m_Kept) {
      std::error_code ignored;
      fs::remove_all(m_Path, ignored);
    }
  }
  void Keep() { m_Kept = true; }

private:
  fs::path m_Path;
  bool m_Kept = false;
};

std::string Readme() {
  return "seedplan sample patient (synthetic; made by `seedplan phantom`, deterministic)\n"
         "\n"
         "ct/                                planning CT, DICOM CT series (HFS, 0.9 x 0.9 x 2.5 "
         "mm)\n"
         "rtstruct.dcm                       RT Structure Set on ct/ (targets GTV_*, organs, "
         "roles\n"
         "                                   from RT ROI Interpreted Type and names)\n"
         "post_ct/                           post-implant CT of the same patient, another "
         "session:\n"
         "                                   own frame of reference, known rigid transform, seeds\n"
         "                                   in the lung lesion with metal artefacts\n"
         "sample_seeds.csv                   the fixed sample seed arrangement in GTV_Lung\n"
         "                                   (planning CT coordinates, mm, strength in U)\n"
         "implanted_seeds_planning_ct.csv    the seeds actually implanted (needles deviated by\n"
         "                                   1-4 mm), planning CT coordinates: the truth\n"
         "post_ct_true_seeds.csv             the same seeds in post-implant CT coordinates\n"
         "post_ct_transform.csv              x_post = T x_planning (4x4, mm)\n"
         "prescriptions.csv                  each target's prescription (Gy, total dose)\n"
         "organ_limits.csv                   organ limits (Gy): ILLUSTRATIVE values\n"
         "\n"
         "Coordinates: DICOM patient coordinates (LPS), mm. Prescriptions and limits are\n"
         "illustrative, chosen so that a good plan can meet them; they are not clinical advice.\n";
}

} // namespace

SamplePatientFiles SamplePatient::Write(const fs::path& folder) {
  std::error_code error;
  if (fs::exists(folder, error) && !(fs::is_directory(folder) && fs::is_empty(folder))) {
    throw Io(folder.string() + ": already exists; expected a new or empty folder for the sample "
                               "patient");
  }
  fs::path parent = folder.parent_path().empty() ? fs::path(".") : folder.parent_path();
  if (!fs::is_directory(parent, error)) {
    throw Io(folder.string() + ": folder '" + parent.string() + "' does not exist");
  }
  const fs::path temporary =
      parent / ("." + folder.filename().string() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(temporary, error);
  fs::create_directories(temporary, error);
  if (error) {
    throw Io(temporary.string() + ": cannot create folder (" + error.message() + ")");
  }
  TemporaryFolder guard(temporary);
  SamplePatientFiles files{temporary};

  const ThoraxPhantomOptions options;
  const PhantomCase phantom = ThoraxPhantom::Generate(options);

  DicomCtWriteOptions planningCt;
  planningCt.seriesDescription = "planning CT (seedplan sample patient)";
  planningCt.seriesNumber = 1;
  planningCt.bodyPartExamined = "CHEST";
  CtImage ct;
  ct.hu = phantom.ct;
  ct.info = DicomCtWriter::Write(files.Ct(), phantom.ct, planningCt);
  ct.source = files.Ct();

  StructureSet structures;
  structures.frameOfReferenceUid = ct.info.frameOfReferenceUid;
  structures.referencedSeriesUid = ct.info.seriesInstanceUid;
  for (const Structure& structure : phantom.structures) {
    Structure withContours = structure;
    withContours.contours = MaskContourer::Contour(structure.mask);
    structures.structures.push_back(std::move(withContours));
  }
  RtStructureSetWriteOptions structureOptions;
  structureOptions.structureSetLabel = "SAMPLE";
  // The structure set shares the CT's patient and study attributes exactly (dcentvfy checks).
  structureOptions.header.study = DicomStudyContext::ReadFromCt(ct);
  structureOptions.header.seriesNumber = 3;
  structureOptions.header.seriesDescription = "structures (seedplan sample patient)";
  RtStructureSetWriter::Write(files.RtStruct(), structures, ct, structureOptions);

  const std::vector<Seed> implanted = PostImplantPhantom::DeviatedSeeds(phantom.sampleSeeds);
  const PostImplantScan post = PostImplantPhantom::Generate(phantom, implanted, options);
  DicomCtWriteOptions postCt;
  postCt.studyInstanceUid = ct.info.studyInstanceUid;
  postCt.seriesDescription = "post-implant CT (seedplan sample patient)";
  postCt.seriesNumber = 2;
  postCt.bodyPartExamined = "CHEST";
  DicomCtWriter::Write(files.PostCt(), post.ct, postCt);

  SeedsCsv::Write(files.SampleSeeds(), phantom.sampleSeeds, true);
  SeedsCsv::Write(files.ImplantedSeeds(), post.seedsInPlanningFrame, true);
  SeedsCsv::Write(files.PostCtTrueSeeds(), post.seedsInPostFrame, true);

  std::ostringstream transform;
  transform << "c0,c1,c2,c3\n";
  for (int row = 0; row < 4; ++row) {
    for (int column = 0; column < 4; ++column) {
      transform << FormatNumber(post.planningToPost(row, column), 12) << (column < 3 ? "," : "\n");
    }
  }
  WriteText(files.PlanningToPost(), transform.str());

  std::ostringstream prescriptions;
  prescriptions << "structure,site,rx_Gy\n";
  for (const PhantomLesion& lesion : phantom.lesions) {
    prescriptions << lesion.structureName << ',' << lesion.site << ','
                  << FormatNumber(lesion.prescriptionGy) << '\n';
  }
  WriteText(files.Prescriptions(), prescriptions.str());
  std::ostringstream limits;
  limits << "structure,metric,limit_Gy\n";
  for (const OrganLimit& limit : phantom.limits) {
    limits << limit.structureName << ',' << limit.metric << ',' << FormatNumber(limit.limitGy)
           << '\n';
  }
  WriteText(files.OrganLimits(), limits.str());
  WriteText(files.Readme(), Readme());
  WriteText(files.GeneratorStamp(), kStampPrefix + std::to_string(kGeneratorVersion) + "\n");

  if (fs::exists(folder, error)) {
    fs::remove(folder, error); // an empty folder, checked above
  }
  fs::rename(temporary, folder, error);
  if (error) {
    throw Io(folder.string() + ": cannot move the finished sample patient into place (" +
             error.message() + ")");
  }
  guard.Keep();
  return SamplePatientFiles{folder};
}

namespace {

/// Holds an exclusive lock (flock) on a file beside the sample patient while it is checked and
/// rewritten, so that two processes (parallel tests) do not rebuild it at once.
class FolderLock {
public:
  explicit FolderLock(const fs::path& path) {
    m_Descriptor = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_Descriptor < 0 || ::flock(m_Descriptor, LOCK_EX) != 0) {
      throw Io(path.string() + ": cannot lock the sample patient folder for rewriting");
    }
  }
  ~FolderLock() {
    if (m_Descriptor >= 0) {
      ::flock(m_Descriptor, LOCK_UN);
      ::close(m_Descriptor);
    }
  }
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;

private:
  int m_Descriptor = -1;
};

bool IsSamplePatientFolder(const fs::path& folder) {
  std::ifstream stream(folder / "README.txt");
  std::string line;
  return stream && std::getline(stream, line) && line.rfind(kReadmePrefix, 0) == 0;
}

} // namespace

SamplePatientFiles SamplePatient::EnsureCurrent(const fs::path& folder) {
  SamplePatientFiles files{folder};
  if (files.IsCurrent()) {
    return files;
  }
  const fs::path parent = folder.parent_path().empty() ? fs::path(".") : folder.parent_path();
  std::error_code error;
  fs::create_directories(parent, error);
  FolderLock lock(parent / ("." + folder.filename().string() + ".lock"));
  if (files.IsCurrent()) {
    return files; // another process rewrote it while this one waited
  }
  if (!fs::exists(folder, error) ||
      (fs::is_directory(folder, error) && fs::is_empty(folder, error))) {
    return Write(folder);
  }
  if (!fs::is_directory(folder, error) || !IsSamplePatientFolder(folder)) {
    throw Io(folder.string() +
             ": exists and is not a seedplan sample patient (no README.txt "
             "starting '" +
             kReadmePrefix +
             "'); expected a sample patient "
             "folder, a new folder or an empty one");
  }
  const int old = files.GeneratorVersion();
  log::Info(folder.string() + ": sample patient of generator " + std::to_string(old) +
            (files.Complete() ? "" : " (incomplete)") + "; rewriting it with generator " +
            std::to_string(kGeneratorVersion));
  const std::string pid = std::to_string(::getpid());
  const fs::path fresh = parent / ("." + folder.filename().string() + ".new-" + pid);
  const fs::path retired = parent / ("." + folder.filename().string() + ".old-" + pid);
  fs::remove_all(fresh, error);
  fs::remove_all(retired, error);
  Write(fresh);
  fs::rename(folder, retired, error);
  if (error) {
    fs::remove_all(fresh, error);
    throw Io(folder.string() + ": cannot move the old sample patient aside (" + error.message() +
             ")");
  }
  fs::rename(fresh, folder, error);
  if (error) {
    std::error_code ignored;
    fs::rename(retired, folder, ignored);
    fs::remove_all(fresh, ignored);
    throw Io(folder.string() + ": cannot move the new sample patient into place (" +
             error.message() + ")");
  }
  fs::remove_all(retired, error);
  return SamplePatientFiles{folder};
}

std::vector<PhantomLesion> SamplePatient::ReadPrescriptions(const fs::path& file) {
  const CsvTable table = CsvTable::Read(file);
  const std::size_t structure = table.RequireColumn("structure");
  const std::size_t site = table.RequireColumn("site");
  const std::size_t rx = table.RequireColumn("rx_Gy");
  std::vector<PhantomLesion> lesions;
  for (std::size_t row = 0; row < table.RowCount(); ++row) {
    PhantomLesion lesion;
    lesion.structureName = table.Row(row)[structure];
    lesion.site = table.Row(row)[site];
    lesion.prescriptionGy = table.Number(row, rx);
    if (!(lesion.prescriptionGy > 0.0)) {
      throw InvalidInput(file.string() + ": line " + std::to_string(table.LineOf(row)) +
                         ", column rx_Gy: " + FormatNumber(lesion.prescriptionGy) +
                         "; expected a prescription > 0 Gy");
    }
    lesions.push_back(lesion);
  }
  return lesions;
}

std::vector<OrganLimit> SamplePatient::ReadOrganLimits(const fs::path& file) {
  const CsvTable table = CsvTable::Read(file);
  const std::size_t structure = table.RequireColumn("structure");
  const std::size_t metric = table.RequireColumn("metric");
  const std::size_t limit = table.RequireColumn("limit_Gy");
  std::vector<OrganLimit> limits;
  for (std::size_t row = 0; row < table.RowCount(); ++row) {
    OrganLimit organLimit;
    organLimit.structureName = table.Row(row)[structure];
    organLimit.metric = table.Row(row)[metric];
    organLimit.limitGy = table.Number(row, limit);
    if (organLimit.metric != "Dmax" && organLimit.metric != "D0_1cc" &&
        organLimit.metric != "D1cc" && organLimit.metric != "D2cc") {
      throw InvalidInput(file.string() + ": line " + std::to_string(table.LineOf(row)) +
                         ", column metric: '" + organLimit.metric +
                         "'; expected Dmax, D0_1cc, D1cc or D2cc");
    }
    limits.push_back(organLimit);
  }
  return limits;
}

} // namespace seedplan::imaging

#include "ReportPictureSource.h"

namespace seedplan::app {

namespace {

/// Draws nothing: the viewer (issue 7) that draws the report's pictures is not part of this
/// build yet.
class NoReportPictures final : public ReportPictureSource {
public:
  std::string Unavailable() const override {
    return "this seedplan has no viewer to draw them (the VTK viewer, issue 7, is not built)";
  }
  std::vector<ReportPicture> LesionSlices(const ReportScene&, const std::string&) override {
    return {};
  }
  std::optional<ReportPicture> Dvh(const ReportScene&) override { return std::nullopt; }
};

} // namespace

std::unique_ptr<ReportPictureSource> ReportPictureSource::Make() {
  return std::make_unique<NoReportPictures>();
}

} // namespace seedplan::app

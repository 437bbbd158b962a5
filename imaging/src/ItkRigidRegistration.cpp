#include "ItkRigidRegistration.h"

#include "seedplan/core/Error.h"

#include <itkImage.h>
#include <itkImageMaskSpatialObject.h>
#include <itkImageRegistrationMethodv4.h>
#include <itkMeanSquaresImageToImageMetricv4.h>
#include <itkRegistrationParameterScalesFromPhysicalShift.h>
#include <itkRegularStepGradientDescentOptimizerv4.h>
#include <itkVersorRigid3DTransform.h>

#include <algorithm>
#include <string>
#include <vector>

namespace seedplan::imaging::detail {

namespace {

using ImageType = itk::Image<float, 3>;
using MaskImageType = itk::Image<unsigned char, 3>;
using MaskType = itk::ImageMaskSpatialObject<3>;
using TransformType = itk::VersorRigid3DTransform<double>;
using OptimizerType = itk::RegularStepGradientDescentOptimizerv4<double>;
using MetricType = itk::MeanSquaresImageToImageMetricv4<ImageType, ImageType>;
using RegistrationType = itk::ImageRegistrationMethodv4<ImageType, ImageType, TransformType>;
using ScalesEstimatorType = itk::RegistrationParameterScalesFromPhysicalShift<MetricType>;

template <class TImage> typename TImage::Pointer MakeItkImage(const RegistrationImage& image) {
  auto itkImage = TImage::New();
  typename TImage::SizeType size;
  typename TImage::PointType origin;
  typename TImage::SpacingType spacing;
  typename TImage::DirectionType direction;
  for (unsigned axis = 0; axis < 3; ++axis) {
    size[axis] = image.size[axis];
    origin[axis] = image.originMm[axis];
    spacing[axis] = image.spacingMm[axis];
    for (unsigned column = 0; column < 3; ++column) {
      direction(axis, column) = image.direction[3 * axis + column];
    }
  }
  typename TImage::RegionType region;
  region.SetSize(size);
  itkImage->SetRegions(region);
  itkImage->SetOrigin(origin);
  itkImage->SetSpacing(spacing);
  itkImage->SetDirection(direction);
  itkImage->Allocate();
  return itkImage;
}

ImageType::Pointer ToItkImage(const RegistrationImage& image) {
  ImageType::Pointer itkImage = MakeItkImage<ImageType>(image);
  std::copy(image.values.begin(), image.values.end(), itkImage->GetBufferPointer());
  return itkImage;
}

MaskType::Pointer ToItkMask(const RegistrationImage& image) {
  MaskImageType::Pointer maskImage = MakeItkImage<MaskImageType>(image);
  std::copy(image.mask.begin(), image.mask.end(), maskImage->GetBufferPointer());
  auto mask = MaskType::New();
  mask->SetImage(maskImage);
  mask->Update();
  return mask;
}

TransformType::InputPointType Centre(const ImageType& image) {
  const auto size = image.GetLargestPossibleRegion().GetSize();
  itk::ContinuousIndex<double, 3> centreIndex;
  for (unsigned axis = 0; axis < 3; ++axis) {
    centreIndex[axis] = 0.5 * (static_cast<double>(size[axis]) - 1.0);
  }
  TransformType::InputPointType centre;
  image.TransformContinuousIndexToPhysicalPoint(centreIndex, centre);
  return centre;
}

void InitialiseTransform(TransformType& transform, const ImageType& fixed,
                         const RegistrationSettings& settings) {
  // x_moving = R x + o = R (x - c) + c + t  =>  t = o - c + R c.
  const TransformType::InputPointType centre = Centre(fixed);
  TransformType::MatrixType rotation;
  TransformType::OutputVectorType translation;
  for (unsigned row = 0; row < 3; ++row) {
    for (unsigned column = 0; column < 3; ++column) {
      rotation(row, column) = settings.initialFixedToMoving[4 * row + column];
    }
  }
  for (unsigned row = 0; row < 3; ++row) {
    double rotatedCentre = 0.0;
    for (unsigned column = 0; column < 3; ++column) {
      rotatedCentre += rotation(row, column) * centre[column];
    }
    translation[row] = settings.initialFixedToMoving[4 * row + 3] - centre[row] + rotatedCentre;
  }
  transform.SetIdentity();
  transform.SetCenter(centre);
  transform.SetMatrix(rotation, 1e-6);
  transform.SetTranslation(translation);
}

/// ITK's description of an exception on one line.
std::string Describe(const itk::ExceptionObject& exception) {
  std::string description = exception.GetDescription() ? exception.GetDescription() : "";
  std::replace(description.begin(), description.end(), '\n', ' ');
  return description.empty() ? std::string("unknown ITK error") : description;
}

} // namespace

RegistrationOutput RegisterRigid(const RegistrationImage& fixed, const RegistrationImage& moving,
                                 const RegistrationSettings& settings) {
  if (settings.levels.empty()) {
    throw InvalidInput("rigid registration: no resolution level given; expected at least one");
  }
  try {
    const ImageType::Pointer fixedImage = ToItkImage(fixed);
    const ImageType::Pointer movingImage = ToItkImage(moving);

    auto transform = TransformType::New();
    InitialiseTransform(*transform, *fixedImage, settings);

    auto metric = MetricType::New();
    // The moving image's gradient by central differences at the sample points: cheaper than
    // ITK's default, a smoothed gradient image of the whole moving CT recomputed at every level.
    metric->SetUseMovingImageGradientFilter(false);
    metric->SetUseFixedImageGradientFilter(false);
    if (!fixed.mask.empty()) {
      metric->SetFixedImageMask(ToItkMask(fixed));
    }
    if (!moving.mask.empty()) {
      metric->SetMovingImageMask(ToItkMask(moving));
    }

    auto scalesEstimator = ScalesEstimatorType::New();
    scalesEstimator->SetMetric(metric);
    scalesEstimator->SetTransformForward(true);

    // Steps in millimetres: at every iteration the learning rate is set so that the step moves no
    // corner of the fixed image by more than the level's step (the scales estimator measures the
    // shift). A fixed learning rate would be in parameter units, where a unit step of the versor
    // is a rotation of ~ 60 degrees and a unit step of the translation 1 mm.
    auto optimizer = OptimizerType::New();
    optimizer->SetScalesEstimator(scalesEstimator);
    optimizer->SetDoEstimateScales(true);
    optimizer->SetDoEstimateLearningRateOnce(false);
    optimizer->SetDoEstimateLearningRateAtEachIteration(true);
    optimizer->SetMaximumStepSizeInPhysicalUnits(settings.initialStepMm);
    optimizer->SetLearningRate(1.0);
    optimizer->SetMinimumStepLength(0.0); // convergence is checked in mm below
    optimizer->SetRelaxationFactor(settings.relaxationFactor);
    optimizer->SetNumberOfIterations(
        static_cast<itk::SizeValueType>(settings.maxIterationsPerLevel));
    optimizer->SetGradientMagnitudeTolerance(1e-12);
    // ITK 5.2 pairs each "best" value with the position after the step that follows it: off by
    // one step, so the last position is used instead.
    optimizer->SetReturnBestParametersAndValue(false);

    auto registration = RegistrationType::New();
    registration->SetFixedImage(fixedImage);
    registration->SetMovingImage(movingImage);
    registration->SetMetric(metric);
    registration->SetOptimizer(optimizer);
    registration->SetInitialTransform(transform);
    registration->InPlaceOn();

    const auto levelCount = static_cast<unsigned>(settings.levels.size());
    RegistrationType::SmoothingSigmasArrayType sigmas(levelCount);
    RegistrationType::MetricSamplingPercentageArrayType sampling(levelCount);
    registration->SetNumberOfLevels(levelCount);
    for (unsigned level = 0; level < levelCount; ++level) {
      const RegistrationLevel& settingsOfLevel = settings.levels[level];
      RegistrationType::ShrinkFactorsPerDimensionContainerType shrink;
      for (unsigned axis = 0; axis < 3; ++axis) {
        shrink[axis] = std::max(1u, settingsOfLevel.shrink[axis]);
      }
      registration->SetShrinkFactorsPerDimension(level, shrink);
      sigmas[level] = settingsOfLevel.sigmaMm;
      sampling[level] = std::clamp(settingsOfLevel.samplingFraction, 1e-4, 1.0);
    }
    registration->SetSmoothingSigmasPerLevel(sigmas);
    registration->SetSmoothingSigmasAreSpecifiedInPhysicalUnits(true);
    registration->SetMetricSamplingStrategy(RegistrationType::MetricSamplingStrategyEnum::RANDOM);
    registration->SetMetricSamplingPercentagePerLevel(sampling);
    registration->MetricSamplingReinitializeSeed(settings.randomSeed);

    // At the start of each level: record the iterations of the level before and halve the step
    // at each finer level (the coarse levels have made the large moves). After each iteration:
    // stop the level when the relaxed step falls below its minimum (mm).
    std::vector<int> iterationsPerLevel;
    std::string stopCondition;
    double levelStepMm = 2.0 * settings.initialStepMm;
    registration->AddObserver(itk::MultiResolutionIterationEvent(), [&](const itk::EventObject&) {
      if (registration->GetCurrentLevel() > 0) {
        iterationsPerLevel.push_back(static_cast<int>(optimizer->GetCurrentIteration()));
      }
      levelStepMm *= 0.5;
      optimizer->SetMaximumStepSizeInPhysicalUnits(levelStepMm);
      stopCondition.clear();
    });
    optimizer->AddObserver(itk::IterationEvent(), [&](const itk::EventObject&) {
      const double stepMm = optimizer->GetCurrentLearningRateRelaxation() * levelStepMm;
      if (stepMm < settings.minimumStepFraction * levelStepMm) {
        stopCondition = "step " + std::to_string(stepMm) + " mm below the minimum after " +
                        std::to_string(optimizer->GetCurrentIteration() + 1) + " iterations";
        optimizer->StopOptimization();
      }
    });

    registration->Update();
    iterationsPerLevel.push_back(static_cast<int>(optimizer->GetCurrentIteration()));

    RegistrationOutput output;
    const TransformType::MatrixType& matrix = transform->GetMatrix();
    const TransformType::OutputVectorType offset = transform->GetOffset();
    for (unsigned row = 0; row < 3; ++row) {
      for (unsigned column = 0; column < 3; ++column) {
        output.fixedToMoving[4 * row + column] = matrix(row, column);
      }
      output.fixedToMoving[4 * row + 3] = offset[row];
    }
    output.fixedToMoving[15] = 1.0;
    output.finalMetric = optimizer->GetValue();
    output.iterationsPerLevel = iterationsPerLevel;
    for (const int iterations : output.iterationsPerLevel) {
      output.iterations += iterations;
    }
    output.stopCondition =
        stopCondition.empty() ? optimizer->GetStopConditionDescription() : stopCondition;
    return output;
  } catch (const itk::ExceptionObject& exception) {
    throw InvalidInput("rigid registration failed in ITK: " + Describe(exception) +
                       "; expected two CTs of the same patient that overlap");
  }
}

} // namespace seedplan::imaging::detail

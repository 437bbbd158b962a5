#!/usr/bin/env python3
"""A post-implant CT series of iodine-125 seeds written by pydicom, for testing seed detection on
scans that neither of seedplan's own renderers (imaging/src/SeedRenderer, tests/imaging/
ScannerSimulator) made: a third, independent image model.

Usage: postimplant_ct.py OUT_DIR TRUTH_CSV [--key value ...]   (keys and defaults: OPTIONS below)

What differs from the project's renderers, on purpose (each is something a real scanner or another
simulator does):
- The seed is drawn as model 6711 is built, not as a uniform capsule: a silver rod (0.5 mm x 3 mm,
  --metal-hu) inside a titanium tube (0.8 mm x 4.5 mm) whose wall, averaged with the air inside,
  is --shell-hu. (--model uniform fills the whole capsule with --metal-hu instead.)
- The voxel value is the exact integral of that object against the point spread: in plane the
  pixel box convolved with a Gaussian (erf differences), through the slices a Gaussian or a
  triangular slice sensitivity profile of FWHM --slice (helical reconstructions), evaluated on a
  sub-voxel lattice around each seed (1/8 pixel, 0.05-0.1 mm along z).
- Streaks are rays from each seed, alternating bright and dark, fading with distance, in the
  slices the seed shows in; --mar compresses metal into a cap with tanh and removes most streaks.
- The HU scale is written as a scanner stores it (--scale): 12 bit (clips at 3071 HU), int16 or
  uint16 with intercepts -1024 or -8192, rescale slopes 10 and 0.5; slices are written in the
  reverse order with shuffled file names; instance numbers run against the slice order.
- Seeds: --seeds isolated seeds at least 9 mm apart in a soft-tissue region beside a lung and a
  vertebra, random directions; --pairs touching pairs side by side (1.0-1.6 mm between axes);
  --end-pairs pairs end to end.
The truth (seed centres and directions, LPS mm) is written to TRUTH_CSV as x_mm,y_mm,z_mm,dir_x,
dir_y,dir_z, one row per seed.
"""

import math
import os
import sys

import numpy as np
import pydicom
from pydicom.dataset import FileDataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from scipy.ndimage import gaussian_filter
from scipy.special import erf

CT_IMAGE_STORAGE = "1.2.840.10008.5.1.4.1.1.2"

OPTIONS = {
    "random": 1,  # seed of the random generator
    "seeds": 24,  # isolated seeds
    "pairs": 0,  # touching pairs side by side
    "end-pairs": 0,  # pairs end to end
    "model": "rod",  # rod (6711: silver rod in a titanium tube) or uniform
    "metal-hu": 30000.0,  # HU of the silver rod (rod) or of the whole capsule (uniform)
    "shell-hu": 1500.0,  # HU of the tube's wall averaged with the air inside (rod)
    "sigma": 0.5,  # in-plane Gaussian point spread beyond the pixel (mm)
    "slice": 2.0,  # slice thickness = slice spacing = FWHM of the slice profile (mm)
    "ssp": "gauss",  # slice sensitivity profile: gauss or triangle
    "pixel": 0.78,  # pixel spacing (mm)
    "size": 256,  # rows = columns
    "length": 64.0,  # scanned length along z (mm)
    "noise": 12.0,  # noise (HU, standard deviation)
    "streak": 300.0,  # streak amplitude next to a seed (HU)
    "mar": 0.0,  # metal-artefact reduction: cap (HU), 0 for none
    "scale": "12bit",  # 12bit, int16, uint16-8192, slope10, slope0.5
    "z0": 0.0,  # z of the first slice (mm)
}

SEED_LENGTH = 4.5
SEED_RADIUS = 0.4
ROD_LENGTH = 3.0
ROD_RADIUS = 0.25


def parse(argv):
    options = dict(OPTIONS)
    i = 0
    while i < len(argv):
        key = argv[i][2:]
        if not argv[i].startswith("--") or key not in options or i + 1 >= len(argv):
            sys.exit(f"postimplant_ct.py: unknown option or missing value: {argv[i]}")
        default = OPTIONS[key]
        options[key] = type(default)(argv[i + 1])
        i += 2
    return options


def anatomy(x, y):
    """HU of the anatomy in one slice (LPS mm): a body of soft tissue with a fat rim, a lung on
    the patient's right, a vertebra posterior (cancellous bone in a cortical shell)."""
    hu = np.full(x.shape, -1000.0)
    body = (x / 95.0) ** 2 + (y / 75.0) ** 2 <= 1.0
    hu[body] = -90.0
    hu[(x / 88.0) ** 2 + (y / 68.0) ** 2 <= 1.0] = 45.0
    hu[((x + 45.0) / 32.0) ** 2 + ((y + 5.0) / 42.0) ** 2 <= 1.0] = -830.0
    r = np.hypot(x - 5.0, y - 48.0)
    hu[r <= 14.0] = 1350.0
    hu[r <= 11.5] = 280.0
    return hu


def random_direction(rng):
    # Mostly along z (needles enter craniocaudally or obliquely), some in plane.
    if rng.random() < 0.25:
        v = np.array([rng.normal(), rng.normal(), 0.3 * rng.normal()])
    else:
        v = np.array([0.5 * rng.normal(), 0.5 * rng.normal(), 1.0])
    return v / np.linalg.norm(v)


def place_seeds(options, rng):
    """Seed centres and directions in the soft-tissue region between the lung and the vertebra,
    isolated seeds at least 9 mm from every other seed, pairs and end-to-end pairs as units."""
    z_low = options["z0"] + 10.0
    z_high = options["z0"] + options["length"] - 10.0
    seeds = []
    units = [("single", options["seeds"]), ("pair", options["pairs"]), ("end", options["end-pairs"])]

    def free(centre, radius):
        return all(np.linalg.norm(centre - s[0]) >= radius for s in seeds)

    for kind, count in units:
        placed = 0
        attempts = 0
        while placed < count:
            attempts += 1
            if attempts > 200000:
                sys.exit("postimplant_ct.py: cannot place that many seeds in the region")
            centre = np.array(
                [rng.uniform(-10.0, 70.0), rng.uniform(-50.0, 30.0), rng.uniform(z_low, z_high)]
            )
            # Inside the soft tissue, at least 3 mm clear of the lung and the vertebra's cortex.
            if ((centre[0] + 45.0) / 35.0) ** 2 + ((centre[1] + 5.0) / 45.0) ** 2 <= 1.0:
                continue
            if np.hypot(centre[0] - 5.0, centre[1] - 48.0) <= 17.0:
                continue
            if (centre[0] / 80.0) ** 2 + (centre[1] / 60.0) ** 2 > 1.0:
                continue
            direction = random_direction(rng)
            if kind == "single":
                if not free(centre, 9.0):
                    continue
                seeds.append((centre, direction))
            elif kind == "pair":
                if not free(centre, 11.0):
                    continue
                side = np.cross(direction, [1.0, 0.0, 0.0])
                if np.linalg.norm(side) < 0.3:
                    side = np.cross(direction, [0.0, 1.0, 0.0])
                side /= np.linalg.norm(side)
                gap = rng.uniform(1.0, 1.6)
                seeds.append((centre - 0.5 * gap * side, direction))
                seeds.append((centre + 0.5 * gap * side, direction))
            else:
                if not free(centre, 12.0):
                    continue
                half = 0.5 * (SEED_LENGTH + rng.uniform(0.0, 0.5))
                seeds.append((centre - half * direction, direction))
                seeds.append((centre + half * direction, direction))
            placed += 1
    return seeds


def seed_density(points, centre, direction, options):
    """HU excess over tissue of the seed at the points (n x 3 mm)."""
    offset = points - centre
    along = offset @ direction
    radial2 = np.einsum("ij,ij->i", offset, offset) - along * along
    capsule = (np.abs(along) <= SEED_LENGTH / 2) & (radial2 <= SEED_RADIUS**2)
    if options["model"] == "uniform":
        return np.where(capsule, options["metal-hu"] - 45.0, 0.0)
    rod = (np.abs(along) <= ROD_LENGTH / 2) & (radial2 <= ROD_RADIUS**2)
    return np.where(rod, options["metal-hu"] - 45.0, np.where(capsule, options["shell-hu"] - 45.0, 0.0))


def pixel_kernel(centres, sub, h, sigma):
    """Weight of a sub-voxel point at `sub` in the pixel centred at each of `centres`: the pixel box
    convolved with a Gaussian, i.e. the Gaussian's integral over the pixel, divided by h."""
    d = centres[:, None] - sub[None, :]
    s = max(sigma, 1e-3) * math.sqrt(2.0)
    return 0.5 * (erf((d + h / 2) / s) - erf((d - h / 2) / s)) / h


def slice_kernel(centres, sub, fwhm, shape):
    d = centres[:, None] - sub[None, :]
    if shape == "triangle":
        return np.clip(1.0 - np.abs(d) / fwhm, 0.0, None) / fwhm
    sigma = fwhm / 2.354820045
    return np.exp(-0.5 * (d / sigma) ** 2) / (math.sqrt(2.0 * math.pi) * sigma)


def add_seed(image, axes, centre, direction, options):
    """Adds one seed's blurred excess to image (z, y, x) by integrating over a sub-voxel lattice."""
    xs, ys, zs = axes
    h = options["pixel"]
    sigma = options["sigma"]
    fwhm = options["slice"]
    half = SEED_LENGTH / 2 + 0.5
    reach_xy = 4.0 * sigma + h
    reach_z = (1.0 if options["ssp"] == "triangle" else 2.5) * fwhm
    dxy = h / 8.0
    dz = min(0.1, fwhm / 10.0)
    sub_x = np.arange(centre[0] - half, centre[0] + half + dxy, dxy)
    sub_y = np.arange(centre[1] - half, centre[1] + half + dxy, dxy)
    sub_z = np.arange(centre[2] - half, centre[2] + half + dz, dz)
    grid = np.stack(np.meshgrid(sub_x, sub_y, sub_z, indexing="ij"), axis=-1).reshape(-1, 3)
    density = seed_density(grid, centre, direction, options).reshape(len(sub_x), len(sub_y), len(sub_z))
    density *= dxy * dxy * dz
    ix = np.nonzero(np.abs(xs - centre[0]) <= half + reach_xy)[0]
    iy = np.nonzero(np.abs(ys - centre[1]) <= half + reach_xy)[0]
    iz = np.nonzero(np.abs(zs - centre[2]) <= half + reach_z)[0]
    if len(ix) == 0 or len(iy) == 0 or len(iz) == 0:
        return
    kx = pixel_kernel(xs[ix], sub_x, h, sigma)
    ky = pixel_kernel(ys[iy], sub_y, h, sigma)
    kz = slice_kernel(zs[iz], sub_z, fwhm, options["ssp"])
    value = np.einsum("ia,abc->ibc", kx, density)
    value = np.einsum("jb,ibc->ijc", ky, value)
    value = np.einsum("kc,ijc->kji", kz, value)
    image[np.ix_(iz, iy, ix)] += value


def add_streaks(image, axes, seeds, options, rng):
    """Rays from each seed, alternately bright and dark, in the slices it shows in."""
    if options["streak"] <= 0.0:
        return
    xs, ys, zs = axes
    X, Y = np.meshgrid(xs, ys)
    fwhm = options["slice"]
    for centre, _ in seeds:
        phase = rng.uniform(0.0, math.pi)
        rays = int(rng.integers(3, 7))
        dx, dy = X - centre[0], Y - centre[1]
        r = np.hypot(dx, dy)
        c = np.cos(rays * (np.arctan2(dy, dx) - phase))
        pattern = np.sign(c) * np.abs(c) ** 12 * np.exp(-r / 35.0) * (r > 2.5)
        for k in np.nonzero(np.abs(zs - centre[2]) <= SEED_LENGTH / 2 + fwhm)[0]:
            weight = max(0.0, 1.0 - max(0.0, abs(zs[k] - centre[2]) - SEED_LENGTH / 2) / fwhm)
            image[k] += options["streak"] * weight * pattern


def stored_values(hu, scale):
    """The stored pixels and rescale of `hu` as a scanner with this scale writes it."""
    if scale == "12bit":
        return np.clip(np.round(hu + 1024), 0, 4095).astype(np.uint16), 12, 0, 1.0, -1024.0
    if scale == "int16":
        return np.clip(np.round(hu + 1024), -32768, 32767).astype(np.int16), 16, 1, 1.0, -1024.0
    if scale == "uint16-8192":
        return np.clip(np.round(hu + 8192), 0, 65535).astype(np.uint16), 16, 0, 1.0, -8192.0
    if scale == "slope10":
        return np.clip(np.round((hu + 1024) / 10), -32768, 32767).astype(np.int16), 16, 1, 10.0, -1024.0
    if scale == "slope0.5":
        return np.clip(np.round((hu + 1024) / 0.5), -32768, 32767).astype(np.int16), 16, 1, 0.5, -1024.0
    sys.exit(f"postimplant_ct.py: unknown --scale {scale}")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out_dir, truth_csv = sys.argv[1], sys.argv[2]
    options = parse(sys.argv[3:])
    rng = np.random.default_rng(options["random"])
    os.makedirs(out_dir, exist_ok=True)

    n = options["size"]
    h = options["pixel"]
    slices = int(round(options["length"] / options["slice"]))
    xs = (np.arange(n) - (n - 1) / 2) * h + 12.0
    ys = (np.arange(n) - (n - 1) / 2) * h - 4.0
    zs = options["z0"] + np.arange(slices) * options["slice"]
    axes = (xs, ys, zs)

    seeds = place_seeds(options, rng)
    X, Y = np.meshgrid(xs, ys)
    tissue = anatomy(X, Y)
    sigma_px = max(options["sigma"], 0.2) / h
    tissue = gaussian_filter(tissue, sigma_px)
    image = np.repeat(tissue[None, :, :], slices, axis=0)
    metal = np.zeros_like(image)
    for centre, direction in seeds:
        add_seed(metal, axes, centre, direction, options)
    streaks = np.zeros_like(image)
    add_streaks(streaks, axes, seeds, options, rng)
    noise = gaussian_filter(rng.normal(size=image.shape), (0, 0.7, 0.7))
    noise *= options["noise"] / max(noise.std(), 1e-9)

    if options["mar"] > 0.0:
        cap = options["mar"]
        # The metal excess compressed into what is left below the cap; streaks mostly removed.
        room = np.maximum(cap - image, 1.0)
        image = image + room * np.tanh(metal / room) + 0.15 * streaks + noise
    else:
        image = image + metal + streaks + noise

    with open(truth_csv, "w") as out:
        out.write("x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n")
        for centre, direction in seeds:
            out.write(",".join(f"{v:.4f}" for v in (*centre, *direction)) + "\n")

    study, series, frame = generate_uid(), generate_uid(), generate_uid()
    order = rng.permutation(slices)
    for k in range(slices)[::-1]:
        stored, bits, representation, slope, intercept = stored_values(image[k], options["scale"])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CT_IMAGE_STORAGE
        meta.MediaStorageSOPInstanceUID = generate_uid()
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds = FileDataset(None, {}, file_meta=meta, preamble=b"\0" * 128)
        ds.is_little_endian = True
        ds.is_implicit_VR = False
        ds.SOPClassUID = CT_IMAGE_STORAGE
        ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
        ds.StudyInstanceUID = study
        ds.SeriesInstanceUID = series
        ds.FrameOfReferenceUID = frame
        ds.Modality = "CT"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.PatientName = "Third^Renderer"
        ds.PatientID = "POSTIMPLANT-PYDICOM"
        ds.PatientPosition = "HFS"
        ds.PatientBirthDate = ""
        ds.PatientSex = "M"
        ds.StudyDate = "20261201"
        ds.StudyTime = "093000"
        ds.StudyID = "7"
        ds.AccessionNumber = ""
        ds.ReferringPhysicianName = ""
        ds.PositionReferenceIndicator = ""
        ds.Manufacturer = "postimplant_ct.py"
        ds.KVP = 120
        ds.ConvolutionKernel = "SOFT" if options["sigma"] >= 0.8 else "STANDARD"
        ds.SeriesNumber = 3
        ds.AcquisitionNumber = 1
        ds.InstanceNumber = slices - k
        ds.ImagePositionPatient = [float(xs[0]), float(ys[0]), round(float(zs[k]), 4)]
        ds.ImageOrientationPatient = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
        ds.PixelSpacing = [h, h]
        ds.SliceThickness = options["slice"]
        ds.SamplesPerPixel = 1
        ds.PhotometricInterpretation = "MONOCHROME2"
        ds.Rows = n
        ds.Columns = n
        ds.BitsAllocated = 16
        ds.BitsStored = bits
        ds.HighBit = bits - 1
        ds.PixelRepresentation = representation
        ds.RescaleIntercept = intercept
        ds.RescaleSlope = slope
        ds.RescaleType = "HU"
        ds.WindowCenter = 40
        ds.WindowWidth = 400
        ds.PixelData = stored.tobytes()
        ds.save_as(os.path.join(out_dir, f"IM{order[k]:05d}"), write_like_original=False)


if __name__ == "__main__":
    main()

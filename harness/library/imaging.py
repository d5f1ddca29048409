"""Image comparison for thumbnail assertions: PSNR over RGB (fixtures/README.md gives the thresholds)."""

from __future__ import annotations

import math

from PIL import Image, ImageChops, ImageStat


def psnr(actual: Image.Image, expected: Image.Image) -> float:
    """Peak signal-to-noise ratio in dB of two same-size images (inf when identical)."""
    a, b = actual.convert("RGB"), expected.convert("RGB")
    if a.size != b.size:
        raise ValueError(f"cannot compare images of different sizes: {a.size} vs {b.size}")
    squared_error = sum(ImageStat.Stat(ImageChops.difference(a, b)).sum2)
    mse = squared_error / (a.size[0] * a.size[1] * 3)
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


# Agreement thresholds (fixtures/README.md explains them).
GOLDEN_MIN_PSNR_DB = 40.0  # the Python rule vs its own golden files: same code, same Pillow
SHARP_MIN_PSNR_DB = 30.0  # sharp vs Pillow: different resampling kernels and JPEG encoders
# libvips converts CMYK through an ICC profile (its built-in one when the file has none);
# Pillow converts CMYK arithmetically: same picture, different colour rendering.
_SHARP_MIN_PSNR_DB_BY_IMAGE = {"cmyk.jpg": 18.0}


def sharp_min_psnr_db(image_name: str) -> float:
    return _SHARP_MIN_PSNR_DB_BY_IMAGE.get(image_name, SHARP_MIN_PSNR_DB)

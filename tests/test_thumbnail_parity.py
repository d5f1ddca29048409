"""The Node + sharp implementation agrees with the Python + Pillow one (fixtures/README.md thresholds)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from harness.library.imaging import psnr, sharp_min_psnr_db
from harness.library.layout import CHECKOUT_ROOT
from tests.thumbnail_app import load, node_modules_installed, sharp_thumbnail

IMAGES = sorted((CHECKOUT_ROOT / "fixtures" / "images").iterdir())

pytestmark = pytest.mark.skipif(not node_modules_installed(), reason="app/thumbnail_node/node_modules missing: run `make setup`")
thumbnail = load("thumbnail")


@pytest.mark.parametrize("source", IMAGES, ids=lambda p: p.name)
def test_sharp_and_pillow_agree(source, tmp_path):
    target = tmp_path / "sharp.jpg"
    sharp_thumbnail(source, target)
    sharp = Image.open(target)
    pillow = Image.open(io.BytesIO(thumbnail.make_thumbnail(source.read_bytes(), 512, 512)))
    assert (sharp.format, sharp.size, sharp.mode) == ("JPEG", (512, 512), "RGB")
    assert psnr(sharp, pillow) >= sharp_min_psnr_db(source.name)

"""The thumbnail rule (system.md "Thumbnail rule") on the Python implementation, without AWS."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, JpegImagePlugin

from harness.library.imaging import GOLDEN_MIN_PSNR_DB, psnr
from harness.library.layout import CHECKOUT_ROOT
from tests.thumbnail_app import load

IMAGES = sorted((CHECKOUT_ROOT / "fixtures" / "images").iterdir())
BAD = sorted((CHECKOUT_ROOT / "fixtures" / "bad").iterdir())
GOLDEN = CHECKOUT_ROOT / "fixtures" / "golden"

thumbnail = load("thumbnail")


def thumb(data: bytes, width: int = 512, height: int = 512) -> Image.Image:
    return Image.open(io.BytesIO(thumbnail.make_thumbnail(data, width, height)))


def encoded(image: Image.Image, fmt: str = "PNG", **kwargs) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **kwargs)
    return out.getvalue()


def reference_q80_tables() -> dict:
    return Image.open(io.BytesIO(encoded(Image.new("RGB", (16, 16)), "JPEG", quality=80))).quantization


@pytest.mark.parametrize("source", IMAGES, ids=lambda p: p.name)
def test_every_image_becomes_a_512_rgb_jpeg_q80_420(source):
    image = thumb(source.read_bytes())
    assert (image.format, image.size, image.mode) == ("JPEG", (512, 512), "RGB")
    assert JpegImagePlugin.get_sampling(image) == 2  # 4:2:0
    assert image.quantization == reference_q80_tables()  # quality 80


@pytest.mark.parametrize("source", IMAGES, ids=lambda p: p.name)
def test_matches_golden(source, regenerate_golden):
    """Golden thumbnails: `pytest --regenerate-golden tests/test_thumbnail_rule.py` rewrites them."""
    golden = GOLDEN / f"{source.stem}.jpg"
    data = thumbnail.make_thumbnail(source.read_bytes(), 512, 512)
    if regenerate_golden:
        GOLDEN.mkdir(exist_ok=True)
        golden.write_bytes(data)
    assert psnr(Image.open(io.BytesIO(data)), Image.open(golden)) >= GOLDEN_MIN_PSNR_DB


def test_exif_orientation_is_honoured():
    """exif-rotated.jpg: red block on the left, blue on the right, orientation 6 (rotate 90 clockwise)."""
    image = thumb((CHECKOUT_ROOT / "fixtures" / "images" / "exif-rotated.jpg").read_bytes())
    top, bottom = image.getpixel((256, 40)), image.getpixel((256, 470))
    assert top[0] > 200 and top[2] < 60, top
    assert bottom[2] > 200 and bottom[0] < 60, bottom


def test_alpha_is_flattened_on_white():
    image = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((100, 100, 200, 200), fill=(200, 0, 0, 255))
    result = thumb(encoded(image))
    assert min(result.getpixel((5, 5))) > 245
    assert result.getpixel((256, 256))[0] > 180


def test_cover_keeps_aspect_and_crops_the_centre():
    """A 3000x600 panorama: the 600x600 centre fills the square; nothing is stretched."""
    image = Image.new("RGB", (3000, 600), "white")
    ImageDraw.Draw(image).rectangle((1200, 0, 1799, 599), fill="black")
    ImageDraw.Draw(image).ellipse((1400, 200, 1599, 399), fill="white")  # a circle stays a circle
    result = thumb(encoded(image, "JPEG", quality=95)).convert("L")
    assert result.getpixel((5, 256)) < 40 and result.getpixel((506, 256)) < 40  # only the black band remains
    circle = [x for x in range(512) if result.getpixel((x, 256)) > 128]
    vertical = [y for y in range(512) if result.getpixel((256, y)) > 128]
    assert abs(len(circle) - len(vertical)) <= 4


def test_small_images_are_scaled_up_to_cover():
    assert thumb(encoded(Image.new("RGB", (20, 15), "red"))).size == (512, 512)


def test_other_sizes_are_honoured():
    assert thumb((CHECKOUT_ROOT / "fixtures" / "images" / "photo.jpg").read_bytes(), 128, 64).size == (128, 64)


@pytest.mark.parametrize("bad, message", [
    ("zero-bytes.jpg", "empty object"),
    ("truncated.jpg", "truncated"),
    ("text.jpg", "cannot decode as an image"),
    ("bomb.png", "decompression bomb"),
])
def test_bad_input_raises_a_clear_error(bad, message):
    with pytest.raises(thumbnail.ImageDecodeError, match=message):
        thumbnail.make_thumbnail((CHECKOUT_ROOT / "fixtures" / "bad" / bad).read_bytes(), 512, 512)


def test_every_bad_fixture_is_covered():
    assert {p.name for p in BAD} == {"zero-bytes.jpg", "truncated.jpg", "text.jpg", "bomb.png"}


@pytest.fixture
def handler(monkeypatch):
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("FOLDER_OUTPUT", "avatars")
    return load("handler")


@pytest.mark.parametrize("value", ["NaN", "512px", "", "-5", "0"])
def test_dimensions_must_be_positive_integers_bug_10(handler, monkeypatch, value):
    monkeypatch.setenv("PROCESS_WIDTH", value)
    with pytest.raises(ValueError, match=f"PROCESS_WIDTH must be a positive integer, got {value!r}"):
        handler.dimension("PROCESS_WIDTH")


def test_dimensions_parse_strings(handler, monkeypatch):
    monkeypatch.setenv("PROCESS_HEIGHT", "512")
    assert handler.dimension("PROCESS_HEIGHT") == 512


@pytest.mark.parametrize("event_key, key, output", [
    ("my+avatar.jpg", "my avatar.jpg", "avatars/my avatar.jpg"),  # bug 11
    ("folder/a%2Bb.png", "folder/a+b.png", "avatars/a+b.jpg"),
    ("uploads/%C3%A9t%C3%A9.jpeg", "uploads/été.jpeg", "avatars/été.jpg"),
    ("abc.def.gif", "abc.def.gif", "avatars/abc.def.jpg"),
])
def test_key_decoding_and_output_key(handler, event_key, key, output):
    record = {"s3": {"object": {"key": event_key}}}
    assert handler.source_key(record) == key
    assert handler.output_key(key) == output

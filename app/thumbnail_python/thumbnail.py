"""The thumbnail rule (system.md "Thumbnail rule"), pure image work with Pillow: no AWS here.

Cover-resize to width x height (keep aspect, scale to cover, centre crop), honouring EXIF
orientation; JPEG quality 80 with 4:2:0 chroma subsampling. Phone photos come as CMYK JPEGs,
PNGs with alpha, palette GIFs, WebP, 16-bit grayscale: all end up as 3-channel RGB.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps

JPEG_QUALITY = 80
JPEG_SUBSAMPLING_420 = 2
ALPHA_BACKGROUND = (255, 255, 255)  # transparent areas become white, in both implementations


class ImageDecodeError(ValueError):
    """The bytes are not an image Pillow can decode (empty, truncated, not an image, a decompression bomb)."""


def make_thumbnail(data: bytes, width: int, height: int) -> bytes:
    """JPEG bytes of `data` cover-resized to exactly width x height."""
    image = _decode(data, width, height)
    image = ImageOps.fit(_to_rgb(ImageOps.exif_transpose(image)), (width, height), method=Image.Resampling.LANCZOS,
                         centering=(0.5, 0.5))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=JPEG_QUALITY, subsampling=JPEG_SUBSAMPLING_420, optimize=False, progressive=False)
    return out.getvalue()


def _decode(data: bytes, width: int, height: int) -> Image.Image:
    if not data:
        raise ImageDecodeError("cannot decode an empty object (0 bytes)")
    try:
        image = Image.open(io.BytesIO(data))
        _draft_for_cover(image, width, height)
        image.load()  # decode now, so that truncated data fails here and not half-way through encoding
    except Image.DecompressionBombError as error:
        raise ImageDecodeError(f"refusing a decompression bomb: {error}") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise ImageDecodeError(f"cannot decode as an image: {error}") from error
    return image


def _draft_for_cover(image: Image.Image, width: int, height: int) -> None:
    """JPEG DCT scaling: decode at 1/2, 1/4 or 1/8 size when the result still covers the box.

    EXIF rotation by 90 degrees swaps the axes, so the box is checked both ways round.
    """
    if image.format != "JPEG":
        return
    src_w, src_h = image.size
    side = max(width, height)
    scale = max(side / src_w, side / src_h)  # enough for either orientation
    image.draft(image.mode if image.mode in ("RGB", "L", "CMYK") else None, (max(1, round(src_w * scale)), max(1, round(src_h * scale))))


def _to_rgb(image: Image.Image) -> Image.Image:
    if image.mode == "RGB":
        return image
    if image.mode == "P":
        image = image.convert("RGBA" if "transparency" in image.info else "RGB")
    if image.mode in ("RGBA", "LA", "PA", "RGBa"):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, ALPHA_BACKGROUND)
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I;16") or image.mode == "I":
        image = image.convert("I").point(lambda value: value * (1 / 256))  # 16-bit samples to 8-bit
    return image.convert("L").convert("RGB") if image.mode in ("I", "F") else image.convert("RGB")

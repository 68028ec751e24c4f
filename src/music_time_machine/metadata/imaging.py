"""Turning a downloaded picture into the small, clean WebP files the pages show.

Whatever a third party sends is decoded only by Pillow's JPEG, PNG, WebP and GIF readers
(``ALLOWED_FORMATS``: no SVG, no HTML, nothing a browser could run), and only when its
declared dimensions stay under ``MAX_PIXELS`` (a decompression bomb is refused from its
header, before any pixel is decoded). Each picture becomes a square, centre-cropped
rendition per ``SIZES`` (64 px for list rows, 300 px for cards), written from fresh pixel
data so that no EXIF, GPS, ICC or text chunk of the original survives.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image, ImageOps, UnidentifiedImageError

from .errors import ImageRejected

#: Square renditions kept of every picture, in pixels.
SIZES = (64, 300)
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
#: The most pixels a source picture may declare (a 1,400 px cover is 2 million).
MAX_PIXELS = 25_000_000
WEBP_QUALITY = 80

# Pillow's own guard, as a second line: it raises DecompressionBombError at twice this.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS


def render(data: bytes) -> dict[int, bytes]:
    """WebP bytes for each of ``SIZES``; raises ``ImageRejected`` for anything but a picture
    of a sane size (``not_an_image`` or ``too_large``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS) as source:
                width, height = source.size
                if width < 1 or height < 1:
                    raise ImageRejected("the picture has no pixels")
                if width * height > MAX_PIXELS:
                    raise ImageRejected(
                        f"a {width} x {height} picture is over the {MAX_PIXELS:,}-pixel cap",
                        cause="too_large",
                    )
                source.draft("RGB", (max(SIZES) * 2, max(SIZES) * 2))  # JPEG: decode smaller
                picture = ImageOps.exif_transpose(source)
                mode = "RGBA" if _has_alpha(picture) else "RGB"
                picture = picture.convert(mode)
    except ImageRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageRejected("the picture declares too many pixels", cause="too_large") from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ImageRejected("the bytes are not a JPEG, PNG, WebP or GIF picture") from None
    return {size: _webp(picture, size, mode) for size in SIZES}


def _has_alpha(picture: Image.Image) -> bool:
    return picture.mode in ("RGBA", "LA", "PA") or (
        picture.mode == "P" and "transparency" in picture.info
    )


def _webp(picture: Image.Image, size: int, mode: str) -> bytes:
    fitted = ImageOps.fit(picture, (size, size), Image.Resampling.LANCZOS)
    clean = Image.frombytes(mode, fitted.size, fitted.tobytes())  # pixels only, no metadata
    out = io.BytesIO()
    clean.save(out, "WEBP", quality=WEBP_QUALITY, method=4)
    return out.getvalue()

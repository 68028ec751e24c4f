"""``/_fake/images/<id>``: the fake's own pictures, so the sandbox never points at Spotify's CDN.

Real image objects name ``https://i.scdn.co/image/<prefix><hash>``, whose 16-hex-digit prefix
encodes the kind and size (``objects.IMAGE_SIZES``). The fake's objects keep those ids but
point at this endpoint on the fake itself, which draws a small JPEG of that size in a colour
taken from the id: an offline demo or test run downloads real pictures from a loopback
address, and a distinct id gives a distinct picture (the app stores each once, by its hash).
"""

from __future__ import annotations

import io
import re
from functools import lru_cache

from flask import Blueprint, Response, abort

from .objects import IMAGE_SIZES

bp = Blueprint("fake_images", __name__, url_prefix="/_fake/images")

IMAGE_ID = re.compile(r"^([0-9a-f]{16})([0-9a-f]{20,40})$")


@bp.get("/<image_id>")
def image(image_id: str) -> Response:
    found = IMAGE_ID.match(image_id)
    if found is None or found.group(1) not in IMAGE_SIZES:
        abort(404)
    data = draw(IMAGE_SIZES[found.group(1)], found.group(2))
    return Response(
        data, mimetype="image/jpeg", headers={"Cache-Control": "public, max-age=31536000"}
    )


@lru_cache(maxsize=256)
def draw(size: int, digest: str) -> bytes:
    """A ``size``-pixel square JPEG: two bands in colours drawn from ``digest``."""
    from PIL import Image, ImageDraw

    first = tuple(int(digest[i : i + 2], 16) for i in (0, 2, 4))
    second = tuple(int(digest[i : i + 2], 16) for i in (6, 8, 10))
    picture = Image.new("RGB", (size, size), first)
    ImageDraw.Draw(picture).rectangle((0, size // 2, size, size), fill=second)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=80)
    return out.getvalue()

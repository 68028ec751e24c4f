"""Cover images for the fake Cover Art Archive: small real PNGs, the same for the same id.

No imaging library is needed: a PNG is a signature, an ``IHDR`` chunk, zlib-compressed
scanlines in ``IDAT`` and ``IEND``. Each cover is an 8 x 8 grid of three colours picked from
the image id, so covers differ visibly and compress to a few kilobytes at any size.
"""

from __future__ import annotations

import hashlib
import struct
import zlib
from functools import lru_cache

#: Sizes the Cover Art Archive serves: thumbnails, and the original (``None``).
THUMBNAIL_SIZES = (250, 500, 1200)
ORIGINAL_SIZE = 1400
_GRID = 8


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


@lru_cache(maxsize=64)
def cover_png(image_id: int, size: int) -> bytes:
    """A ``size`` x ``size`` RGB PNG for ``image_id``."""
    digest = hashlib.sha256(str(image_id).encode()).digest()
    palette = [bytes(digest[i : i + 3]) for i in (0, 3, 6)]
    bounds = [size * k // _GRID for k in range(_GRID + 1)]
    rows = []
    for gy in range(_GRID):
        line = b"".join(
            palette[digest[(9 + gy * _GRID + gx) % len(digest)] % 3] * (bounds[gx + 1] - bounds[gx])
            for gx in range(_GRID)
        )
        rows.append((b"\x00" + line) * (bounds[gy + 1] - bounds[gy]))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"".join(rows), 6))
        + _chunk(b"IEND", b"")
    )

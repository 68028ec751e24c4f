"""The image store: downscaled pictures in ``<MTM_DATA_DIR>/images``, one copy each.

A picture is named by the hash of the bytes downloaded (``key``: 32 hex digits of SHA-256),
so the same cover reached through two albums or two users is rendered and kept once, and a
key never changes meaning: the pages may tell browsers to cache it for a year. Its
renditions (``imaging.SIZES``) live at ``images/<key[:2]>/<key>-<size>.webp``, each written to
a temporary file in the same folder and renamed into place, so a reader never sees half a
file and a crash leaves at most a stray ``.tmp``.

Who may be served a key is not the store's business: ``db.artwork`` says which keys each
user's albums and artists show, and ``web.images`` asks it before sending a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

from .imaging import SIZES, render

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
FOLDER = "images"


def image_key(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:32]


class ImageStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    @classmethod
    def in_data_dir(cls, data_dir: str | Path) -> ImageStore:
        return cls(Path(data_dir) / FOLDER)

    def path(self, key: str, size: int) -> Path:
        """Where the ``size`` rendition of ``key`` lives (whether or not it exists)."""
        if not KEY_PATTERN.match(key) or size not in SIZES:
            raise ValueError(f"no such image: {key!r} at {size} px")
        return self.root / key[:2] / f"{key}-{size}.webp"

    def has(self, key: str) -> bool:
        return all(self.path(key, size).is_file() for size in SIZES)

    def put(self, data: bytes) -> str:
        """Store the picture in ``data`` (rendered by ``imaging.render``) and return its key.

        Raises ``ImageRejected`` for anything that is not a picture of a sane size; nothing
        is written then. A picture already stored is not rendered again.
        """
        key = image_key(data)
        if self.has(key):
            return key
        renditions = render(data)
        folder = self.root / key[:2]
        folder.mkdir(parents=True, exist_ok=True)
        for size, webp in renditions.items():
            _write_atomically(self.path(key, size), webp)
        return key


def _write_atomically(target: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

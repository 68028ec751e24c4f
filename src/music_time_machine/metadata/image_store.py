"""The image store: downscaled pictures in ``<MTM_DATA_DIR>/images``, one copy each.

A picture is named by the hash of the bytes downloaded (``key``: 32 hex digits of SHA-256),
so the same cover reached through two albums or two users is rendered and kept once, and a
key never changes meaning: the pages may tell browsers to cache it for a year. Its
renditions (``imaging.SIZES``) live at ``images/<key[:2]>/<key>-<size>.webp``, each written to
a temporary file in the same folder and renamed into place, so a reader never sees half a
file and a crash leaves at most a stray ``.tmp``.

Who may be served a key is not the store's business: ``db.artwork`` says which keys each
user's albums and artists show, and ``web.images`` asks it before sending a file. Which keys
to keep is not either: ``prune`` is told (``metadata.image_pruning`` asks ``db.artwork``).
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import re
import stat
import tempfile
from collections.abc import Container, Iterator
from pathlib import Path

from .imaging import SIZES, render

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

KEY_PATTERN = re.compile(r"^[0-9a-f]{32}$")
FOLDER = "images"
#: The file ``put`` and ``prune`` lock (in the store's root: never a rendition's name).
LOCK_FILE = ".lock"
#: Whether this system can prune safely: a lock that ``put`` shares (``flock``), and folders
#: opened without following symlinks and read and deleted from through their descriptor.
#: Elsewhere (Windows) nothing is pruned: nothing could be proven safe to delete.
CAN_PRUNE = (
    fcntl is not None
    and hasattr(os, "O_NOFOLLOW")
    and os.unlink in os.supports_dir_fd
    and os.scandir in os.supports_fd
)
_SUBFOLDER = re.compile(r"^[0-9a-f]{2}$")


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
        return self.root / key[:2] / _file_name(key, size)

    def has(self, key: str) -> bool:
        return all(self.path(key, size).is_file() for size in SIZES)

    def put(self, data: bytes) -> str:
        """Store the picture in ``data`` (rendered by ``imaging.render``) and return its key.

        Raises ``ImageRejected`` for anything that is not a picture of a sane size; nothing
        is written then. A picture already stored is not rendered again, but its files are
        claimed: their modification time becomes now, so that ``prune`` leaves them alone
        for its grace period, as it does a picture just written (see ``prune``).
        """
        key = image_key(data)
        if self.root.is_dir():
            with self._locked(exclusive=False):
                if self._claim(key):
                    return key
        renditions = render(data)
        with self._locked(exclusive=False):
            (self.root / key[:2]).mkdir(parents=True, exist_ok=True)
            for size, webp in renditions.items():
                _write_atomically(self.path(key, size), webp)
        return key

    def _claim(self, key: str) -> bool:
        """Whether every rendition of ``key`` is stored; if so, each is marked as used now."""
        try:
            for size in SIZES:
                os.utime(self.path(key, size))
        except FileNotFoundError:
            return False
        return True

    def prune(self, keep: Container[str], modified_before: float) -> int:
        """Delete the files of every key not in ``keep`` that were last written or claimed
        by ``put`` before ``modified_before`` (seconds since the epoch, as ``time.time``);
        returns how many files went.

        Why the time: a caller of ``put`` (another user's enrichment) saves the row that
        refers to the key only after ``put`` returns, so a key missing from ``keep`` may be
        about to be shown. ``put`` gives the files of the key it returns a modification time
        of now (written, or claimed when already stored), under a lock shared with this
        method, which holds it exclusively from its first look at a file to its last
        deletion. So a file deleted here was last put before ``modified_before``, and a
        caller that reads ``keep`` after choosing ``modified_before = now - grace`` deletes
        nothing whose row is saved within ``grace`` of its ``put``
        (``metadata.image_pruning``); a ``put`` that comes after a deletion writes the
        picture again.

        Only renditions are touched: regular files named ``<key>-<size>.webp`` for a size
        in ``SIZES`` in the folder ``<key[:2]>`` directly under the root. Anything else (a
        crash's ``.tmp``, the lock file, other names, symlinks, whatever they point to) is
        left alone; folders are opened without following symlinks and files deleted
        through them, so nothing outside the root is reached (the root itself is where the
        store was configured, symlink or not). A file already gone is
        skipped; a file that cannot be deleted is logged and the rest go on. A folder left
        empty is removed.
        """
        if not CAN_PRUNE:
            return 0
        try:
            root = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:
            return 0
        removed = 0
        try:
            with self._locked(exclusive=True):
                with os.scandir(root) as entries:
                    folders = [
                        e.name
                        for e in entries
                        if _SUBFOLDER.match(e.name) and e.is_dir(follow_symlinks=False)
                    ]
                for name in folders:
                    removed += _prune_folder(root, name, keep, modified_before)
        finally:
            os.close(root)
        return removed

    @contextlib.contextmanager
    def _locked(self, exclusive: bool) -> Iterator[None]:
        """The store's lock: shared by ``put``s, exclusive for ``prune`` (see ``prune``)."""
        if fcntl is None:  # pragma: no cover - not POSIX, where nothing is pruned
            yield
            return
        self.root.mkdir(parents=True, exist_ok=True)
        flags = os.O_RDONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | os.O_CLOEXEC
        handle = os.open(self.root / LOCK_FILE, flags, 0o600)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
            yield
        finally:
            os.close(handle)  # and with it the lock


def _file_name(key: str, size: int) -> str:
    return f"{key}-{size}.webp"


def _rendition_key(folder: str, name: str) -> str | None:
    """The key whose rendition ``name`` in ``folder`` is, or None for any other name."""
    key = name[:32]
    ours = KEY_PATTERN.match(key) and key[:2] == folder
    return key if ours and any(name == _file_name(key, s) for s in SIZES) else None


def _prune_folder(root: int, folder: str, keep: Container[str], modified_before: float) -> int:
    """``ImageStore.prune`` in one ``<key[:2]>`` folder (``root``: the store's open root)."""
    try:
        handle = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=root)
    except OSError:  # gone meanwhile, or not a plain folder any more
        return 0
    removed = 0
    try:
        with os.scandir(handle) as entries:
            for entry in entries:
                key = _rendition_key(folder, entry.name)
                if key is None or key in keep:
                    continue
                try:
                    info = entry.stat(follow_symlinks=False)
                    if not stat.S_ISREG(info.st_mode) or info.st_mtime >= modified_before:
                        continue
                    os.unlink(entry.name, dir_fd=handle)
                    removed += 1
                except FileNotFoundError:
                    continue
                except OSError as error:
                    log.warning(
                        "could not delete the picture file %s/%s: %s", folder, entry.name, error
                    )
    finally:
        os.close(handle)
    if removed:
        with contextlib.suppress(OSError):  # not empty: other pictures, or names not ours
            os.rmdir(folder, dir_fd=root)
    return removed


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

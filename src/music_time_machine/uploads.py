"""Upload folders (``<data dir>/uploads/<job id>``) and who is using them.

A background import or restore reads its files from its upload folder and removes the folder
when it ends. A crash (power cut, OOM kill) ends it without that, leaving hundreds of MB
behind and the job "running" for ever, so every start cleans up. Several processes may share
one data folder (``mtm serve`` and cron's ``mtm sync``, or two servers), so a start must
never touch a job another live process is still running.

The rule: the process running a job holds an exclusive ``flock`` on the folder's lock file
for the job's whole life. The kernel drops that lock when the process dies, however it dies,
so "the lock can be taken" means exactly "no live process is using this folder" — no
heartbeat to tune, no clock to trust. A folder only ever appears under its job's name with
the lock already held (it is made under a staging name, locked, then renamed), and the job
row is written after that, so a job whose folder is missing or unlocked is dead.

Where ``fcntl`` is missing (Windows), nothing can be proven dead, so nothing is removed.

The folder is also how another process asks a job to stop (the server's Cancel for an
``mtm enrich`` run): ``request_stop`` leaves a ``.stop`` file in it, which the job's
``JobControl`` looks for (``UploadFolder.stop_requested``).
"""

from __future__ import annotations

import logging
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from .db import jobs

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: The lock file inside each upload folder (a saved upload never starts with a dot:
#: ``secure_filename`` strips leading dots).
LOCK_NAME = ".in-use"
#: The file another process leaves in a job's folder to ask it to stop.
STOP_NAME = ".stop"
#: Folders being set up are made under this prefix, then renamed to the job id.
STAGING_PREFIX = ".claim-"
#: A staging folder younger than this may be a claim in progress in another process.
STAGING_GRACE_S = 3600

STOPPED_BY_RESTART = (
    "Stopped by a restart: the server stopped during this job. Files not "
    "finished were rolled back; please upload again (nothing is counted "
    "twice)."
)


def uploads_root(data_dir: str | Path) -> Path:
    return Path(data_dir) / "uploads"


@dataclass
class UploadFolder:
    """A job's upload folder, locked by this process until :meth:`release`."""

    path: Path
    _lock: IO[str] | None

    def stop_requested(self) -> bool:
        """Whether another process asked this job to stop (``request_stop``)."""
        return os.path.lexists(self.path / STOP_NAME)

    def release(self) -> None:
        """Drop the lock (after the folder is removed, so no start-up removes it early)."""
        if self._lock is not None:
            self._lock.close()
            self._lock = None


def claim_upload_folder(data_dir: str | Path, job_id: str) -> UploadFolder:
    """Create ``uploads/<job_id>`` already locked by this process (see the module docs)."""
    root = uploads_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    lock = open(staging / LOCK_NAME, "w")  # noqa: SIM115 - held open for the job's life
    try:
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        final = root / job_id
        staging.rename(final)
    except BaseException:
        lock.close()
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return UploadFolder(final, lock)


def request_stop(data_dir: str | Path, job_id: str) -> bool:
    """Ask the process running job ``job_id`` to stop, whichever process that is; False when
    no live process runs it (or its folder cannot be written: nothing was asked)."""
    folder = uploads_root(data_dir) / job_id
    if Path(job_id).name != job_id or job_id.startswith(".") or folder.is_symlink():
        return False
    if not folder.is_dir():
        return False
    with _locked_if_unused(folder) as unused:
        if unused:
            return False
    try:
        fd = os.open(
            folder / STOP_NAME, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600
        )
    except OSError:
        return False
    os.close(fd)
    return True


@contextmanager
def _locked_if_unused(folder: Path) -> Iterator[bool]:
    """Yield True (holding the folder's lock) if no live process uses ``folder``."""
    if fcntl is None:
        yield False
        return
    try:
        lock = open(folder / LOCK_NAME, "r+")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        yield True  # never locked: from a version without locks, or not a job folder
        return
    except OSError:
        yield False
        return
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def clean_stale_uploads(
    conn: sqlite3.Connection, data_dir: str | Path, now: float | None = None
) -> tuple[int, int]:
    """Fail jobs no live process runs, and remove upload folders nobody uses.

    Returns (jobs marked failed, folders removed). Safe to run while other processes work
    in the same data folder: their jobs hold their locks.
    """
    root = uploads_root(data_dir)
    failed = 0
    for job_id in jobs.unfinished_job_ids(conn):
        folder = root / job_id
        # Listed before its folder was looked at: a job that finishes meanwhile is no
        # longer unfinished, and the conditional update leaves it alone.
        with _locked_if_unused(folder) as unused:
            if unused or not folder.is_dir():
                failed += jobs.fail_unfinished_job(conn, job_id, STOPPED_BY_RESTART)
    removed = 0
    now = now or time.time()
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        if entry.name.startswith(STAGING_PREFIX) and now - entry.stat().st_mtime < STAGING_GRACE_S:
            continue
        if entry.is_symlink() or not entry.is_dir():
            entry.unlink(missing_ok=True)
            removed += 1
            continue
        with _locked_if_unused(entry) as unused:
            if unused:
                shutil.rmtree(entry, ignore_errors=True)
                removed += not entry.exists()
    if failed or removed:
        log.warning(
            "start-up clean-up: %s job(s) marked stopped by a restart, %s upload "
            "folder(s) removed from %s",
            failed,
            removed,
            root,
        )
    return failed, removed


def remove_upload_folder(folder: UploadFolder) -> None:
    """Remove a finished job's files, then drop its lock."""
    try:
        shutil.rmtree(folder.path, ignore_errors=True)
    finally:
        folder.release()

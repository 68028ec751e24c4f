"""``mtm backup``: a consistent copy of the whole database, with rotation, for cron.

Copying the ``.sqlite`` file with ``cp`` while the server runs can catch a half-applied
transaction (and misses the ``-wal`` file). SQLite's online backup API copies a consistent
snapshot in one step while readers and writers carry on. The copy is written under a
temporary name, switched to a self-contained rollback-journal file, checked, and only then
renamed into place, so a crash never leaves a truncated file with a backup's name.
(The per-user download in Settings is a different thing: it contains one user's data.)
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .db.backup_file import copy_database

PREFIX = "music-time-machine-"
SUFFIX = ".sqlite"
#: music-time-machine-YYYYMMDD-HHMMSS.sqlite (UTC), optionally -N when two share a second.
BACKUP_NAME = re.compile(r"^music-time-machine-\d{8}-\d{6}(?:-\d+)?\.sqlite$")


class BackupError(RuntimeError):
    """The backup could not be made; the message says why."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size_bytes: int
    removed: list[Path]


def _target(output: Path, now: datetime) -> Path:
    stem = f"{PREFIX}{now:%Y%m%d-%H%M%S}"
    path, n = output / f"{stem}{SUFFIX}", 1
    while path.exists():
        path, n = output / f"{stem}-{n}{SUFFIX}", n + 1
    return path


def backup_database(
    database: Path | str, output: Path | str, keep: int = 7, now: datetime | None = None
) -> BackupResult:
    """Back up ``database`` into the folder ``output`` and keep only the newest ``keep``."""
    database, output = Path(database), Path(output)
    if keep < 1:
        raise BackupError("--keep must be at least 1.")
    if not database.is_file():
        raise BackupError(f"There is no database at {database} (check MTM_DATA_DIR).")
    output.mkdir(parents=True, exist_ok=True)
    target = _target(output, now or datetime.now(UTC))
    partial = target.with_name(f".{target.name}.partial")
    try:
        result = copy_database(database, partial)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Could not back up {database}: {error}") from None
    if result != "ok":
        partial.unlink(missing_ok=True)
        raise BackupError(
            f"The copy failed its integrity check ({result}); the database "
            "itself may be damaged: run `sqlite3 <db> 'PRAGMA integrity_check'`."
        )
    partial.rename(target)
    target.chmod(0o600)  # it holds everything, including encrypted Spotify tokens
    return BackupResult(target, target.stat().st_size, rotate(output, keep))


def rotate(output: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups (only files named like ours)."""
    backups = sorted(
        (p for p in output.iterdir() if BACKUP_NAME.match(p.name)), key=lambda p: _sort_key(p.name)
    )
    removed = backups[:-keep] if keep else backups
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def _sort_key(name: str) -> tuple[str, int]:
    """Timestamp first, then the -N of same-second backups (so -10 sorts after -9)."""
    stem = name[len(PREFIX) : -len(SUFFIX)]
    parts = stem.split("-")
    return (f"{parts[0]}-{parts[1]}", int(parts[2]) if len(parts) > 2 else 0)

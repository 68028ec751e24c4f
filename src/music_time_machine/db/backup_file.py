"""Backup files: copying the whole database (``mtm backup``), and reading a backup of
one user's data (Settings › Export) for a restore.

The reading side holds only the questions ``importers/restore.py`` asks of the file, each
one query. The file is a stranger's until it passes ``importers.restore.check_backup``: it
is opened read-only and immutable, and the row queries below run only on a schema that
passed. Errors are left to the callers, which word them for the user.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path


def copy_database(database: Path, target: Path) -> str:
    """Copy ``database`` into a new file ``target`` with SQLite's online backup API (one
    step, so one consistent snapshot while readers and writers carry on), as one
    self-contained rollback-journal file; returns its ``quick_check`` ("ok" when sound)."""
    source = sqlite3.connect(f"{database.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        source.execute("PRAGMA busy_timeout = 30000")
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)  # pages=-1: one step, so one consistent snapshot
            copy.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
            return copy.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            copy.close()
    finally:
        source.close()


def open_read_only(path: Path) -> sqlite3.Connection:
    """Open ``path`` read-only and touch its header (raises ``sqlite3.DatabaseError`` when
    it is not a readable database).

    ``immutable=1`` makes SQLite read the file as it is, without creating journal or
    shared-memory files next to it: an uploaded file is never written to.
    """
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
    backup = sqlite3.connect(uri, uri=True, check_same_thread=False)
    try:
        backup.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError:
        backup.close()
        raise
    backup.row_factory = sqlite3.Row
    return backup


def schema_versions(backup: sqlite3.Connection) -> list[object]:
    """Every ``schema_migrations.version`` in the file, as stored (not trusted to be ints)."""
    return [r[0] for r in backup.execute("SELECT version FROM schema_migrations")]


def integrity_problems(backup: sqlite3.Connection, most: int = 5) -> list[str]:
    """SQLite's ``integrity_check``: ``["ok"]``, or up to ``most`` problems."""
    return [r[0] for r in backup.execute(f"PRAGMA integrity_check({int(most)})")]


def users_with_plays(backup: sqlite3.Connection) -> int:
    """How many people's plays the file holds (a backup of ours holds one person's)."""
    return backup.execute("SELECT COUNT(DISTINCT user_id) FROM plays").fetchone()[0]


def table_columns(backup: sqlite3.Connection, table: str) -> set[str]:
    """The column names of ``table`` (one of ours, named by the caller, never by the file)."""
    return {r[1] for r in backup.execute(f"PRAGMA table_info({table})")}


def artists(backup: sqlite3.Connection) -> Iterable[sqlite3.Row]:
    return backup.execute("SELECT id, spotify_id, name, genres FROM artists")


def track_artists(backup: sqlite3.Connection) -> Iterable[sqlite3.Row]:
    """Each track's artists in credit order."""
    return backup.execute(
        "SELECT track_id, artist_id FROM track_artists ORDER BY track_id, position, artist_id"
    )


def tracks(
    backup: sqlite3.Connection, features: Iterable[str], features_source: bool
) -> Iterable[sqlite3.Row]:
    """Tracks with their album's name and URI, the feature columns ``features`` (those the
    file's version has) and, when ``features_source``, where the features came from."""
    extra = "".join(f", t.{f}" for f in features) + (
        ", t.features_source" if features_source else ""
    )
    return backup.execute(
        "SELECT t.id, t.spotify_id, t.kind, t.name, t.duration_ms, al.name AS album,"
        f" al.spotify_id AS album_sid{extra}"
        " FROM tracks t LEFT JOIN albums al ON al.id = t.album_id"
    )


def play_count(backup: sqlite3.Connection) -> int:
    return backup.execute("SELECT COUNT(*) FROM plays").fetchone()[0]


def plays(backup: sqlite3.Connection, optional: Iterable[str]) -> Iterable[sqlite3.Row]:
    """Every play in time order, with the ``optional`` columns the file's version has."""
    return backup.execute(
        "SELECT track_id, played_at, ms_played, kind, source"
        + "".join(f", {c}" for c in optional)
        + " FROM plays ORDER BY played_at, id"
    )


def snapshots(backup: sqlite3.Connection) -> Iterable[sqlite3.Row]:
    """Top-list entries by day and rank."""
    return backup.execute(
        "SELECT taken_on, item_type, time_range, rank, track_id,"
        " artist_id FROM top_snapshots ORDER BY taken_on, rank"
    )

"""Writing plays. Every writer (demo generator, importers, sync, restore) comes through
``insert_plays`` so that the uniqueness rule, local dates and rollups are applied alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..timezones import LocalClock
from . import transaction
from .rollups import refresh_days
from .users import get_settings


@dataclass(slots=True)
class NewPlay:
    track_id: int
    played_at: int  # epoch ms UTC, end of stream
    ms_played: int
    source: str
    kind: str = "music"
    skipped: int | None = None
    shuffle: int | None = None
    reason_start: str | None = None
    reason_end: str | None = None
    platform: str | None = None
    offline: int | None = None
    incognito: int | None = None


@dataclass
class InsertResult:
    added: int = 0
    duplicates: int = 0
    days: set[str] = field(default_factory=set)


_INSERT = (
    "INSERT OR IGNORE INTO plays (user_id, track_id, played_at, ms_played, kind, source,"
    " local_date, local_hour, skipped, shuffle, reason_start, reason_end, platform, offline,"
    " incognito) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def insert_plays(conn: sqlite3.Connection, user_id: int, plays: Iterable[NewPlay],
                 clock: LocalClock | None = None) -> InsertResult:
    """Insert plays (exact duplicates are ignored) and bring the rollups up to date.

    Runs in one transaction (a savepoint when the caller already has one), so either all
    rows and their rollups land or none do.
    """
    clock = clock or LocalClock(get_settings(conn, user_id).timezone)
    result = InsertResult()
    rows = []
    for p in plays:
        day, hour = clock.local(p.played_at)
        if p.kind == "music":
            result.days.add(day)
        rows.append((user_id, p.track_id, p.played_at, p.ms_played, p.kind, p.source, day, hour,
                     p.skipped, p.shuffle, p.reason_start, p.reason_end, p.platform, p.offline,
                     p.incognito))
    with transaction(conn):
        before = conn.total_changes
        conn.executemany(_INSERT, rows)
        result.added = conn.total_changes - before
        result.duplicates = len(rows) - result.added
        if result.added:
            refresh_days(conn, user_id, result.days)
    return result


def delete_user_plays(conn: sqlite3.Connection, user_id: int) -> dict[str, int]:
    """Delete all of a user's listening data (plays, snapshots, rollups) in one transaction."""
    counts = {}
    with transaction(conn):
        for table in ("plays", "top_snapshots", "rollup_day", "rollup_day_hour",
                      "rollup_day_track", "rollup_day_artist", "rollup_track_first",
                      "rollup_artist_first"):
            counts[table] = conn.execute(f"DELETE FROM {table} WHERE user_id = ?",
                                         (user_id,)).rowcount
    return counts

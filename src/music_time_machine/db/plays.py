"""Writing plays. Every writer (demo generator, importers, sync, restore) comes through
``insert_plays`` so that the uniqueness rule, local dates and rollups are applied alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..timezones import LocalClock
from . import transaction
from .rollups import add_new_plays
from .rollups_monthly import refresh_monthly
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
        # New rows get ids above the current maximum (no other writer inside this
        # transaction), which is how the rollups find exactly what was added.
        last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM plays").fetchone()[0]
        before = conn.total_changes
        conn.executemany(_INSERT, rows)
        result.added = conn.total_changes - before
        result.duplicates = len(rows) - result.added
        if result.added:
            add_new_plays(conn, user_id, last_id)
            refresh_monthly(conn, user_id, result.days, full=False)
    return result


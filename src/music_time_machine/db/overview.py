"""A user's data at a glance (Settings) and what clearing it would delete."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from ..durations import hours


def data_overview(conn: sqlite3.Connection, user_id: int) -> dict:
    row = conn.execute(
        "SELECT COUNT(*) AS streams, MIN(played_at) AS first, MAX(played_at) AS last "
        "FROM plays WHERE user_id = ?", (user_id,)).fetchone()
    music = conn.execute(
        "SELECT COALESCE(SUM(plays), 0), COALESCE(SUM(ms_played), 0) FROM rollup_day "
        "WHERE user_id = ?", (user_id,)).fetchone()
    return {
        "streams": row["streams"],
        "plays": music[0],
        "hours": hours(music[1]),
        "tracks": conn.execute("SELECT COUNT(*) FROM rollup_track_first WHERE user_id = ?",
                               (user_id,)).fetchone()[0],
        "artists": conn.execute("SELECT COUNT(*) FROM rollup_artist_first WHERE user_id = ?",
                                (user_id,)).fetchone()[0],
        "first_play_ms": row["first"],
        "last_play_ms": row["last"],
    }


def database_size_bytes(path: str | Path) -> int:
    """The database file plus its write-ahead log."""
    total = 0
    for suffix in ("", "-wal"):
        candidate = Path(f"{path}{suffix}")
        if candidate.exists():
            total += candidate.stat().st_size
    return total

"""Per-user daily rollups by local date (DESIGN §5): kept current on every write so that
charts read thousands of rollup rows instead of scanning a million plays.

Rollups are recomputed from ``plays`` for the affected local dates rather than incremented,
so they stay exact whatever mix of inserts, duplicates and rule changes came before.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection

from ..timezones import LocalClock
from . import transaction
from .users import get_settings

#: Above this many days a refresh recomputes the user's whole history in one pass.
_FULL_REBUILD_DAYS = 60


def refresh_days(conn: sqlite3.Connection, user_id: int, days: Collection[str]) -> None:
    """Recompute every rollup row of ``user_id`` for the local dates in ``days``."""
    if days:
        _recompute(conn, user_id, days, full=len(days) > _FULL_REBUILD_DAYS)


def rebuild_rollups(conn: sqlite3.Connection, user_id: int) -> None:
    """Recompute all of a user's rollups (after a play-rule change, say)."""
    _recompute(conn, user_id, (), full=True)


def _recompute(conn: sqlite3.Connection, user_id: int, days: Collection[str],
               full: bool) -> None:
    rule_sql, rule_args = get_settings(conn, user_id).play_rule.sql()
    with transaction(conn):
        if full:
            day_filter, day_args = "", ()
        else:
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS refresh_days (day TEXT PRIMARY KEY)")
            conn.execute("DELETE FROM temp.refresh_days")
            conn.executemany("INSERT OR IGNORE INTO temp.refresh_days VALUES (?)",
                             [(d,) for d in days])
            day_filter = "AND {col} IN (SELECT day FROM temp.refresh_days)"
            day_args = ()
        for table in ("rollup_day", "rollup_day_hour", "rollup_day_track", "rollup_day_artist"):
            conn.execute(f"DELETE FROM {table} WHERE user_id = ? {day_filter.format(col='day')}",
                         (user_id, *day_args))
        plays_filter = day_filter.format(col="p.local_date")
        counted = f"CASE WHEN {rule_sql} THEN 1 ELSE 0 END"
        base = (f"FROM plays p JOIN tracks t ON t.id = p.track_id "
                f"WHERE p.user_id = ? AND p.kind = 'music' {plays_filter}")
        skip = f"CASE WHEN p.skipped = 1 OR NOT {rule_sql} THEN 1 ELSE 0 END"
        conn.execute(
            f"INSERT INTO rollup_day (user_id, day, plays, streams, ms_played, skips) "
            f"SELECT p.user_id, p.local_date, SUM({counted}), COUNT(*), SUM(p.ms_played), "
            f"SUM({skip}) {base} GROUP BY p.local_date",
            (*rule_args, *rule_args, user_id))
        conn.execute(
            f"INSERT INTO rollup_day_hour (user_id, day, hour, plays, ms_played) "
            f"SELECT p.user_id, p.local_date, p.local_hour, SUM({counted}), SUM(p.ms_played) "
            f"{base} GROUP BY p.local_date, p.local_hour",
            (*rule_args, user_id))
        conn.execute(
            f"INSERT INTO rollup_day_track (user_id, day, track_id, plays, streams, ms_played, "
            f"skips) SELECT p.user_id, p.local_date, p.track_id, SUM({counted}), COUNT(*), "
            f"SUM(p.ms_played), SUM({skip}) {base} GROUP BY p.local_date, p.track_id",
            (*rule_args, *rule_args, user_id))
        # A track with several artists counts for each of them.
        conn.execute(
            "INSERT INTO rollup_day_artist (user_id, day, artist_id, plays, ms_played) "
            "SELECT r.user_id, r.day, ta.artist_id, SUM(r.plays), SUM(r.ms_played) "
            "FROM rollup_day_track r JOIN track_artists ta ON ta.track_id = r.track_id "
            f"WHERE r.user_id = ? {day_filter.format(col='r.day')} GROUP BY r.day, ta.artist_id",
            (user_id,))
        _refresh_firsts(conn, user_id, full)


def _refresh_firsts(conn: sqlite3.Connection, user_id: int, full: bool) -> None:
    """First local day with a counted play, per track and per artist."""
    for table, col, source in (("rollup_track_first", "track_id", "rollup_day_track"),
                               ("rollup_artist_first", "artist_id", "rollup_day_artist")):
        if full:
            conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
            scope, args = "", (user_id,)
        else:
            scope = (f"AND {col} IN (SELECT {col} FROM {source} WHERE user_id = ? "
                     f"AND day IN (SELECT day FROM temp.refresh_days))")
            args = (user_id, user_id)
            conn.execute(f"DELETE FROM {table} WHERE user_id = ? {scope}", args)
        conn.execute(
            f"INSERT INTO {table} (user_id, {col}, first_day) SELECT user_id, {col}, MIN(day) "
            f"FROM {source} WHERE user_id = ? AND plays > 0 {scope} GROUP BY {col}", args)


def rebucket_user(conn: sqlite3.Connection, user_id: int) -> int:
    """Re-bucket a user's plays after a time-zone or play-rule change; returns play count.

    Local dates and hours are recomputed for every play in the user's current time zone,
    then every rollup is rebuilt, all in one transaction.
    """
    clock = LocalClock(get_settings(conn, user_id).timezone)
    rows = conn.execute("SELECT id, played_at FROM plays WHERE user_id = ?", (user_id,))
    updates = [(*clock.local(played_at), play_id) for play_id, played_at in rows]
    with transaction(conn):
        conn.executemany("UPDATE plays SET local_date = ?, local_hour = ? WHERE id = ?", updates)
        rebuild_rollups(conn, user_id)
    return len(updates)

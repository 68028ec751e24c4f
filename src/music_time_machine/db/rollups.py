"""Per-user daily rollups by local date (DESIGN §5): kept current on every write so that
charts read thousands of rollup rows instead of scanning a million plays.

New plays are added into the rollups incrementally (an upsert of just the new rows), so an
import costs time in proportion to what it adds. A play-rule or time-zone change rebuilds a
user's rollups from the plays in one pass.
"""

from __future__ import annotations

import sqlite3

from ..rules import PlayRule
from ..timezones import LocalClock
from . import transaction
from .rollups_monthly import refresh_monthly
from .users import get_settings

_ROLLUPS = ("rollup_day", "rollup_day_hour", "rollup_day_track", "rollup_day_artist",
            "rollup_track_first", "rollup_artist_first")


def add_new_plays(conn: sqlite3.Connection, user_id: int, after_id: int) -> None:
    """Add the user's plays with ``id > after_id`` (just inserted) into the rollups."""
    _aggregate(conn, user_id, get_settings(conn, user_id).play_rule, "AND p.id > ?",
               (after_id,), upsert=True)


def rebuild_rollups(conn: sqlite3.Connection, user_id: int) -> None:
    """Recompute all of a user's rollups (after a play-rule change, say)."""
    with transaction(conn):
        for table in _ROLLUPS:
            conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
        _aggregate(conn, user_id, get_settings(conn, user_id).play_rule, "", (), upsert=False)
        refresh_monthly(conn, user_id, (), full=True)


def _aggregate(conn: sqlite3.Connection, user_id: int, rule: PlayRule, scope: str,
               scope_args: tuple, upsert: bool) -> None:
    rule_sql, rule_args = rule.sql()
    counted = f"CASE WHEN {rule_sql} THEN 1 ELSE 0 END"
    skip = f"CASE WHEN p.skipped = 1 OR NOT {rule_sql} THEN 1 ELSE 0 END"
    new = (f"FROM plays p JOIN tracks t ON t.id = p.track_id "
           f"WHERE p.user_id = ? AND p.kind = 'music' {scope}")
    where = (user_id, *scope_args)

    def add(keys: str, sums: str) -> str:
        if not upsert:
            return ""
        updates = ", ".join(f"{c} = {c} + excluded.{c}" for c in sums.split(", "))
        return f" ON CONFLICT({keys}) DO UPDATE SET {updates}"

    with transaction(conn):
        conn.execute(
            f"INSERT INTO rollup_day (user_id, day, plays, streams, ms_played, skips) "
            f"SELECT p.user_id, p.local_date, SUM({counted}), COUNT(*), SUM(p.ms_played), "
            f"SUM({skip}) {new} GROUP BY p.local_date"
            + add("user_id, day", "plays, streams, ms_played, skips"),
            (*rule_args, *rule_args, *where))
        conn.execute(
            f"INSERT INTO rollup_day_hour (user_id, day, hour, plays, ms_played) "
            f"SELECT p.user_id, p.local_date, p.local_hour, SUM({counted}), SUM(p.ms_played) "
            f"{new} GROUP BY p.local_date, p.local_hour"
            + add("user_id, day, hour", "plays, ms_played"),
            (*rule_args, *where))
        conn.execute(
            f"INSERT INTO rollup_day_track (user_id, day, track_id, plays, streams, ms_played, "
            f"skips) SELECT p.user_id, p.local_date, p.track_id, SUM({counted}), COUNT(*), "
            f"SUM(p.ms_played), SUM({skip}) {new} GROUP BY p.local_date, p.track_id"
            + add("user_id, day, track_id", "plays, streams, ms_played, skips"),
            (*rule_args, *rule_args, *where))
        # A track with several artists counts for each of them.
        conn.execute(
            f"INSERT INTO rollup_day_artist (user_id, day, artist_id, plays, ms_played) "
            f"SELECT p.user_id, p.local_date, ta.artist_id, SUM({counted}), SUM(p.ms_played) "
            f"{new.replace('WHERE', 'JOIN track_artists ta ON ta.track_id = p.track_id WHERE')} "
            f"GROUP BY p.local_date, ta.artist_id"
            + add("user_id, day, artist_id", "plays, ms_played"),
            (*rule_args, *where))
        # First local day with a counted play, per track and per artist (discoveries).
        for table, col, join in (
                ("rollup_track_first", "p.track_id", ""),
                ("rollup_artist_first", "ta.artist_id",
                 "JOIN track_artists ta ON ta.track_id = p.track_id ")):
            conflict = (f" ON CONFLICT(user_id, {col.split('.')[1]}) DO UPDATE SET "
                        "first_day = MIN(first_day, excluded.first_day)") if upsert else ""
            conn.execute(
                f"INSERT INTO {table} (user_id, {col.split('.')[1]}, first_day) "
                f"SELECT p.user_id, {col}, MIN(p.local_date) "
                f"{new.replace('WHERE', join + 'WHERE')} AND {rule_sql} GROUP BY {col}"
                + conflict,
                (*where, *rule_args))


def rebucket_user(conn: sqlite3.Connection, user_id: int) -> int:
    """Re-bucket a user's plays after a time-zone change; returns the play count.

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

"""Per-user daily rollups by local date (DESIGN §5): kept current on every write so that
charts read thousands of rollup rows instead of scanning a million plays.

New plays are added into the rollups incrementally: the new rows (``id > after_id``) are
aggregated once per (day, track), (day, artist) and (day, hour) into temp tables, which are
then added into the daily rollups and (by ``rollups_monthly``) into the monthly, yearly,
total, first-day and gap rollups, so an import costs time in proportion to what it adds.
The album rollups follow from the per-track days (``rollups_albums``).
A play-rule or time-zone change rebuilds a user's rollups from the plays in one pass.
"""

from __future__ import annotations

import sqlite3

from ..rules import PlayRule
from . import transaction
from .catalogue import count_uri_plays
from .migrate import has_table
from .rollups_albums import add_album_plays, rebuild_album_rollups
from .rollups_monthly import (
    ARTIST,
    TRACK,
    add_item_increments,
    add_weekday_hours,
    prepare_items,
    refresh_monthly,
)
from .users import get_settings

_ROLLUPS = (
    "rollup_day",
    "rollup_day_hour",
    "rollup_day_track",
    "rollup_day_artist",
    "rollup_track_first",
    "rollup_artist_first",
)
#: Counted plays per track and local hour (migration 0013, for the artist page).
TRACK_HOURS = "rollup_track_hour"
#: The same per artist (migration 0018): the artist page reads its 24 rows instead of
#: summing 24 rows of each of its tracks (5,000 tracks for a heavy listener's favourite).
ARTIST_HOURS = "rollup_artist_hour"

#: Per-call aggregates of the new plays (connection-local temp tables, emptied each call).
#: Keyed item first with the month, so that the per-month sums read them in order.
_TEMP_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS new_track_days (track_id INTEGER NOT NULL, "
    "month TEXT NOT NULL, day TEXT NOT NULL, plays INTEGER, streams INTEGER, "
    "ms_played INTEGER, skips INTEGER, PRIMARY KEY (track_id, month, day)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS new_artist_days (artist_id INTEGER NOT NULL, "
    "month TEXT NOT NULL, day TEXT NOT NULL, plays INTEGER, ms_played INTEGER, "
    "PRIMARY KEY (artist_id, month, day)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS new_hours (day TEXT NOT NULL, hour INTEGER NOT NULL, "
    "plays INTEGER, streams INTEGER, ms_played INTEGER, skips INTEGER, "
    "PRIMARY KEY (day, hour)) WITHOUT ROWID",
    "CREATE TEMP TABLE IF NOT EXISTS new_track_hours (track_id INTEGER NOT NULL, "
    "hour INTEGER NOT NULL, plays INTEGER, PRIMARY KEY (track_id, hour)) WITHOUT ROWID",
)


def add_new_plays(conn: sqlite3.Connection, user_id: int, after_id: int, rule: PlayRule) -> None:
    """Add the user's plays with ``id > after_id`` (just inserted) into every rollup, with
    exactly the content a full recompute would give; ``rule`` is the user's play rule (the
    writer read it once for all its batches)."""
    rule_sql, rule_args = rule.sql()
    counted = f"CASE WHEN {rule_sql} THEN 1 ELSE 0 END"
    skip = f"CASE WHEN p.skipped = 1 OR NOT {rule_sql} THEN 1 ELSE 0 END"
    # The 'min_ms' rule reads only the play; other rules need the track's length.
    join = "" if rule.kind == "min_ms" else "JOIN tracks t ON t.id = p.track_id "
    # '+p.user_id' keeps the planner on the id range (the new rows) rather than an index
    # led by user_id, which would scan all of the user's plays every time.
    new = f"FROM plays p {join}WHERE p.id > ? AND +p.user_id = ? AND p.kind = 'music'"
    where = (after_id, user_id)
    with transaction(conn):
        for sql in _TEMP_TABLES:
            conn.execute(sql)
        for table in ("new_track_days", "new_artist_days", "new_hours", "new_track_hours"):
            conn.execute(f"DELETE FROM temp.{table}")
        conn.execute(
            "INSERT INTO temp.new_track_days SELECT p.track_id, substr(p.local_date, 1, 7), "
            f"p.local_date, SUM({counted}), COUNT(*), SUM(p.ms_played), SUM({skip}) {new} "
            "GROUP BY p.track_id, p.local_date",
            (*rule_args, *rule_args, *where),
        )
        conn.execute(
            f"INSERT INTO temp.new_hours SELECT p.local_date, p.local_hour, SUM({counted}), "
            f"COUNT(*), SUM(p.ms_played), SUM({skip}) {new} GROUP BY p.local_date, p.local_hour",
            (*rule_args, *rule_args, *where),
        )
        # A track with several artists counts for each of them.
        conn.execute(
            "INSERT INTO temp.new_artist_days SELECT ta.artist_id, d.month, d.day, "
            "SUM(d.plays), SUM(d.ms_played) FROM temp.new_track_days d "
            "CROSS JOIN track_artists ta ON ta.track_id = d.track_id "
            "GROUP BY ta.artist_id, d.day"
        )
        _upsert(
            conn,
            user_id,
            "rollup_day",
            "day",
            "plays, streams, ms_played, skips",
            "SELECT ?, day, SUM(plays), SUM(streams), SUM(ms_played), SUM(skips) "
            "FROM temp.new_hours WHERE true GROUP BY day",
        )
        _upsert(
            conn,
            user_id,
            "rollup_day_hour",
            "day, hour",
            "plays, ms_played",
            "SELECT ?, day, hour, plays, ms_played FROM temp.new_hours WHERE true",
        )
        for entity, sums in (
            (TRACK, "plays, streams, ms_played, skips"),
            (ARTIST, "plays, ms_played"),
        ):
            temp = f"temp.new_{entity.id_col.removesuffix('_id')}_days"
            # What the items looked like before (their earlier played days, totals) is read
            # first; then the new days go in and everything derived is brought in line.
            prepare_items(conn, user_id, entity, temp)
            _upsert(
                conn,
                user_id,
                entity.day_table,
                f"day, {entity.id_col}",
                sums,
                f"SELECT ?, day, {entity.id_col}, {sums} FROM {temp} WHERE true",
            )
            add_item_increments(conn, user_id, entity)
        add_album_plays(conn, user_id)
        conn.execute(
            f"INSERT INTO temp.new_track_hours SELECT p.track_id, p.local_hour, "
            f"SUM({counted}) {new} GROUP BY p.track_id, p.local_hour",
            (*rule_args, *where),
        )
        _upsert(
            conn,
            user_id,
            TRACK_HOURS,
            "track_id, hour",
            "plays",
            "SELECT ?, track_id, hour, plays FROM temp.new_track_hours WHERE true",
        )
        # A track with several artists counts for each of them, as in the daily rollups.
        # (Databases built for migration tests add plays before 0018 creates the table.)
        if has_table(conn, ARTIST_HOURS):
            _upsert(
                conn,
                user_id,
                ARTIST_HOURS,
                "artist_id, hour",
                "plays",
                "SELECT ?, ta.artist_id, h.hour, SUM(h.plays) FROM temp.new_track_hours h "
                "CROSS JOIN track_artists ta ON ta.track_id = h.track_id "
                "WHERE true GROUP BY ta.artist_id, h.hour",
            )
        add_weekday_hours(conn, user_id)
        count_uri_plays(conn, user_id, after_id)


def _upsert(
    conn: sqlite3.Connection, user_id: int, table: str, keys: str, sums: str, select: str
) -> None:
    """Add ``select``'s rows (user id first, then ``keys``, then ``sums``) into ``table``."""
    updates = ", ".join(f"{c} = {c} + excluded.{c}" for c in sums.split(", "))
    conn.execute(
        f"INSERT INTO {table} (user_id, {keys}, {sums}) {select} "
        f"ON CONFLICT(user_id, {keys}) DO UPDATE SET {updates}",
        (user_id,),
    )


def rebuild_rollups(conn: sqlite3.Connection, user_id: int, rule: PlayRule | None = None) -> None:
    """Recompute all of a user's rollups (after a play-rule change, say) by ``rule``, the
    user's play rule (read here when the caller does not hold it)."""
    rule = rule or get_settings(conn, user_id).play_rule
    with transaction(conn):
        for table in _ROLLUPS:
            conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
        _aggregate(conn, user_id, rule)
        refresh_monthly(conn, user_id)
        rebuild_album_rollups(conn, user_id)
        # Migration 0011's step rebuilds before 0013 creates this table (0013 fills it).
        if has_table(conn, TRACK_HOURS):
            conn.execute(f"DELETE FROM {TRACK_HOURS} WHERE user_id = ?", (user_id,))
            aggregate_track_hours(conn, user_id, rule)
        # And 0013's before 0018 creates the artists' one (0018 fills it).
        if has_table(conn, ARTIST_HOURS):
            conn.execute(f"DELETE FROM {ARTIST_HOURS} WHERE user_id = ?", (user_id,))
            aggregate_artist_hours(conn, user_id)


def aggregate_track_hours(conn: sqlite3.Connection, user_id: int, rule: PlayRule) -> None:
    """Fill the user's (emptied) counted plays per track and local hour from their plays."""
    rule_sql, rule_args = rule.sql()
    join = "" if rule.kind == "min_ms" else "JOIN tracks t ON t.id = p.track_id "
    conn.execute(
        f"INSERT INTO {TRACK_HOURS} (user_id, track_id, hour, plays) "
        f"SELECT p.user_id, p.track_id, p.local_hour, SUM(CASE WHEN {rule_sql} THEN 1 ELSE 0 END) "
        f"FROM plays p {join}WHERE p.user_id = ? AND p.kind = 'music' "
        f"GROUP BY p.track_id, p.local_hour",
        (*rule_args, user_id),
    )


def aggregate_artist_hours(conn: sqlite3.Connection, user_id: int) -> None:
    """Fill the user's (emptied) counted plays per artist and local hour from the tracks'
    ones: a track's plays count for each of its artists."""
    conn.execute(
        f"INSERT INTO {ARTIST_HOURS} (user_id, artist_id, hour, plays) "
        f"SELECT h.user_id, ta.artist_id, h.hour, SUM(h.plays) FROM {TRACK_HOURS} h "
        f"JOIN track_artists ta ON ta.track_id = h.track_id WHERE h.user_id = ? "
        f"GROUP BY ta.artist_id, h.hour",
        (user_id,),
    )


def _aggregate(conn: sqlite3.Connection, user_id: int, rule: PlayRule) -> None:
    """Fill the (emptied) daily rollups from all of the user's plays."""
    rule_sql, rule_args = rule.sql()
    counted = f"CASE WHEN {rule_sql} THEN 1 ELSE 0 END"
    skip = f"CASE WHEN p.skipped = 1 OR NOT {rule_sql} THEN 1 ELSE 0 END"
    new = "FROM plays p JOIN tracks t ON t.id = p.track_id WHERE p.user_id = ? AND p.kind = 'music'"
    where = (user_id,)
    with transaction(conn):
        conn.execute(
            f"INSERT INTO rollup_day (user_id, day, plays, streams, ms_played, skips) "
            f"SELECT p.user_id, p.local_date, SUM({counted}), COUNT(*), SUM(p.ms_played), "
            f"SUM({skip}) {new} GROUP BY p.local_date",
            (*rule_args, *rule_args, *where),
        )
        conn.execute(
            f"INSERT INTO rollup_day_hour (user_id, day, hour, plays, ms_played) "
            f"SELECT p.user_id, p.local_date, p.local_hour, SUM({counted}), SUM(p.ms_played) "
            f"{new} GROUP BY p.local_date, p.local_hour",
            (*rule_args, *where),
        )
        conn.execute(
            f"INSERT INTO rollup_day_track (user_id, day, track_id, plays, streams, ms_played, "
            f"skips) SELECT p.user_id, p.local_date, p.track_id, SUM({counted}), COUNT(*), "
            f"SUM(p.ms_played), SUM({skip}) {new} GROUP BY p.local_date, p.track_id",
            (*rule_args, *rule_args, *where),
        )
        # A track with several artists counts for each of them.
        conn.execute(
            f"INSERT INTO rollup_day_artist (user_id, day, artist_id, plays, ms_played) "
            f"SELECT p.user_id, p.local_date, ta.artist_id, SUM({counted}), SUM(p.ms_played) "
            f"{new.replace('WHERE', 'JOIN track_artists ta ON ta.track_id = p.track_id WHERE')} "
            f"GROUP BY p.local_date, ta.artist_id",
            (*rule_args, *where),
        )
        # First local day with a counted play, per track and per artist (discoveries).
        for table, col, join in (
            ("rollup_track_first", "p.track_id", ""),
            (
                "rollup_artist_first",
                "ta.artist_id",
                "JOIN track_artists ta ON ta.track_id = p.track_id ",
            ),
        ):
            conn.execute(
                f"INSERT INTO {table} (user_id, {col.split('.')[1]}, first_day) "
                f"SELECT p.user_id, {col}, MIN(p.local_date) "
                f"{new.replace('WHERE', join + 'WHERE')} AND {rule_sql} GROUP BY {col}",
                (*where, *rule_args),
            )

"""Monthly and all-time rollups, derived from the daily ones, for long date ranges.

At a million plays a year of ``rollup_day_track`` is ~170k rows: too many to aggregate per
request. These tables make long ranges cheap (db/stats.py explains how they are read):

- ``rollup_month_*`` / ``rollup_year_*``: the daily rollups summed per calendar month and
  year of the local date;
- ``rollup_*_total``: all-time plays and minutes per track / artist with the first and last
  day that had a counted play;
- ``rollup_*_gap``: long silences between two played days of the same track / artist.

They are recomputed from the daily rollups (never incremented), for the months and items
that the refreshed days touch, inside the caller's transaction. ``refresh_monthly`` is
called by ``rollups._recompute`` after the daily rollups are written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass

from . import transaction

#: Gaps shorter than this many empty days are not stored; ranges of at least this many
#: days count distinct items with the gap tables, shorter ones from the daily rollups.
GAP_MIN_DAYS = 32


@dataclass(frozen=True)
class Entity:
    """Where the rollups of one kind of item (track or artist) live."""

    id_col: str
    day_table: str
    month_table: str
    year_table: str
    total_table: str
    gap_table: str

    def table(self, level: str) -> str:
        """The rollup of this item by 'day', 'month' or 'year' (the period column's name)."""
        return {"day": self.day_table, "month": self.month_table, "year": self.year_table}[level]


TRACK = Entity("track_id", "rollup_day_track", "rollup_month_track", "rollup_year_track",
               "rollup_track_total", "rollup_track_gap")
ARTIST = Entity("artist_id", "rollup_day_artist", "rollup_month_artist", "rollup_year_artist",
                "rollup_artist_total", "rollup_artist_gap")

#: Every table this module maintains (for code that deletes a user's listening data).
MONTHLY_TABLES = ("rollup_month_track", "rollup_month_artist", "rollup_year_track",
                  "rollup_year_artist", "rollup_month_weekday_hour", "rollup_track_total",
                  "rollup_artist_total", "rollup_track_gap", "rollup_artist_gap")

#: Monday = 0 … Sunday = 6 for a 'YYYY-MM-DD' column (SQLite's %w counts from Sunday).
WEEKDAY_SQL = "((CAST(strftime('%w', {col}) AS INTEGER) + 6) % 7)"


def refresh_monthly(conn: sqlite3.Connection, user_id: int, days: Collection[str],
                    full: bool) -> None:
    """Bring the monthly, total and gap rollups in line with the daily rollups.

    ``full`` recomputes the user's whole history; otherwise only the months containing
    ``days`` and the tracks and artists played in those months.
    """
    with transaction(conn):
        if full:
            for table in MONTHLY_TABLES:
                conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
            scope = ""
        else:
            if not days:
                return
            _fill_refresh_months(conn, {d[:7] for d in days})
            scope = "AND substr({col}, 1, 7) IN (SELECT month FROM temp.refresh_months)"
        for entity in (TRACK, ARTIST):
            if not full:
                _mark_items(conn, user_id, entity, scope)
            _refresh_months(conn, user_id, entity, full, scope)
            _refresh_years(conn, user_id, entity, full)
            _refresh_totals(conn, user_id, entity, full)
        _refresh_weekday_hours(conn, user_id, full, scope)


def _fill_refresh_months(conn: sqlite3.Connection, months: set[str]) -> None:
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS refresh_months (month TEXT PRIMARY KEY)")
    conn.execute("DELETE FROM temp.refresh_months")
    conn.executemany("INSERT INTO temp.refresh_months VALUES (?)", [(m,) for m in months])


def _daily(table: str, scope: str) -> str:
    """FROM/WHERE over a daily table for the user (first parameter), restricted to the
    refreshed months with one indexed day range per month."""
    if not scope:
        return f"FROM {table} r WHERE r.user_id = ?"
    return (f"FROM temp.refresh_months m CROSS JOIN {table} r WHERE r.user_id = ? "
            "AND r.day BETWEEN m.month || '-01' AND m.month || '-31'")


def _mark_items(conn: sqlite3.Connection, user_id: int, entity: Entity, scope: str) -> None:
    """Items whose totals may change: played in a refreshed month, before or after."""
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS refresh_items (id INTEGER PRIMARY KEY)")
    conn.execute("DELETE FROM temp.refresh_items")
    conn.execute(
        f"INSERT OR IGNORE INTO temp.refresh_items SELECT {entity.id_col} "
        f"FROM {entity.month_table} WHERE user_id = ? {scope.format(col='month')}", (user_id,))
    conn.execute(
        f"INSERT OR IGNORE INTO temp.refresh_items SELECT r.{entity.id_col} "
        f"{_daily(entity.day_table, scope)}", (user_id,))


def _refresh_months(conn: sqlite3.Connection, user_id: int, entity: Entity, full: bool,
                    scope: str) -> None:
    if not full:
        conn.execute(f"DELETE FROM {entity.month_table} WHERE user_id = ? "
                     f"{scope.format(col='month')}", (user_id,))
    conn.execute(
        f"INSERT INTO {entity.month_table} (user_id, {entity.id_col}, month, plays, ms_played) "
        f"SELECT r.user_id, r.{entity.id_col}, substr(r.day, 1, 7), SUM(r.plays), "
        f"SUM(r.ms_played) {_daily(entity.day_table, scope)} "
        f"GROUP BY r.{entity.id_col}, substr(r.day, 1, 7)", (user_id,))


def _refresh_years(conn: sqlite3.Connection, user_id: int, entity: Entity, full: bool) -> None:
    """Years from the monthly rows (a year is at most twelve of them per item)."""
    col = entity.id_col
    years = "" if full else ("AND substr(month, 1, 4) IN "
                             "(SELECT DISTINCT substr(month, 1, 4) FROM temp.refresh_months)")
    if not full:
        conn.execute(f"DELETE FROM {entity.year_table} WHERE user_id = ? AND year IN "
                     "(SELECT DISTINCT substr(month, 1, 4) FROM temp.refresh_months)", (user_id,))
    conn.execute(
        f"INSERT INTO {entity.year_table} (user_id, {col}, year, plays, ms_played) "
        f"SELECT user_id, {col}, substr(month, 1, 4), SUM(plays), SUM(ms_played) "
        f"FROM {entity.month_table} WHERE user_id = ? {years} "
        f"GROUP BY {col}, substr(month, 1, 4)", (user_id,))


def _refresh_totals(conn: sqlite3.Connection, user_id: int, entity: Entity, full: bool) -> None:
    """Totals and long gaps of every item (``full``) or of the marked ones."""
    col = entity.id_col
    items = "" if full else f"AND {col} IN (SELECT id FROM temp.refresh_items)"
    if not full:
        for table in (entity.total_table, entity.gap_table):
            conn.execute(f"DELETE FROM {table} WHERE user_id = ? {items}", (user_id,))
    conn.execute(
        f"INSERT INTO {entity.total_table} (user_id, {col}, plays, ms_played, first_day, "
        f"last_day) SELECT user_id, {col}, SUM(plays), SUM(ms_played), "
        f"MIN(day) FILTER (WHERE plays > 0), MAX(day) FILTER (WHERE plays > 0) "
        f"FROM {entity.day_table} WHERE user_id = ? {items} GROUP BY {col} "
        f"HAVING SUM(plays) > 0", (user_id,))
    conn.execute(
        f"INSERT INTO {entity.gap_table} (user_id, {col}, after_day, before_day) "
        f"SELECT ?, id, after_day, day FROM ("
        f" SELECT {col} AS id, day, LAG(day) OVER (PARTITION BY {col} ORDER BY day) AS after_day"
        f" FROM {entity.day_table} WHERE user_id = ? AND plays > 0 {items}"
        f") WHERE after_day IS NOT NULL AND julianday(day) - julianday(after_day) - 1 >= ?",
        (user_id, user_id, GAP_MIN_DAYS))


def _refresh_weekday_hours(conn: sqlite3.Connection, user_id: int, full: bool,
                           scope: str) -> None:
    if not full:
        conn.execute("DELETE FROM rollup_month_weekday_hour WHERE user_id = ? "
                     f"{scope.format(col='month')}", (user_id,))
    conn.execute(
        "INSERT INTO rollup_month_weekday_hour (user_id, month, weekday, hour, plays, ms_played) "
        f"SELECT r.user_id, substr(r.day, 1, 7), {WEEKDAY_SQL.format(col='r.day')}, r.hour, "
        f"SUM(r.plays), SUM(r.ms_played) {_daily('rollup_day_hour', scope)} "
        "GROUP BY 2, 3, 4", (user_id,))

"""Monthly and all-time rollups, derived from the daily ones, for long date ranges.

At a million plays a year of ``rollup_day_track`` is ~170k rows: too many to aggregate per
request. These tables make long ranges cheap (db/stats.py explains how they are read):

- ``rollup_month_*`` / ``rollup_year_*``: the daily rollups summed per calendar month and
  year of the local date;
- ``rollup_*_total``: all-time plays and minutes per track / artist with the first and last
  day that had a counted play;
- ``rollup_*_gap``: long silences between two played days of the same track / artist.

Two ways keep them current, both giving exactly what a full recompute gives:

- ``add_increments`` (new plays, the common case: every ``insert_plays``): adds the
  aggregates of just the new plays (the temp tables ``rollups.add_new_plays`` fills) into the
  monthly, yearly and total rows, recomputes the total of an item only when it gets its first
  counted play, and recomputes gaps only around the new played days of each item (a gap can
  only change where a new played day falls inside it or beyond an item's first/last day);
- ``refresh_monthly``: recomputed from the daily rollups, for the whole history (``full``,
  after a rebuild) or for the months that given days touch and the items played in them.
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
    by_item_index: str  # the daily table's (user_id, item, day) index

    def table(self, level: str) -> str:
        """The rollup of this item by 'day', 'month' or 'year' (the period column's name)."""
        return {"day": self.day_table, "month": self.month_table, "year": self.year_table}[level]


TRACK = Entity("track_id", "rollup_day_track", "rollup_month_track", "rollup_year_track",
               "rollup_track_total", "rollup_track_gap", "rollup_day_track_by_track")
ARTIST = Entity("artist_id", "rollup_day_artist", "rollup_month_artist", "rollup_year_artist",
                "rollup_artist_total", "rollup_artist_gap", "rollup_day_artist_by_artist")

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


def add_increments(conn: sqlite3.Connection, user_id: int) -> None:
    """Add the new plays' daily aggregates (temp ``new_day_track``/``new_day_artist``/
    ``new_day_hour``, already added into the daily rollups) into the monthly, yearly, total
    and gap rollups. Cost follows the new plays, not the history."""
    with transaction(conn):
        for entity, temp in ((TRACK, "temp.new_day_track"), (ARTIST, "temp.new_day_artist")):
            _add_periods(conn, user_id, entity, temp)
            _add_totals_and_gaps(conn, user_id, entity, temp)
        conn.execute(
            "INSERT INTO rollup_month_weekday_hour (user_id, month, weekday, hour, plays, "
            f"ms_played) SELECT ?, substr(day, 1, 7), {WEEKDAY_SQL.format(col='day')}, hour, "
            "SUM(plays), SUM(ms_played) FROM temp.new_day_hour WHERE true GROUP BY 2, 3, 4 "
            "ON CONFLICT(user_id, weekday, hour, month) DO UPDATE SET "
            "plays = plays + excluded.plays, ms_played = ms_played + excluded.ms_played",
            (user_id,))


def _add_periods(conn: sqlite3.Connection, user_id: int, entity: Entity, temp: str) -> None:
    col = entity.id_col
    for table, period, length in ((entity.month_table, "month", 7),
                                  (entity.year_table, "year", 4)):
        conn.execute(
            f"INSERT INTO {table} (user_id, {col}, {period}, plays, ms_played) "
            f"SELECT ?, {col}, substr(day, 1, {length}), SUM(plays), SUM(ms_played) "
            f"FROM {temp} WHERE true GROUP BY {col}, substr(day, 1, {length}) "
            f"ON CONFLICT(user_id, {col}, {period}) DO UPDATE SET "
            "plays = plays + excluded.plays, ms_played = ms_played + excluded.ms_played",
            (user_id,))


def _add_totals_and_gaps(conn: sqlite3.Connection, user_id: int, entity: Entity,
                         temp: str) -> None:
    col, day_table = entity.id_col, entity.day_table
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS new_items (id INTEGER PRIMARY KEY, "
                 "plays INTEGER, ms_played INTEGER, lo TEXT, hi TEXT)")
    conn.execute("DELETE FROM temp.new_items")
    # Per item: what the new plays add, and their first and last day with a counted play.
    conn.execute(
        f"INSERT INTO temp.new_items SELECT {col}, SUM(plays), SUM(ms_played), "
        f"MIN(day) FILTER (WHERE plays > 0), MAX(day) FILTER (WHERE plays > 0) "
        f"FROM {temp} GROUP BY {col}")
    # Items that already have a total (a counted play before): add to it. (A temp table
    # has no statistics, so joins name it first: CROSS JOIN keeps it the outer loop.)
    conn.execute(
        f"INSERT INTO {entity.total_table} (user_id, {col}, plays, ms_played, first_day, "
        "last_day) SELECT ?, n.id, n.plays, n.ms_played, COALESCE(n.lo, '9999'), "
        "COALESCE(n.hi, '0000') FROM temp.new_items n "
        f"WHERE EXISTS (SELECT 1 FROM {entity.total_table} t WHERE t.user_id = ? "
        f"AND t.{col} = n.id) ON CONFLICT(user_id, {col}) DO UPDATE SET "
        "plays = plays + excluded.plays, ms_played = ms_played + excluded.ms_played, "
        "first_day = MIN(first_day, excluded.first_day), "
        "last_day = MAX(last_day, excluded.last_day)", (user_id, user_id))
    # Items with their first counted play: the total includes earlier short streams.
    conn.execute(
        f"INSERT INTO {entity.total_table} (user_id, {col}, plays, ms_played, first_day, "
        f"last_day) SELECT r.user_id, r.{col}, SUM(r.plays), SUM(r.ms_played), "
        "MIN(r.day) FILTER (WHERE r.plays > 0), MAX(r.day) FILTER (WHERE r.plays > 0) "
        f"FROM temp.new_items n CROSS JOIN {day_table} r INDEXED BY {entity.by_item_index} "
        f"ON r.user_id = ? AND r.{col} = n.id "
        f"WHERE n.lo IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {entity.total_table} t "
        f"WHERE t.user_id = r.user_id AND t.{col} = n.id) "
        f"GROUP BY r.{col} HAVING SUM(r.plays) > 0", (user_id,))
    # Gaps can only change between the last played day before an item's first new played
    # day and the first played day after its last one: recompute them in that window.
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS gap_window (id INTEGER PRIMARY KEY, "
                 "s TEXT NOT NULL, e TEXT NOT NULL)")
    conn.execute("DELETE FROM temp.gap_window")
    # (The planner would otherwise walk the day-first primary key over all earlier days.)
    by_item = f"{day_table} r INDEXED BY {entity.by_item_index}"
    conn.execute(
        "INSERT INTO temp.gap_window SELECT n.id, "
        f"COALESCE((SELECT r.day FROM {by_item} WHERE r.user_id = ? AND r.{col} = n.id "
        "AND r.day < n.lo AND r.plays > 0 ORDER BY r.day DESC LIMIT 1), n.lo), "
        f"COALESCE((SELECT r.day FROM {by_item} WHERE r.user_id = ? AND r.{col} = n.id "
        "AND r.day > n.hi AND r.plays > 0 ORDER BY r.day LIMIT 1), n.hi) "
        "FROM temp.new_items n WHERE n.lo IS NOT NULL", (user_id, user_id))
    conn.execute(
        f"DELETE FROM {entity.gap_table} WHERE (user_id, {col}, after_day) IN ("
        f"SELECT g.user_id, g.{col}, g.after_day FROM temp.gap_window w "
        f"CROSS JOIN {entity.gap_table} g ON g.user_id = ? AND g.{col} = w.id "
        "AND g.after_day >= w.s AND g.before_day <= w.e)", (user_id,))
    conn.execute(
        f"INSERT INTO {entity.gap_table} (user_id, {col}, after_day, before_day) "
        "SELECT ?, id, after_day, day FROM ("
        f" SELECT r.{col} AS id, r.day, "
        f" LAG(r.day) OVER (PARTITION BY r.{col} ORDER BY r.day) AS after_day"
        f" FROM temp.gap_window w CROSS JOIN {by_item} ON r.user_id = ? AND r.{col} = w.id"
        "  AND r.day BETWEEN w.s AND w.e WHERE r.plays > 0"
        ") WHERE after_day < date(day, ?)",
        (user_id, user_id, f"-{GAP_MIN_DAYS} days"))  # >= GAP_MIN_DAYS empty days between


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

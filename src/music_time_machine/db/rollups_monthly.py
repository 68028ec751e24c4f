"""Monthly and all-time rollups, derived from the daily ones, for long date ranges.

At a million plays a year of ``rollup_day_track`` is ~170k rows: too many to aggregate per
request. These tables make long ranges cheap (db/stats.py explains how they are read):

- ``rollup_month_*`` / ``rollup_year_*``: the daily rollups summed per calendar month and
  year of the local date;
- ``rollup_*_total``: all-time plays and minutes per track / artist with the first and last
  day that had a counted play;
- ``rollup_*_gap``: long silences between two played days of the same track / artist.

Two ways keep them current, both giving exactly what a full recompute gives:

- ``prepare_items`` + ``add_item_increments`` (new plays, the common case: every
  ``insert_plays``): add the aggregates of just the new plays (the temp tables
  ``rollups.add_new_plays`` fills) into the monthly, yearly and total rows, start the total of
  an item that gets its first counted play from its earlier short streams, and recompute
  gaps only around the new played days of each item (a gap can only change where a new
  played day falls inside it or beyond an item's first/last day);
- ``refresh_monthly``: recomputed from the daily rollups, after a full rebuild.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

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
    first_table: str
    by_item_index: str  # the daily table's (user_id, item, day) index

    def table(self, level: str) -> str:
        """The rollup of this item by 'day', 'month' or 'year' (the period column's name)."""
        return {"day": self.day_table, "month": self.month_table, "year": self.year_table}[level]


TRACK = Entity(
    "track_id",
    "rollup_day_track",
    "rollup_month_track",
    "rollup_year_track",
    "rollup_track_total",
    "rollup_track_gap",
    "rollup_track_first",
    "rollup_day_track_by_track",
)
ARTIST = Entity(
    "artist_id",
    "rollup_day_artist",
    "rollup_month_artist",
    "rollup_year_artist",
    "rollup_artist_total",
    "rollup_artist_gap",
    "rollup_artist_first",
    "rollup_day_artist_by_artist",
)

#: Every table this module maintains (for code that deletes a user's listening data).
MONTHLY_TABLES = (
    "rollup_month_track",
    "rollup_month_artist",
    "rollup_year_track",
    "rollup_year_artist",
    "rollup_month_weekday_hour",
    "rollup_track_total",
    "rollup_artist_total",
    "rollup_track_gap",
    "rollup_artist_gap",
)

#: Monday = 0 … Sunday = 6 for a 'YYYY-MM-DD' column (SQLite's %w counts from Sunday).
WEEKDAY_SQL = "((CAST(strftime('%w', {col}) AS INTEGER) + 6) % 7)"


def refresh_monthly(conn: sqlite3.Connection, user_id: int) -> None:
    """Recompute the user's monthly, yearly, total and gap rollups from the daily ones."""
    with transaction(conn):
        for table in MONTHLY_TABLES:
            conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
        for entity in (TRACK, ARTIST):
            refresh_items(conn, user_id, entity)
        conn.execute(
            "INSERT INTO rollup_month_weekday_hour (user_id, month, weekday, hour, plays, "
            f"ms_played) SELECT user_id, substr(day, 1, 7), {WEEKDAY_SQL.format(col='day')}, "
            "hour, SUM(plays), SUM(ms_played) FROM rollup_day_hour WHERE user_id = ? "
            "GROUP BY 2, 3, 4",
            (user_id,),
        )


#: Per-call aggregates of the new plays of one kind of item (emptied by ``prepare_items``).
_ITEM_TEMP_TABLES = (
    # Per item and month: what the new plays add, and their first and last day with a
    # counted play. Item-first, so that the per-item sums read it in order.
    "CREATE TEMP TABLE IF NOT EXISTS new_months (id INTEGER NOT NULL, month TEXT NOT NULL, "
    "plays INTEGER, ms_played INTEGER, lo TEXT, hi TEXT, PRIMARY KEY (id, month)) WITHOUT ROWID",
    # Per item: the same over all months, plus what was stored before the new plays: the
    # nearest earlier and later played days (``before``/``after``), whether it already
    # had a counted play (``counted``) and the minutes of its earlier streams if not.
    "CREATE TEMP TABLE IF NOT EXISTS new_items (id INTEGER PRIMARY KEY, plays INTEGER, "
    "ms_played INTEGER, lo TEXT, hi TEXT, before TEXT, after TEXT, counted INTEGER, "
    "earlier_ms INTEGER)",
)


def prepare_items(conn: sqlite3.Connection, user_id: int, entity: Entity, temp: str) -> None:
    """Aggregate the new plays' daily rows (``temp``: item, month, day, plays, ..., ms_played)
    per month and per item, and note what the daily rollups held for those items before the
    new rows are added (call it before adding them; ``add_item_increments`` after)."""
    # (A temp table has no statistics: the subqueries below name the index to use, or the
    # planner may walk the day-first primary key over all earlier days.)
    col, by_item = entity.id_col, f"{entity.day_table} r INDEXED BY {entity.by_item_index}"
    for sql in _ITEM_TEMP_TABLES:
        conn.execute(sql)
    conn.execute("DELETE FROM temp.new_months")
    conn.execute("DELETE FROM temp.new_items")
    conn.execute(
        f"INSERT INTO temp.new_months SELECT {col}, month, SUM(plays), SUM(ms_played), "
        "MIN(day) FILTER (WHERE plays > 0), MAX(day) FILTER (WHERE plays > 0) "
        f"FROM {temp} GROUP BY {col}, month"
    )
    conn.execute(
        "INSERT INTO temp.new_items (id, plays, ms_played, lo, hi) "
        "SELECT id, SUM(plays), SUM(ms_played), MIN(lo), MAX(hi) FROM temp.new_months "
        "GROUP BY id"
    )
    conn.execute(
        f"UPDATE temp.new_items AS n SET counted = EXISTS (SELECT 1 FROM {entity.total_table} t "
        f"WHERE t.user_id = ? AND t.{col} = n.id)",
        (user_id,),
    )
    # Only new counted days move gaps, so the neighbours matter only for items that have
    # some, and only an item counted before has any. New counted days all lie in [lo, hi],
    # so these are the same before and after the new rows go in.
    conn.execute(
        "UPDATE temp.new_items AS n SET "
        f"before = (SELECT r.day FROM {by_item} WHERE r.user_id = ? AND r.{col} = n.id "
        "AND r.day < n.lo AND r.plays > 0 ORDER BY r.day DESC LIMIT 1), "
        f"after = (SELECT r.day FROM {by_item} WHERE r.user_id = ? AND r.{col} = n.id "
        "AND r.day > n.hi AND r.plays > 0 ORDER BY r.day LIMIT 1) "
        "WHERE n.lo IS NOT NULL AND n.counted",
        (user_id, user_id),
    )
    # An item's first counted play: its total also counts the minutes of earlier streams.
    conn.execute(
        f"UPDATE temp.new_items AS n SET earlier_ms = (SELECT SUM(r.ms_played) FROM {by_item} "
        f"WHERE r.user_id = ? AND r.{col} = n.id) WHERE n.lo IS NOT NULL AND NOT n.counted",
        (user_id,),
    )


def add_item_increments(conn: sqlite3.Connection, user_id: int, entity: Entity) -> None:
    """Bring the first-day, monthly, yearly, total and gap rollups of the items in
    ``temp.new_items`` in line, after their new daily rows were added. Cost follows the
    new plays, not the history."""
    col = entity.id_col
    conn.execute(
        f"INSERT INTO {entity.first_table} (user_id, {col}, first_day) SELECT ?, id, lo "
        f"FROM temp.new_items WHERE lo IS NOT NULL ON CONFLICT(user_id, {col}) "
        "DO UPDATE SET first_day = MIN(first_day, excluded.first_day)",
        (user_id,),
    )
    for table, period, select in (
        (
            entity.month_table,
            "month",
            "SELECT ?, id, month, plays, ms_played FROM temp.new_months WHERE true",
        ),
        (
            entity.year_table,
            "year",
            "SELECT ?, id, substr(month, 1, 4), SUM(plays), "
            "SUM(ms_played) FROM temp.new_months "
            "GROUP BY id, substr(month, 1, 4)",
        ),
    ):
        conn.execute(
            f"INSERT INTO {table} (user_id, {col}, {period}, plays, ms_played) {select} "
            f"ON CONFLICT(user_id, {col}, {period}) DO UPDATE SET "
            "plays = plays + excluded.plays, ms_played = ms_played + excluded.ms_played",
            (user_id,),
        )
    # Items with a counted play before: add to their total.
    conn.execute(
        f"INSERT INTO {entity.total_table} (user_id, {col}, plays, ms_played, first_day, "
        "last_day) SELECT ?, id, plays, ms_played, COALESCE(lo, '9999'), COALESCE(hi, '0000') "
        f"FROM temp.new_items WHERE counted ON CONFLICT(user_id, {col}) DO UPDATE SET "
        "plays = plays + excluded.plays, ms_played = ms_played + excluded.ms_played, "
        "first_day = MIN(first_day, excluded.first_day), "
        "last_day = MAX(last_day, excluded.last_day)",
        (user_id,),
    )
    # Items with their first counted play: every earlier stream was short.
    conn.execute(
        f"INSERT INTO {entity.total_table} (user_id, {col}, plays, ms_played, first_day, "
        "last_day) SELECT ?, id, plays, ms_played + COALESCE(earlier_ms, 0), lo, hi "
        "FROM temp.new_items WHERE lo IS NOT NULL AND NOT counted",
        (user_id,),
    )
    # Gaps can only change between the last played day before an item's first new played
    # day and the first played day after its last one: recompute them in that window.
    # ('+' keeps the planner on the gap table's (user, item) key: left to choose, without
    # statistics (a new database has none for it), it walked a by-day index over every gap of
    # the user once per item, 9 s per slice at 100k plays.)
    conn.execute(
        f"DELETE FROM {entity.gap_table} WHERE (user_id, {col}, after_day) IN ("
        f"SELECT g.user_id, g.{col}, g.after_day FROM temp.new_items n "
        f"CROSS JOIN {entity.gap_table} g ON g.user_id = ? AND g.{col} = n.id "
        "AND +g.after_day >= COALESCE(n.before, n.lo) "
        "AND +g.before_day <= COALESCE(n.after, n.hi) "
        "WHERE n.lo IS NOT NULL)",
        (user_id,),
    )
    _insert_gaps(
        conn,
        user_id,
        entity,
        conn.execute(
            f"SELECT r.{col}, r.day FROM temp.new_items n CROSS JOIN {entity.day_table} r "
            f"INDEXED BY {entity.by_item_index} ON r.user_id = ? AND r.{col} = n.id "
            "AND r.day BETWEEN COALESCE(n.before, n.lo) AND COALESCE(n.after, n.hi) "
            "WHERE n.lo IS NOT NULL AND r.plays > 0 ORDER BY n.id, r.day",
            (user_id,),
        ),
    )


def add_weekday_hours(conn: sqlite3.Connection, user_id: int) -> None:
    """Add the new plays' (day, hour) aggregates (``temp.new_hours``) into the
    month x weekday x hour rollup."""
    conn.execute(
        "INSERT INTO rollup_month_weekday_hour (user_id, month, weekday, hour, plays, "
        f"ms_played) SELECT ?, substr(day, 1, 7), {WEEKDAY_SQL.format(col='day')}, hour, "
        "SUM(plays), SUM(ms_played) FROM temp.new_hours WHERE true GROUP BY 2, 3, 4 "
        "ON CONFLICT(user_id, weekday, hour, month) DO UPDATE SET "
        "plays = plays + excluded.plays, ms_played = ms_played + excluded.ms_played",
        (user_id,),
    )


class _DayNumbers(dict):
    """'YYYY-MM-DD' -> day number, computed once per date (a history has a few thousand)."""

    def __missing__(self, day: str) -> int:
        value = self[day] = date.fromisoformat(day).toordinal()
        return value


def _insert_gaps(
    conn: sqlite3.Connection, user_id: int, entity: Entity, played: Iterable[tuple[int, str]]
) -> None:
    """Store the long gaps between consecutive played days in ``played`` ((item, day) rows
    ordered by item, then day). Done in Python: SQLite's LAG() window over a million rows
    with a date() per row took four times as long as this loop."""
    numbers = _DayNumbers()
    gaps = []
    last_item = last_day = None
    last_number = 0
    for item, day in played:
        number = numbers[day]
        if item == last_item and number - last_number - 1 >= GAP_MIN_DAYS:
            gaps.append((user_id, item, last_day, day))
        last_item, last_day, last_number = item, day, number
    conn.executemany(
        f"INSERT INTO {entity.gap_table} (user_id, {entity.id_col}, after_day, "
        "before_day) VALUES (?, ?, ?, ?)",
        gaps,
    )


def _only(entity: Entity, ids: str | None) -> tuple[str, tuple]:
    """(SQL condition, args) keeping the rows of the items in ``ids``; none for all items."""
    if ids is None:
        return "", ()
    return f"AND {entity.id_col} IN (SELECT value FROM json_each(?))", (ids,)


def refresh_items(
    conn: sqlite3.Connection, user_id: int, entity: Entity, ids: str | None = None
) -> None:
    """Recompute the (emptied) monthly, yearly, total and gap rows of the user's items from
    their daily rows: every item, or only those in ``ids`` (a JSON list of ids)."""
    col = entity.id_col
    only, args = _only(entity, ids)
    conn.execute(
        f"INSERT INTO {entity.month_table} (user_id, {col}, month, plays, ms_played) "
        f"SELECT user_id, {col}, substr(day, 1, 7), SUM(plays), SUM(ms_played) "
        f"FROM {entity.day_table} WHERE user_id = ? {only} GROUP BY {col}, substr(day, 1, 7)",
        (user_id, *args),
    )
    # Years from the monthly rows (a year is at most twelve of them per item).
    conn.execute(
        f"INSERT INTO {entity.year_table} (user_id, {col}, year, plays, ms_played) "
        f"SELECT user_id, {col}, substr(month, 1, 4), SUM(plays), SUM(ms_played) "
        f"FROM {entity.month_table} WHERE user_id = ? {only} "
        f"GROUP BY {col}, substr(month, 1, 4)",
        (user_id, *args),
    )
    # Totals and long gaps.
    conn.execute(
        f"INSERT INTO {entity.total_table} (user_id, {col}, plays, ms_played, first_day, "
        f"last_day) SELECT user_id, {col}, SUM(plays), SUM(ms_played), "
        f"MIN(day) FILTER (WHERE plays > 0), MAX(day) FILTER (WHERE plays > 0) "
        f"FROM {entity.day_table} WHERE user_id = ? {only} GROUP BY {col} "
        f"HAVING SUM(plays) > 0",
        (user_id, *args),
    )
    _insert_gaps(
        conn,
        user_id,
        entity,
        conn.execute(
            f"SELECT {col}, day FROM {entity.day_table} INDEXED BY {entity.by_item_index} "
            f"WHERE user_id = ? AND plays > 0 {only} ORDER BY {col}, day",
            (user_id, *args),
        ),
    )

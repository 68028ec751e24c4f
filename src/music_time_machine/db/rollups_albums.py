"""Album rollups (migration 0017): an album's daily, monthly, yearly, total, gap and
first-day rows, so that top albums, album pages and album lists read albums directly
instead of summing their songs' rollups on every request.

One rule keeps them exact: an album's row is the sum of the track rollup rows of the songs
whose ``tracks.album_id`` names it (a song counts for one album, the version played most:
``catalogue.refresh_song_uris``). Three ways keep that true, each writing inside the
caller's transaction:

- new plays (``add_album_plays``, from ``rollups.add_new_plays``): the new plays' per-track
  days, grouped per album, are added like the track and artist ones (the shared
  ``prepare_items``/``add_item_increments``), so the cost follows the new plays;
- a song changing album (``refresh_albums``, from ``refresh_song_uris``): the old and the
  new album are recomputed from their songs' daily rollups;
- a full rebuild (``rebuild_album_rollups``, from ``rollups.rebuild_rollups``): the user's
  album rollups are recomputed from the daily track rollup in one pass.

Deleting a user's data needs nothing here: every table has a ``user_id`` (userdata.py).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable

from .migrate import has_table
from .rollups_monthly import Entity, add_item_increments, prepare_items, refresh_items

ALBUM = Entity(
    "album_id",
    "rollup_day_album",
    "rollup_month_album",
    "rollup_year_album",
    "rollup_album_total",
    "rollup_album_gap",
    "rollup_album_first",
    "rollup_day_album_by_album",
)

#: Every album rollup table (all keyed by user_id and album_id).
ALBUM_TABLES = (
    ALBUM.day_table,
    ALBUM.month_table,
    ALBUM.year_table,
    ALBUM.total_table,
    ALBUM.gap_table,
    ALBUM.first_table,
)

_NEW_ALBUM_DAYS = (
    "CREATE TEMP TABLE IF NOT EXISTS new_album_days (album_id INTEGER NOT NULL, "
    "month TEXT NOT NULL, day TEXT NOT NULL, plays INTEGER, ms_played INTEGER, "
    "PRIMARY KEY (album_id, month, day)) WITHOUT ROWID"
)


def add_album_plays(conn: sqlite3.Connection, user_id: int) -> None:
    """Add the new plays' per-track days (``temp.new_track_days``, filled by
    ``rollups.add_new_plays``) into the album rollups of their songs' albums."""
    if not has_table(conn, ALBUM.day_table):
        return
    conn.execute(_NEW_ALBUM_DAYS)
    conn.execute("DELETE FROM temp.new_album_days")
    conn.execute(
        "INSERT INTO temp.new_album_days SELECT t.album_id, d.month, d.day, SUM(d.plays), "
        "SUM(d.ms_played) FROM temp.new_track_days d CROSS JOIN tracks t ON t.id = d.track_id "
        "WHERE t.album_id IS NOT NULL GROUP BY t.album_id, d.day"
    )
    prepare_items(conn, user_id, ALBUM, "temp.new_album_days")
    conn.execute(
        "INSERT INTO rollup_day_album (user_id, day, album_id, plays, ms_played) "
        "SELECT ?, day, album_id, plays, ms_played FROM temp.new_album_days WHERE true "
        "ON CONFLICT(user_id, day, album_id) DO UPDATE SET plays = plays + excluded.plays, "
        "ms_played = ms_played + excluded.ms_played",
        (user_id,),
    )
    add_item_increments(conn, user_id, ALBUM)


def rebuild_album_rollups(conn: sqlite3.Connection, user_id: int) -> None:
    """Recompute all of the user's album rollups from the daily track rollup (which must be
    current: ``rollups.rebuild_rollups`` calls this after rebuilding it)."""
    if not has_table(conn, ALBUM.day_table):
        return
    for table in ALBUM_TABLES:
        conn.execute(f"DELETE FROM {table} WHERE user_id = ?", (user_id,))
    _fill(conn, user_id, None)


def refresh_albums(conn: sqlite3.Connection, user_id: int, album_ids: Iterable[int]) -> None:
    """Recompute the album rollups of these albums from their songs' daily rollups: after
    songs moved between them (a song's most-played version came on another album)."""
    ids = sorted(set(album_ids))
    if not ids or not has_table(conn, ALBUM.day_table):
        return
    chosen = json.dumps(ids)
    for table in ALBUM_TABLES:
        conn.execute(
            f"DELETE FROM {table} WHERE user_id = ? "
            "AND album_id IN (SELECT value FROM json_each(?))",
            (user_id, chosen),
        )
    _fill(conn, user_id, chosen)


def _fill(conn: sqlite3.Connection, user_id: int, ids: str | None) -> None:
    """Fill the (emptied) album rollups of every album, or of those in ``ids`` (JSON)."""
    if ids is None:
        source, args = (
            "FROM rollup_day_track r JOIN tracks t ON t.id = r.track_id "
            "WHERE r.user_id = ? AND t.album_id IS NOT NULL",
            (user_id,),
        )
    else:
        # The albums' songs first (tracks_album), then each song's days by its own index.
        source, args = (
            "FROM tracks t CROSS JOIN rollup_day_track r INDEXED BY rollup_day_track_by_track "
            "ON r.user_id = ? AND r.track_id = t.id "
            "WHERE t.album_id IN (SELECT value FROM json_each(?))",
            (user_id, ids),
        )
    conn.execute(
        "INSERT INTO rollup_day_album (user_id, day, album_id, plays, ms_played) "
        f"SELECT r.user_id, r.day, t.album_id, SUM(r.plays), SUM(r.ms_played) {source} "
        "GROUP BY r.day, t.album_id",
        args,
    )
    only = "" if ids is None else "AND album_id IN (SELECT value FROM json_each(?))"
    conn.execute(
        "INSERT INTO rollup_album_first (user_id, album_id, first_day) "
        "SELECT user_id, album_id, MIN(day) FROM rollup_day_album "
        f"WHERE user_id = ? AND plays > 0 {only} GROUP BY album_id",
        (user_id,) if ids is None else (user_id, ids),
    )
    refresh_items(conn, user_id, ALBUM, ids)

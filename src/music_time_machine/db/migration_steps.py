"""Python steps of migrations (``-- @step NAME`` lines, see migrate.py).

A step runs inside its migration's transaction with foreign keys off; migrate.py checks
every reference before committing. Steps find the tables they touch by looking at the
schema, so a table added by any earlier migration is covered without being named here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from .planner import ANALYSIS_ROWS, refresh_planner_statistics
from .search import install_search_index

#: The catalogue tables, parents last: the order their rows are copied in is the reverse.
CATALOGUE = ("tracks", "albums", "artists")


def _references(conn: sqlite3.Connection, parent: str) -> list[tuple[str, str]]:
    """(table, column) of every foreign key to ``parent`` from a table with a user_id."""
    found = []
    for (table,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' "
        "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%_v8'"
    ):
        if table in (*CATALOGUE, "track_artists"):
            continue
        columns = {c[1] for c in conn.execute(f"PRAGMA table_info({table})")}
        for fk in conn.execute(f"PRAGMA foreign_key_list({table})"):
            if fk[2] != parent:
                continue
            if "user_id" not in columns:
                raise sqlite3.IntegrityError(
                    f"{table}.{fk[3]} refers to {parent} but has no user_id: "
                    "cannot tell whose catalogue row it is"
                )
            found.append((table, fk[3]))
    return found


def _new_ids(conn: sqlite3.Connection, table: str, uses: set[tuple[int, int]]) -> None:
    """Fill temp.map_<table> (old_id, user_id, new_id) from (user_id, old_id) uses.

    A user none of whose rows a lower user id also uses keeps every id (so a one-user
    database keeps them all). Any other user gets fresh ids above every existing one for
    all their rows, in the order of the old ids: each user's rows keep their relative order,
    which top lists use to break ties, so no user's charts change.
    """
    conn.execute(
        f"CREATE TEMP TABLE map_{table} (old_id INTEGER NOT NULL, "
        "user_id INTEGER NOT NULL, new_id INTEGER NOT NULL UNIQUE, "
        "PRIMARY KEY (old_id, user_id)) WITHOUT ROWID"
    )
    next_id = (conn.execute(f"SELECT MAX(id) FROM {table}").fetchone()[0] or 0) + 1
    by_user: dict[int, list[int]] = {}
    for user_id, old_id in sorted(uses):
        by_user.setdefault(user_id, []).append(old_id)
    claimed: set[int] = set()  # ids used by a lower user
    rows = []
    for user_id, old_ids in by_user.items():
        if claimed.isdisjoint(old_ids):
            rows.extend((old_id, user_id, old_id) for old_id in old_ids)
        else:
            rows.extend((old_id, user_id, next_id + i) for i, old_id in enumerate(old_ids))
            next_id += len(old_ids)
        claimed.update(old_ids)
    conn.executemany(f"INSERT INTO temp.map_{table} VALUES (?, ?, ?)", rows)


def _uses(
    conn: sqlite3.Connection, refs: list[tuple[str, str]], through_tracks: str | None = None
) -> set[tuple[int, int]]:
    """The (user, id) pairs of the rows ``refs`` point to, plus those ``through_tracks``
    selects: what each user's copies of the tracks reach (their artists, their album)."""
    queries = [
        f"SELECT DISTINCT user_id, {column} FROM {table} WHERE {column} IS NOT NULL"
        for table, column in refs
    ]
    found: set[tuple[int, int]] = set()
    for sql in [*queries, through_tracks] if through_tracks else queries:
        found.update((r[0], r[1]) for r in conn.execute(sql))
    return found


def _copy_columns(conn: sqlite3.Connection, table: str, skip: tuple[str, ...]) -> list[str]:
    return [
        c[1]
        for c in conn.execute(f"PRAGMA table_info({table}_v8)")
        if c[1] not in ("id", "user_id", *skip)
    ]


def split_catalogue_by_user(conn: sqlite3.Connection) -> None:
    """Fill the ``*_v8`` catalogue tables with one copy of each row per user of it, and
    re-point every user's references to their copy (migration 0008)."""
    refs = {parent: _references(conn, parent) for parent in CATALOGUE}
    _new_ids(conn, "tracks", _uses(conn, refs["tracks"]))
    artist_uses = _uses(
        conn,
        refs["artists"],
        "SELECT DISTINCT m.user_id, ta.artist_id FROM temp.map_tracks m "
        "JOIN track_artists ta ON ta.track_id = m.old_id",
    )
    _new_ids(conn, "artists", artist_uses)
    album_uses = _uses(
        conn,
        refs["albums"],
        "SELECT DISTINCT m.user_id, t.album_id FROM temp.map_tracks m "
        "JOIN tracks t ON t.id = m.old_id WHERE t.album_id IS NOT NULL",
    )
    _new_ids(conn, "albums", album_uses)

    for table in ("artists", "albums"):
        cols = _copy_columns(conn, table, ())
        conn.execute(
            f"INSERT INTO {table}_v8 (id, user_id, {', '.join(cols)}) "
            f"SELECT m.new_id, m.user_id, {', '.join(f'x.{c}' for c in cols)} "
            f"FROM temp.map_{table} m JOIN {table} x ON x.id = m.old_id"
        )
    cols = _copy_columns(conn, "tracks", ("album_id",))
    conn.execute(
        f"INSERT INTO tracks_v8 (id, user_id, album_id, {', '.join(cols)}) "
        f"SELECT m.new_id, m.user_id, al.new_id, {', '.join(f't.{c}' for c in cols)} "
        "FROM temp.map_tracks m JOIN tracks t ON t.id = m.old_id "
        "LEFT JOIN temp.map_albums al ON al.old_id = t.album_id AND al.user_id = m.user_id"
    )
    conn.execute(
        "INSERT INTO track_artists_v8 (track_id, artist_id, position) "
        "SELECT mt.new_id, ma.new_id, ta.position FROM temp.map_tracks mt "
        "JOIN track_artists ta ON ta.track_id = mt.old_id "
        "JOIN temp.map_artists ma ON ma.old_id = ta.artist_id AND ma.user_id = mt.user_id"
    )

    # New ids lie above every old one and each user's mapping is one-to-one, so no
    # re-pointed row can meet another row's key half-way.
    for parent in CATALOGUE:
        for table, column in refs[parent]:
            conn.execute(
                f"UPDATE {table} SET {column} = (SELECT m.new_id FROM temp.map_{parent} m "
                f"WHERE m.old_id = {table}.{column} AND m.user_id = {table}.user_id) "
                f"WHERE {column} IS NOT NULL AND EXISTS (SELECT 1 FROM temp.map_{parent} m "
                f"WHERE m.old_id = {table}.{column} AND m.user_id = {table}.user_id "
                "AND m.new_id != m.old_id)"
            )
    for parent in CATALOGUE:
        conn.execute(f"DROP TABLE temp.map_{parent}")


def merge_songs(conn: sqlite3.Connection) -> None:
    """One tracks row per song (migration 0011): fill track_uris and plays.uri_id from the
    tracks' URIs, merge every user's tracks of one kind and match_key into the lowest id,
    and rebuild the rollups of the users that had any."""
    from ..timezones import LocalClock
    from .rollups import rebuild_rollups
    from .users import get_settings

    conn.execute(
        "INSERT INTO track_uris (user_id, uri, track_id, album_id) "
        "SELECT user_id, spotify_id, id, album_id FROM tracks "
        "WHERE spotify_id IS NOT NULL ORDER BY id"
    )
    conn.execute(
        "UPDATE plays SET uri_id = (SELECT u.id FROM track_uris u "
        "WHERE u.track_id = plays.track_id)"
    )
    conn.execute("CREATE TEMP TABLE song_map (old_id INTEGER PRIMARY KEY, new_id INTEGER NOT NULL)")
    conn.execute(
        "INSERT INTO temp.song_map SELECT t.id, k.keep FROM tracks t JOIN (SELECT user_id, "
        "kind, match_key, MIN(id) AS keep FROM tracks GROUP BY user_id, kind, match_key "
        "HAVING COUNT(*) > 1) k USING (user_id, kind, match_key) WHERE t.id != k.keep"
    )
    users = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT t.user_id FROM temp.song_map m JOIN tracks t ON t.id = m.old_id "
            "ORDER BY 1"
        )
    ]
    if users:
        _merge_plays(conn, LocalClock, get_settings)
        conn.execute(
            "UPDATE track_uris SET track_id = (SELECT new_id FROM temp.song_map "
            "WHERE old_id = track_id) WHERE track_id IN (SELECT old_id FROM "
            "temp.song_map)"
        )
        # A merged version's artists stay credited: each keeps its share of the plays.
        conn.execute(
            "INSERT OR IGNORE INTO track_artists (track_id, artist_id, position) "
            "SELECT m.new_id, ta.artist_id, 1000 + ta.position FROM temp.song_map m "
            "JOIN track_artists ta ON ta.track_id = m.old_id"
        )
        for table, column in _references(conn, "tracks"):
            if table.startswith("rollup_"):
                conn.execute(
                    f"DELETE FROM {table} WHERE {column} IN (SELECT old_id FROM temp.song_map)"
                )
            elif table not in ("plays", "track_uris"):
                conn.execute(
                    f"UPDATE {table} SET {column} = (SELECT new_id FROM "
                    f"temp.song_map WHERE old_id = {column}) WHERE {column} IN "
                    "(SELECT old_id FROM temp.song_map)"
                )
        conn.execute(
            "DELETE FROM track_artists WHERE track_id IN (SELECT old_id FROM temp.song_map)"
        )
        conn.execute("DELETE FROM tracks WHERE id IN (SELECT old_id FROM temp.song_map)")
    conn.execute(
        "UPDATE track_uris SET plays = (SELECT COUNT(*) FROM plays p "
        "WHERE p.uri_id = track_uris.id)"
    )
    for user_id in users:
        rebuild_rollups(conn, user_id)
    from .catalogue import refresh_song_uris

    for (user_id,) in conn.execute("SELECT DISTINCT user_id FROM track_uris").fetchall():
        refresh_song_uris(
            conn,
            user_id,
            [
                r[0]
                for r in conn.execute(
                    "SELECT track_id FROM track_uris WHERE user_id = ? GROUP BY track_id "
                    "HAVING COUNT(*) > 1",
                    (user_id,),
                )
            ],
        )
    conn.execute("DROP TABLE temp.song_map")


def _merge_plays(conn: sqlite3.Connection, clock_type, get_settings) -> None:
    """Re-point the plays of merged tracks to their song. A play that would take a (time,
    song) slot already held moves a millisecond on until one is free, with its local date
    and hour recomputed (the importer's rule for distinct streams sharing a slot)."""
    moving = conn.execute(
        "SELECT p.id, p.user_id, p.played_at, m.new_id FROM plays p JOIN temp.song_map m "
        "ON m.old_id = p.track_id ORDER BY p.user_id, p.played_at, p.id"
    ).fetchall()
    clocks: dict[int, object] = {}
    for play_id, user_id, played_at, song in moving:
        at = played_at
        while conn.execute(
            "SELECT 1 FROM plays WHERE user_id = ? AND played_at = ? AND track_id = ?",
            (user_id, at, song),
        ).fetchone():
            at += 1
        if at == played_at:
            conn.execute("UPDATE plays SET track_id = ? WHERE id = ?", (song, play_id))
            continue
        clock = clocks.get(user_id)
        if clock is None:
            clock = clocks[user_id] = clock_type(get_settings(conn, user_id).timezone)
        day, hour = clock.local(at)
        conn.execute(
            "UPDATE plays SET track_id = ?, played_at = ?, local_date = ?, "
            "local_hour = ? WHERE id = ?",
            (song, at, day, hour, play_id),
        )


def reinstall_search_index(conn: sqlite3.Connection) -> None:
    """The search index rebuilt with kind-first rowids (migration 0018, db/search.py)."""
    from .search import reinstall_search_index as reinstall

    reinstall(conn)


def fill_track_hours(conn: sqlite3.Connection) -> None:
    """Counted plays per track and local hour for every existing user (migration 0013)."""
    from .rollups import aggregate_track_hours
    from .users import get_settings

    for (user_id,) in conn.execute("SELECT id FROM users").fetchall():
        aggregate_track_hours(conn, user_id, get_settings(conn, user_id).play_rule)


def fill_album_rollups(conn: sqlite3.Connection) -> None:
    """Album rollups for every existing user, from their daily track rollups (migration
    0017), then planner statistics for the new tables."""
    from .rollups_albums import ALBUM_TABLES, rebuild_album_rollups

    for (user_id,) in conn.execute("SELECT id FROM users").fetchall():
        rebuild_album_rollups(conn, user_id)
    conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_ROWS}")
    for table in ALBUM_TABLES:
        conn.execute(f"ANALYZE {table}")


STEPS: dict[str, Callable[[sqlite3.Connection], None]] = {
    "refresh_planner_statistics": refresh_planner_statistics,
    "split_catalogue_by_user": split_catalogue_by_user,
    "merge_songs": merge_songs,
    "reinstall_search_index": reinstall_search_index,
    "fill_track_hours": fill_track_hours,
    "install_search_index": install_search_index,
    "fill_album_rollups": fill_album_rollups,
}

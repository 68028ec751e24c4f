"""All of one user's rows: counting them, an overview of them, deleting them, and a backup
holding only them.

Every user-owned table has a ``user_id`` column (a rule of the schema), so the tables are
found by looking, and a table added by a later migration is covered without code changes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from . import connect, transaction, transaction_checking_keys_at_end
from .search import drop_search_index
from .stats import ListeningStats

#: Tables that make up the account itself rather than its listening data.
ACCOUNT_TABLES = ("users", "user_settings", "spotify_accounts")
#: The user's own catalogue (migration 0008), referred to by the other tables: deleted
#: last, children first (track_artists goes with its tracks).
CATALOGUE_TABLES = ("tracks", "albums", "artists")


def user_tables(conn: sqlite3.Connection) -> list[str]:
    """Every table with a ``user_id`` column, children before parents, ``users`` excluded."""
    names = _tables(conn)
    found = [
        n
        for n in names
        if n != "users"
        and any(col[1] == "user_id" for col in conn.execute(f"PRAGMA table_info({n})"))
    ]
    return [n for n in found if n not in CATALOGUE_TABLES] + [
        n for n in CATALOGUE_TABLES if n in found
    ]


def _tables(conn: sqlite3.Connection) -> list[str]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name"
        )
    ]


def listening_tables(conn: sqlite3.Connection) -> list[str]:
    return [t for t in user_tables(conn) if t not in ACCOUNT_TABLES]


def count_user_rows(conn: sqlite3.Connection, user_id: int) -> dict[str, int]:
    return {
        t: conn.execute(f"SELECT COUNT(*) FROM {t} WHERE user_id = ?", (user_id,)).fetchone()[0]
        for t in listening_tables(conn)
    }


def data_overview(conn: sqlite3.Connection, user_id: int) -> dict:
    """Streams of every kind and the first and last of them, with the all-time music totals
    from the stats (the same numbers Analytics shows for "all").

    Streams are counted without reading every play (125 ms at a million): music streams
    are summed in ``rollup_day``, the few others counted through the ``plays_not_music``
    index; the first and last come from the ends of the (user, time) index."""
    row = conn.execute(
        "SELECT (SELECT COALESCE(SUM(streams), 0) FROM rollup_day WHERE user_id = :u) "
        "+ (SELECT COUNT(*) FROM plays WHERE user_id = :u AND kind <> 'music') AS streams, "
        "(SELECT MIN(played_at) FROM plays WHERE user_id = :u) AS first, "
        "(SELECT MAX(played_at) FROM plays WHERE user_id = :u) AS last",
        {"u": user_id},
    ).fetchone()
    music = ListeningStats(conn, user_id).all_time()
    return {
        "streams": row["streams"],
        "plays": music.plays,
        "hours": music.hours,
        "minutes": music.minutes,
        "tracks": music.tracks,
        "artists": music.artists,
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


def delete_listening_data(conn: sqlite3.Connection, user_id: int) -> dict[str, int]:
    """Delete the user's listening data (keeps the account and its settings); one transaction."""
    return _delete(conn, user_id, with_account=False)


def delete_account(conn: sqlite3.Connection, user_id: int) -> dict[str, int]:
    """Delete the user, the tokens and all their data in one transaction."""
    deleted = _delete(conn, user_id, with_account=True)
    prune_catalogue(conn)
    return deleted


def _delete(conn: sqlite3.Connection, user_id: int, with_account: bool) -> dict[str, int]:
    """The user's rows in every listening table (and the account's, ``with_account``), and
    the rows that hang off their catalogue without a ``user_id`` (a track's artists, an
    artist's MusicBrainz match and tags), which the foreign keys' cascade used to delete.

    Foreign keys are checked once at the end, not row by row, and the only user of the
    database (every local-mode install) has each table emptied whole, which SQLite does by
    freeing pages: a million plays take ~2.5 s instead of ~20 s (``bench/bench_clear.py``)."""
    with transaction_checking_keys_at_end(conn, "deleting the data"):
        # Asked under the write lock: nobody can be added in between.
        others = conn.execute(
            "SELECT EXISTS (SELECT 1 FROM users WHERE id <> ?)", (user_id,)
        ).fetchone()[0]
        args = (user_id,) if others else ()
        owned = user_tables(conn)
        for table, column, parent in _hanging_off_catalogue(conn, owned):
            mine = f" WHERE {column} IN (SELECT id FROM {parent} WHERE user_id = ?)"
            conn.execute(f"DELETE FROM {table}" + (mine if others else ""), args)
        mine = " WHERE user_id = ?" if others else ""
        deleted = {
            t: conn.execute(f"DELETE FROM {t}{mine}", args).rowcount
            for t in owned
            if t not in ACCOUNT_TABLES
        }
        if with_account:
            for table in ("spotify_accounts", "user_settings"):
                deleted[table] = conn.execute(
                    f"DELETE FROM {table} WHERE user_id = ?", (user_id,)
                ).rowcount
            deleted["users"] = conn.execute("DELETE FROM users WHERE id = ?", (user_id,)).rowcount
    return deleted


def _hanging_off_catalogue(
    conn: sqlite3.Connection, owned: list[str]
) -> list[tuple[str, str, str]]:
    """(table, column, catalogue table) for each table without a ``user_id`` (not in
    ``owned``, ``user_tables``) whose rows go with the catalogue row they refer to
    (``ON DELETE CASCADE``)."""
    return [
        (table, fk["from"], fk["table"])
        for table in _tables(conn)
        if table not in owned and table != "users"
        for fk in conn.execute(f"PRAGMA foreign_key_list({table})")
        if fk["table"] in CATALOGUE_TABLES and fk["on_delete"] == "CASCADE"
    ]


def prune_catalogue(conn: sqlite3.Connection) -> None:
    """Drop catalogue rows no user refers to any more."""
    refs = [
        (t, c)
        for t in user_tables(conn)
        for c in ("track_id", "artist_id")
        if any(col[1] == c for col in conn.execute(f"PRAGMA table_info({t})"))
    ]
    track_refs = " UNION ".join(
        f"SELECT track_id FROM {t} WHERE track_id IS NOT NULL" for t, c in refs if c == "track_id"
    )
    artist_refs = " UNION ".join(
        f"SELECT artist_id FROM {t} WHERE artist_id IS NOT NULL"
        for t, c in refs
        if c == "artist_id"
    )
    with transaction(conn):
        conn.execute(f"DELETE FROM tracks WHERE id NOT IN ({track_refs})")
        conn.execute(
            "DELETE FROM artists WHERE id NOT IN (SELECT artist_id FROM track_artists)"
            + (f" AND id NOT IN ({artist_refs})" if artist_refs else "")
        )
        conn.execute(
            "DELETE FROM albums WHERE id NOT IN "
            "(SELECT album_id FROM tracks WHERE album_id IS NOT NULL) AND id NOT IN "
            "(SELECT album_id FROM track_uris WHERE album_id IS NOT NULL)"
        )


def backup_user(db_path: str | Path, user_id: int, destination: Path) -> None:
    """Write a SQLite file with this user's data only, in the app's own schema.

    ``VACUUM INTO`` takes a consistent snapshot while the app keeps running (it reads in one
    transaction); the copy is then stripped of the search index (derived, and not a plain
    table: see ``drop_search_index``), of other users, of catalogue rows only they
    used, and of the Spotify tokens, and compacted.
    """
    source = connect(db_path)
    try:
        source.execute("VACUUM INTO ?", (str(destination),))
    finally:
        source.close()
    copy = connect(destination)
    try:
        copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        with transaction(copy):
            drop_search_index(copy)
            for table in user_tables(copy):
                copy.execute(f"DELETE FROM {table} WHERE user_id != ?", (user_id,))
            copy.execute("DELETE FROM users WHERE id != ?", (user_id,))
            copy.execute(
                "UPDATE spotify_accounts SET access_token_enc = NULL, "
                "refresh_token_enc = NULL, access_expires_at = NULL"
            )
        prune_catalogue(copy)
        copy.execute("VACUUM")
    finally:
        copy.close()

"""A file imported over several transactions, undone as a whole if it stops half-way.

The importer commits about every second (``importers/run.py``, ``SLICE_SECONDS``) so that
other users' writes interleave, even in the middle of one 200 MB file. A file is still all
or nothing: each committed slice of an unfinished file records in ``import_file_slices``
the id ranges of the plays and catalogue rows it added (inside one write transaction every
new id is ours, so a range names exactly our rows). The file's last slice deletes those
records with its last rows; a failure, a cancel or the time bound calls ``undo_file``, and
a crash leaves the records for ``undo_abandoned_files`` at the next server start.

Undo deletes the file's plays, then the tracks, albums and artists it created that nothing
else came to use meanwhile (the catalogue is shared), and rebuilds the user's rollups
(``rebuild_rollups``: simpler than subtracting the file's contributions from every rollup,
gaps and first days included, and exact; it costs a few seconds per 300k plays, on a path
that is rare).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from . import transaction
from .catalogue import recount_uri_plays
from .rollups import rebuild_rollups

#: The tables a file adds rows to, in the order they are undone (a track before its album).
_CATALOGUE = ("tracks", "albums", "artists")

#: Catalogue rows that something outside the undone file still uses stay.
_STILL_USED = {
    "tracks": (
        "SELECT track_id FROM plays",
        "SELECT track_id FROM top_snapshots WHERE track_id IS NOT NULL",
    ),
    "albums": (
        "SELECT album_id FROM tracks WHERE album_id IS NOT NULL",
        "SELECT album_id FROM track_uris WHERE album_id IS NOT NULL",
    ),
    "artists": (
        "SELECT artist_id FROM track_artists",
        "SELECT artist_id FROM top_snapshots WHERE artist_id IS NOT NULL",
    ),
}


@dataclass(frozen=True)
class IdMarks:
    """The highest id of plays and of each catalogue table at one moment."""

    plays: int
    tracks: int
    albums: int
    artists: int


def id_marks(conn: sqlite3.Connection) -> IdMarks:
    """The current highest ids: rows added after this (in the same write transaction) have
    higher ones."""
    return IdMarks(
        *conn.execute(
            "SELECT (SELECT COALESCE(MAX(id), 0) FROM plays), "
            "(SELECT COALESCE(MAX(id), 0) FROM tracks), (SELECT COALESCE(MAX(id), 0) FROM albums), "
            "(SELECT COALESCE(MAX(id), 0) FROM artists)"
        ).fetchone()
    )


def record_slice(
    conn: sqlite3.Connection, attempt: str, user_id: int, file_name: str, before: IdMarks
) -> None:
    """Note what this transaction added for the unfinished file ``attempt`` since ``before``
    (call it in the transaction, just before it commits)."""
    now = id_marks(conn)
    conn.execute(
        "INSERT INTO import_file_slices (attempt, user_id, file_name, plays_after, plays_last, "
        "tracks_after, tracks_last, albums_after, albums_last, artists_after, artists_last) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            attempt,
            user_id,
            file_name,
            before.plays,
            now.plays,
            before.tracks,
            now.tracks,
            before.albums,
            now.albums,
            before.artists,
            now.artists,
        ),
    )


def finish_file(conn: sqlite3.Connection, attempt: str) -> None:
    """The file is complete: forget its slices (in the transaction that adds its last rows,
    so that it is either finished or undoable, never neither)."""
    conn.execute("DELETE FROM import_file_slices WHERE attempt = ?", (attempt,))


def undo_file(conn: sqlite3.Connection, attempt: str) -> int:
    """Remove every row the committed slices of ``attempt`` added and bring the user's
    rollups back in line, in one transaction; returns the number of plays removed."""
    with transaction(conn):
        users = [
            r[0]
            for r in conn.execute(
                "SELECT DISTINCT user_id FROM import_file_slices WHERE attempt = ?", (attempt,)
            )
        ]
        removed = conn.execute(
            "DELETE FROM plays WHERE id IN (SELECT p.id FROM import_file_slices s "
            "JOIN plays p ON p.id > s.plays_after AND p.id <= s.plays_last "
            "AND p.user_id = s.user_id WHERE s.attempt = ?)",
            (attempt,),
        ).rowcount
        # The rollups first: until rebuilt they still name the file's tracks and artists.
        for user_id in users:
            rebuild_rollups(conn, user_id)
            recount_uri_plays(conn, user_id)
        for table in _CATALOGUE:
            used = " ".join(f"AND id NOT IN ({select})" for select in _STILL_USED[table])
            conn.execute(
                f"DELETE FROM {table} WHERE id IN (SELECT t.id FROM import_file_slices s "
                f"JOIN {table} t ON t.id > s.{table}_after AND t.id <= s.{table}_last "
                f"WHERE s.attempt = ?) {used}",
                (attempt,),
            )
        finish_file(conn, attempt)
    return removed


def undo_abandoned_files(conn: sqlite3.Connection) -> int:
    """Undo every file a stopped process left half-imported (at server start, when no
    import can be running); returns how many files were undone."""
    attempts = [r[0] for r in conn.execute("SELECT DISTINCT attempt FROM import_file_slices")]
    for attempt in attempts:
        undo_file(conn, attempt)
    return len(attempts)

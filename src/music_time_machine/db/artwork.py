"""Which stored image shows each of a user's albums and artists (migration 0016).

The artwork phase (``metadata.artwork``) asks what is due, most played first, and records
each answer as soon as it has it: a key, or "none found" (``image_key`` NULL), which is not
asked again until ``NONE_FOUND_RETRY_DAYS`` have passed. The pages ask for the keys of the
items they list, and ``web.images`` asks whether a user may be served a key at all.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

#: A search that found no picture is repeated after this many days (covers get added).
NONE_FOUND_RETRY_DAYS = 90
SOURCES = ("spotify", "coverartarchive")


@dataclass(frozen=True)
class AlbumDue:
    """An album still without a picture: the Spotify image the sync saw (if any), and the
    user's most played song on it with its primary artist, to find it in MusicBrainz."""

    album_id: int
    name: str
    image_url: str | None
    plays: int
    track_title: str | None
    artist_name: str | None


@dataclass(frozen=True)
class ArtistDue:
    artist_id: int
    name: str
    image_url: str
    plays: int


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _retry_cutoff(now: datetime | None = None) -> str:
    moment = (now or datetime.now(UTC)) - timedelta(days=NONE_FOUND_RETRY_DAYS)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def albums_due(
    conn: sqlite3.Connection, user_id: int, now: datetime | None = None
) -> list[AlbumDue]:
    """The user's played albums with no picture yet, the most played first: never looked
    for, or found without one more than ``NONE_FOUND_RETRY_DAYS`` ago."""
    rows = conn.execute(
        "WITH played AS ("
        " SELECT t.album_id AS album, t.id AS track, r.plays FROM tracks t"
        " JOIN rollup_track_total r ON r.user_id = t.user_id AND r.track_id = t.id"
        " WHERE t.user_id = ? AND t.album_id IS NOT NULL AND t.kind = 'music'),"
        " ranked AS (SELECT album, track, plays, ROW_NUMBER() OVER (PARTITION BY album"
        "  ORDER BY plays DESC, track) AS n, SUM(plays) OVER (PARTITION BY album) AS total"
        "  FROM played)"
        " SELECT al.id, al.name, al.image_url, k.total, t.name AS title,"
        "  (SELECT a.name FROM track_artists ta JOIN artists a ON a.id = ta.artist_id"
        "   WHERE ta.track_id = t.id ORDER BY ta.position LIMIT 1) AS artist"
        " FROM ranked k JOIN albums al ON al.id = k.album JOIN tracks t ON t.id = k.track"
        " LEFT JOIN album_art aa ON aa.album = al.id"
        " WHERE k.n = 1 AND (aa.album IS NULL OR (aa.image_key IS NULL AND aa.fetched_at < ?))"
        " ORDER BY k.total DESC, al.id",
        (user_id, _retry_cutoff(now)),
    ).fetchall()
    return [AlbumDue(r[0], r[1], r[2], r[3], r[4], r[5]) for r in rows]


def artists_due(
    conn: sqlite3.Connection, user_id: int, now: datetime | None = None
) -> list[ArtistDue]:
    """The user's played artists with a Spotify picture not stored yet, most played first."""
    rows = conn.execute(
        "SELECT a.id, a.name, a.image_url, r.plays FROM artists a"
        " JOIN rollup_artist_total r ON r.user_id = a.user_id AND r.artist_id = a.id"
        " LEFT JOIN artist_art ar ON ar.artist = a.id"
        " WHERE a.user_id = ? AND a.image_url IS NOT NULL"
        " AND (ar.artist IS NULL OR (ar.image_key IS NULL AND ar.fetched_at < ?))"
        " ORDER BY r.plays DESC, a.id",
        (user_id, _retry_cutoff(now)),
    ).fetchall()
    return [ArtistDue(*r) for r in rows]


def save_album_art(
    conn: sqlite3.Connection, user_id: int, album_id: int, image_key: str | None, source: str | None
) -> None:
    """Record the album's picture, or (``image_key`` None) that none was found."""
    _save(conn, "album_art", "album", "albums", user_id, album_id, image_key, source)


def save_artist_art(
    conn: sqlite3.Connection,
    user_id: int,
    artist_id: int,
    image_key: str | None,
    source: str | None,
) -> None:
    _save(conn, "artist_art", "artist", "artists", user_id, artist_id, image_key, source)


def _save(
    conn: sqlite3.Connection,
    table: str,
    column: str,
    owner_table: str,
    user_id: int,
    item_id: int,
    image_key: str | None,
    source: str | None,
) -> None:
    if (image_key is None) != (source is None) or (source and source not in SOURCES):
        raise ValueError("a picture needs a known source, and 'none found' has none")
    # The item must be this user's: a row for someone else's album would let them be served.
    conn.execute(
        f"INSERT INTO {table} ({column}, user_id, image_key, source, fetched_at)"
        f" SELECT id, user_id, ?, ?, ? FROM {owner_table} WHERE id = ? AND user_id = ?"
        f" ON CONFLICT ({column}) DO UPDATE SET image_key = excluded.image_key,"
        " source = excluded.source, fetched_at = excluded.fetched_at",
        (image_key, source, _now(), item_id, user_id),
    )


def user_has_image(conn: sqlite3.Connection, user_id: int, image_key: str) -> bool:
    """Whether one of the user's albums or artists shows ``image_key``."""
    return (
        conn.execute(
            "SELECT EXISTS (SELECT 1 FROM album_art WHERE user_id = ? AND image_key = ?)"
            " OR EXISTS (SELECT 1 FROM artist_art WHERE user_id = ? AND image_key = ?)",
            (user_id, image_key, user_id, image_key),
        ).fetchone()[0]
        == 1
    )


def track_image_keys(
    conn: sqlite3.Connection, user_id: int, track_ids: list[int]
) -> dict[int, str]:
    """track id -> the key of its album's picture, for the tracks that have one."""
    return _image_keys(
        conn,
        user_id,
        track_ids,
        "SELECT t.id, aa.image_key FROM tracks t JOIN album_art aa ON aa.album = t.album_id"
        " WHERE +t.user_id = ? AND t.id IN ({marks}) AND aa.image_key IS NOT NULL",
    )


def album_image_keys(
    conn: sqlite3.Connection, user_id: int, album_ids: list[int]
) -> dict[int, str]:
    """album id -> the key of its picture, for the albums that have one."""
    return _image_keys(conn, user_id, album_ids, _OWN_IMAGE_KEYS.format(kind="album"))


def artist_image_keys(
    conn: sqlite3.Connection, user_id: int, artist_ids: list[int]
) -> dict[int, str]:
    """artist id -> the key of its picture, for the artists that have one."""
    return _image_keys(conn, user_id, artist_ids, _OWN_IMAGE_KEYS.format(kind="artist"))


#: An album's or an artist's own picture: ``album_art`` and ``artist_art`` have one shape.
_OWN_IMAGE_KEYS = (
    "SELECT {kind}, image_key FROM {kind}_art WHERE +user_id = ?"
    " AND {kind} IN ({{marks}}) AND image_key IS NOT NULL"
)


def _image_keys(conn: sqlite3.Connection, user_id: int, ids: list[int], sql: str) -> dict[int, str]:
    """id -> image key from ``sql`` (``user_id`` its first parameter, then the ids in
    ``{marks}``), asked 500 ids at a time to stay under SQLite's limit on parameters.

    ``+user_id`` in these lookups: the rows are found by id; left to itself the planner
    walks an index over all of the user's rows (73,000 tracks at a million plays, 6 ms)."""
    found: dict[int, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(conn.execute(sql.format(marks=marks), (user_id, *chunk)).fetchall())
    return found


def artwork_counts(conn: sqlite3.Connection, user_id: int) -> dict[str, int]:
    """Where the user's pictures stand, for Settings: albums and artists with a picture,
    looked for without one, and the totals the page shows (``found``: covers and artist
    pictures; ``none``: looked for, none found; ``to_look_up``: played albums and artists
    with a Spotify picture never looked for yet, what the next artwork phase starts with)."""
    row = conn.execute(
        "SELECT (SELECT COUNT(*) FROM album_art WHERE user_id = ? AND image_key IS NOT NULL),"
        " (SELECT COUNT(*) FROM album_art WHERE user_id = ? AND image_key IS NULL),"
        " (SELECT COUNT(*) FROM artist_art WHERE user_id = ? AND image_key IS NOT NULL),"
        " (SELECT COUNT(*) FROM artist_art WHERE user_id = ? AND image_key IS NULL),"
        # The played albums are the rows of their all-time rollup (a music stream makes one):
        # never reading the ~70,000 track rows of a large history.
        " (SELECT COUNT(*) FROM rollup_album_total r WHERE r.user_id = ?"
        "   AND NOT EXISTS (SELECT 1 FROM album_art aa WHERE aa.album = r.album_id)),"
        " (SELECT COUNT(*) FROM artists a"
        "   JOIN rollup_artist_total r ON r.user_id = a.user_id AND r.artist_id = a.id"
        "   WHERE a.user_id = ? AND a.image_url IS NOT NULL"
        "   AND NOT EXISTS (SELECT 1 FROM artist_art ar WHERE ar.artist = a.id))",
        (user_id,) * 6,
    ).fetchone()
    counts = {
        "albums_with_art": row[0],
        "albums_without": row[1],
        "artists_with_art": row[2],
        "artists_without": row[3],
    }
    return counts | {
        "found": row[0] + row[2],
        "none": row[1] + row[3],
        "to_look_up": row[4] + row[5],
    }


def image_keys(conn: sqlite3.Connection, user_id: int | None) -> set[str]:
    """Every key the user's albums and artists show; with ``user_id`` None, every key any
    user's show: the pictures the image store must keep (``metadata.image_pruning``)."""
    mine = "user_id = ? AND " if user_id is not None else ""
    return {
        r[0]
        for r in conn.execute(
            f"SELECT image_key FROM album_art WHERE {mine}image_key IS NOT NULL UNION "
            f"SELECT image_key FROM artist_art WHERE {mine}image_key IS NOT NULL",
            (user_id, user_id) if user_id is not None else (),
        )
    }


def forget_images(conn: sqlite3.Connection, user_id: int, keys: set[str]) -> int:
    """Drop the user's rows showing ``keys`` (their files are gone), so that those albums and
    artists are due again; returns how many rows went."""
    gone = 0
    for key in sorted(keys):
        for table in ("album_art", "artist_art"):
            gone += conn.execute(
                f"DELETE FROM {table} WHERE user_id = ? AND image_key = ?", (user_id, key)
            ).rowcount
    return gone

"""What MusicBrainz said about a user's artists (migration 0015), and who wants enrichment.

The enrichment job (``metadata/enrichment.py``) asks for the artists still to look up, most
played first, and stores one artist at a time, each in its own short transaction: the
charts read ``ARTIST_GENRES``, so they improve as matches land, and a stopped job
loses at most the artist it was on. An artist stays done until its ``looked_up_at`` is older
than the refresh age.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

from . import transaction

#: A looked-up artist is asked again after this long (MusicBrainz data changes slowly).
REFRESH_AFTER_S = 90 * 24 * 3600
#: The genres an artist counts under in the charts: its most voted, at most this many...
CHART_GENRES = 3
#: ...each with at least this share of the top genre's votes (a single stray vote for a
#: far-off genre does not split a play).
CHART_GENRE_MIN_SHARE = 1 / 3


#: The one rule for an artist's genres, read by the charts and the moods, as a table to
#: join (``JOIN (ARTIST_GENRES) g ON g.artist_id = ...``): Spotify's own genres win where it
#: lists some; else MusicBrainz's; else none. ``genres`` keeps the artists table's
#: convention (a JSON array; NULL or '[]' = unknown); ``genre_source`` is spotify /
#: musicbrainz / none. (A query, not a view: a backup's schema may hold no views.)
ARTIST_GENRES = (
    "SELECT a.id AS artist_id,"
    " CASE WHEN a.genres IS NOT NULL AND a.genres <> '[]' THEN a.genres"
    "  WHEN m.genres IS NOT NULL AND m.genres <> '[]' THEN m.genres"
    "  ELSE a.genres END AS genres,"
    " CASE WHEN a.genres IS NOT NULL AND a.genres <> '[]' THEN 'spotify'"
    "  WHEN m.genres IS NOT NULL AND m.genres <> '[]' THEN 'musicbrainz'"
    "  ELSE 'none' END AS genre_source"
    " FROM artists a LEFT JOIN artist_metadata m ON m.artist_id = a.id"
)


def chart_genres(genres: Sequence[tuple[str, int]]) -> list[str]:
    """The genres a matched artist is charted and scored under (see the constants)."""
    ranked = sorted(genres, key=lambda g: (-g[1], g[0]))
    if not ranked:
        return []
    floor = ranked[0][1] * CHART_GENRE_MIN_SHARE
    return [name for name, votes in ranked[:CHART_GENRES] if votes >= floor]


@dataclass(frozen=True)
class PendingArtist:
    id: int
    name: str
    spotify_id: str | None
    plays: int


@dataclass(frozen=True)
class EnrichmentCounts:
    """Where a user's artists stand: matched exactly / by name, not found, still to do."""

    exact: int
    by_name: int
    not_found: int
    pending: int

    @property
    def looked_up(self) -> int:
        return self.exact + self.by_name + self.not_found

    def to_dict(self) -> dict:
        return asdict(self)


def _stale_before(now: float | None) -> int:
    return int((now if now is not None else time.time()) - REFRESH_AFTER_S)


def pending_artists(
    conn: sqlite3.Connection, user_id: int, now: float | None = None
) -> list[PendingArtist]:
    """Artists never looked up or due for a refresh, most plays first (then by name)."""
    rows = conn.execute(
        "SELECT a.id, a.name, a.spotify_id, COALESCE(t.plays, 0) AS plays FROM artists a "
        "LEFT JOIN rollup_artist_total t ON t.user_id = a.user_id AND t.artist_id = a.id "
        "LEFT JOIN artist_metadata m ON m.artist_id = a.id "
        "WHERE a.user_id = ? AND (m.artist_id IS NULL OR m.looked_up_at < ?) "
        "ORDER BY plays DESC, a.name_key, a.id",
        (user_id, _stale_before(now)),
    ).fetchall()
    return [PendingArtist(r["id"], r["name"], r["spotify_id"], r["plays"]) for r in rows]


def counts(conn: sqlite3.Connection, user_id: int, now: float | None = None) -> EnrichmentCounts:
    row = conn.execute(
        "SELECT SUM(m.match_method = 'exact' AND m.looked_up_at >= :stale), "
        "SUM(m.match_method = 'name' AND m.looked_up_at >= :stale), "
        "SUM(m.status = 'not_found' AND m.looked_up_at >= :stale), "
        "SUM(m.artist_id IS NULL OR m.looked_up_at < :stale) FROM artists a "
        "LEFT JOIN artist_metadata m ON m.artist_id = a.id WHERE a.user_id = :user",
        {"stale": _stale_before(now), "user": user_id},
    ).fetchone()
    return EnrichmentCounts(*(int(v or 0) for v in row))


def top_titles(conn: sqlite3.Connection, artist_id: int, limit: int) -> list[tuple[int, str]]:
    """(track id, title) of the user's most played music tracks credited to the artist."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT t.id, t.name FROM track_artists ta JOIN tracks t ON t.id = ta.track_id "
            "LEFT JOIN rollup_track_total r ON r.user_id = t.user_id AND r.track_id = t.id "
            "WHERE ta.artist_id = ? AND t.kind = 'music' "
            "ORDER BY COALESCE(r.plays, 0) DESC, t.id LIMIT ?",
            (artist_id, limit),
        )
    ]


Votes = Sequence[tuple[str, int]]


def save_match(
    conn: sqlite3.Connection,
    artist_id: int,
    mbid: str,
    method: str,
    confidence: float,
    genres: Votes,
    tags: Votes,
    track_tags: Iterable[tuple[int, Votes]] = (),
    now: float | None = None,
) -> None:
    """Store a matched artist with its genres and tags (replacing an older lookup)."""
    with transaction(conn):
        _forget(conn, artist_id)
        conn.execute(
            "INSERT INTO artist_metadata (artist_id, status, mbid, match_method, confidence, "
            "genres, looked_up_at) VALUES (?, 'matched', ?, ?, ?, ?, ?)",
            (
                artist_id,
                mbid,
                method,
                round(confidence, 3),
                json.dumps(chart_genres(genres)),
                int(now or time.time()),
            ),
        )
        conn.executemany(
            "INSERT OR IGNORE INTO artist_tags (artist_id, kind, name, votes) VALUES (?, ?, ?, ?)",
            [(artist_id, "genre", n, v) for n, v in genres]
            + [(artist_id, "tag", n, v) for n, v in tags],
        )
        for track_id, votes in track_tags:
            conn.execute("DELETE FROM track_tags WHERE track_id = ?", (track_id,))
            conn.executemany(
                "INSERT OR IGNORE INTO track_tags (track_id, name, votes) VALUES (?, ?, ?)",
                [(track_id, n, v) for n, v in votes],
            )


def save_not_found(
    conn: sqlite3.Connection, artist_id: int, confidence: float, now: float | None = None
) -> None:
    """Record that no candidate reached the threshold (``confidence``: the best one's)."""
    with transaction(conn):
        _forget(conn, artist_id)
        conn.execute(
            "INSERT INTO artist_metadata (artist_id, status, confidence, "
            "looked_up_at) VALUES (?, 'not_found', ?, ?)",
            (artist_id, round(confidence, 3), int(now or time.time())),
        )


def _forget(conn: sqlite3.Connection, artist_id: int) -> None:
    conn.execute("DELETE FROM artist_metadata WHERE artist_id = ?", (artist_id,))
    conn.execute("DELETE FROM artist_tags WHERE artist_id = ?", (artist_id,))


def artist_metadata(conn: sqlite3.Connection, user_id: int) -> dict[int, sqlite3.Row]:
    """Every looked-up artist of the user with its match and genre source, by artist id."""
    return {
        r["artist_id"]: r
        for r in conn.execute(
            "SELECT m.*, g.genre_source, a.name FROM artist_metadata m "
            f"JOIN artists a ON a.id = m.artist_id JOIN ({ARTIST_GENRES}) g "
            "ON g.artist_id = a.id "
            "WHERE a.user_id = ?",
            (user_id,),
        )
    }


# -- MusicBrainz's genre list -----------------------------------------------------------------


def genre_names(conn: sqlite3.Connection, now: float | None = None) -> set[str] | None:
    """The stored genre list, or None when it was never fetched or is due for a refresh."""
    row = conn.execute("SELECT MIN(fetched_at) FROM musicbrainz_genres").fetchone()
    if row[0] is None or row[0] < _stale_before(now):
        return None
    return {r[0] for r in conn.execute("SELECT name FROM musicbrainz_genres")}


def store_genre_names(
    conn: sqlite3.Connection, names: Iterable[str], now: float | None = None
) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM musicbrainz_genres")
        conn.executemany(
            "INSERT OR IGNORE INTO musicbrainz_genres (name, fetched_at) VALUES (?, ?)",
            [(n, int(now or time.time())) for n in names],
        )


# -- who wants a run ------------------------------------------------------------------------


def want(conn: sqlite3.Connection, user_id: int, reason: str) -> None:
    """Ask for an enrichment run for this user (kept until a run finishes or is cancelled)."""
    with transaction(conn):
        conn.execute(
            "INSERT INTO enrichment_wanted (user_id, requested_at, reason) "
            "VALUES (?, ?, ?) ON CONFLICT (user_id) DO UPDATE SET "
            "requested_at = excluded.requested_at, reason = excluded.reason",
            (user_id, int(time.time()), reason),
        )


def unwant(conn: sqlite3.Connection, user_id: int) -> None:
    with transaction(conn):
        conn.execute("DELETE FROM enrichment_wanted WHERE user_id = ?", (user_id,))


def wanted_user_ids(conn: sqlite3.Connection) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT user_id FROM enrichment_wanted ORDER BY requested_at, user_id"
        )
    ]


def is_wanted(conn: sqlite3.Connection, user_id: int) -> bool:
    return (
        conn.execute("SELECT 1 FROM enrichment_wanted WHERE user_id = ?", (user_id,)).fetchone()
        is not None
    )

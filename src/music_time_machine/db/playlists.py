"""Playlist Manager queries: candidate tracks for each source, track details, and the
playlists created on Spotify.

Candidate queries read the daily rollups (never the raw plays table), so they stay quick
at a million plays. "plays" follow the user's play rule; "streams" include short ones and
"skips" count streams that were skipped or too short to count — the skip rate is
skips / streams.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field, fields

from ..genres import FEATURE_NAMES
from . import transaction
from .enrichment import ARTIST_GENRES

_STATS = "r.track_id, SUM(r.plays) AS plays, SUM(r.streams) AS streams, SUM(r.skips) AS skips"


def top_tracks_between(
    conn: sqlite3.Connection, user_id: int, first_day: str, last_day: str, limit: int
) -> list[sqlite3.Row]:
    """Most-played tracks from ``first_day`` to ``last_day`` (local dates, inclusive)."""
    return conn.execute(
        f"SELECT {_STATS}, MAX(r.day) AS last_day FROM rollup_day_track r "
        "WHERE r.user_id = ? AND r.day BETWEEN ? AND ? GROUP BY r.track_id "
        "HAVING SUM(r.plays) > 0 ORDER BY plays DESC, r.track_id LIMIT ?",
        (user_id, first_day, last_day, limit),
    ).fetchall()


def year_top_tracks(
    conn: sqlite3.Connection, user_id: int, year: int, limit: int
) -> list[tuple[int, int]]:
    """(track id, plays) of the year's most-played tracks, ranked as every top list is
    (plays, then minutes, then the track stored first): the year in review's order."""
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT track_id, plays FROM rollup_year_track WHERE user_id = ? AND year = ? "
            "AND plays > 0 ORDER BY plays DESC, ms_played DESC, track_id LIMIT ?",
            (user_id, f"{year:04d}", limit),
        )
    ]


def forgotten_tracks(
    conn: sqlite3.Connection,
    user_id: int,
    loved_from: str,
    loved_until: str,
    quiet_since: str,
    limit: int,
    artist_id: int | None = None,
) -> list[sqlite3.Row]:
    """Tracks played from ``loved_from`` to ``loved_until`` and not once since ``quiet_since``
    (only songs crediting ``artist_id`` when given)."""
    by_artist = (
        "AND r.track_id IN (SELECT track_id FROM track_artists WHERE artist_id = ?) "
        if artist_id is not None
        else ""
    )
    return conn.execute(
        f"SELECT {_STATS}, MAX(r.day) AS last_day FROM rollup_day_track r "
        f"WHERE r.user_id = ? AND r.day BETWEEN ? AND ? {by_artist}GROUP BY r.track_id "
        "HAVING SUM(r.plays) > 0 AND NOT EXISTS (SELECT 1 FROM rollup_day_track x "
        "  WHERE x.user_id = r.user_id AND x.track_id = r.track_id AND x.day >= ? "
        "  AND x.plays > 0) "
        "ORDER BY plays DESC, r.track_id LIMIT ?",
        (
            user_id,
            loved_from,
            loved_until,
            *([artist_id] if artist_id is not None else []),
            quiet_since,
            limit,
        ),
    ).fetchall()


def top_tracks_in_ranges(
    conn: sqlite3.Connection, user_id: int, ranges: list[tuple[str, str]], limit: int
) -> list[sqlite3.Row]:
    """Most-played tracks over several day ranges together, with the years they fell in."""
    if not ranges:
        return []
    where = " OR ".join("r.day BETWEEN ? AND ?" for _ in ranges)
    args = [d for pair in ranges for d in pair]
    return conn.execute(
        f"SELECT {_STATS}, group_concat(DISTINCT substr(r.day, 1, 4)) AS years "
        f"FROM rollup_day_track r WHERE r.user_id = ? AND r.plays > 0 AND ({where}) "
        "GROUP BY r.track_id ORDER BY plays DESC, r.track_id LIMIT ?",
        (user_id, *args, limit),
    ).fetchall()


def discovered_since(
    conn: sqlite3.Connection, user_id: int, first_day: str, limit: int
) -> list[sqlite3.Row]:
    """Tracks first played on or after ``first_day``, by plays since then."""
    return conn.execute(
        f"SELECT {_STATS}, f.first_day FROM rollup_track_first f "
        "JOIN rollup_day_track r ON r.user_id = f.user_id AND r.track_id = f.track_id "
        "  AND r.day >= f.first_day "
        "WHERE f.user_id = ? AND f.first_day >= ? GROUP BY r.track_id "
        "HAVING SUM(r.plays) > 0 ORDER BY plays DESC, r.track_id LIMIT ?",
        (user_id, first_day, limit),
    ).fetchall()


def all_time_favourites(conn: sqlite3.Connection, user_id: int, limit: int) -> list[sqlite3.Row]:
    """The user's most-played tracks ever: the pool a mood playlist is chosen from."""
    return conn.execute(
        f"SELECT {_STATS} FROM rollup_day_track r WHERE r.user_id = ? GROUP BY r.track_id "
        "HAVING SUM(r.plays) > 0 ORDER BY plays DESC, r.track_id LIMIT ?",
        (user_id, limit),
    ).fetchall()


def track_totals(
    conn: sqlite3.Connection, user_id: int, track_ids: list[int]
) -> dict[int, sqlite3.Row]:
    """All-time plays, streams and skips of the given tracks."""
    if not track_ids:
        return {}
    marks = ",".join("?" * len(track_ids))
    rows = conn.execute(
        f"SELECT {_STATS} FROM rollup_day_track r WHERE r.user_id = ? "
        f"AND r.track_id IN ({marks}) GROUP BY r.track_id",
        (user_id, *track_ids),
    )
    return {r["track_id"]: r for r in rows}


def latest_top_tracks(
    conn: sqlite3.Connection, user_id: int, time_range: str
) -> tuple[str | None, list[int]]:
    """(UTC date taken, track ids in rank order) of the newest top-tracks snapshot."""
    row = conn.execute(
        "SELECT MAX(taken_on) FROM top_snapshots WHERE user_id = ? AND item_type = 'track' "
        "AND time_range = ?",
        (user_id, time_range),
    ).fetchone()
    if row[0] is None:
        return None, []
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT track_id FROM top_snapshots WHERE user_id = ? AND item_type = 'track' "
            "AND time_range = ? AND taken_on = ? AND track_id IS NOT NULL ORDER BY rank",
            (user_id, time_range, row[0]),
        )
    ]
    return row[0], ids


def history_span(conn: sqlite3.Connection, user_id: int) -> tuple[str | None, str | None]:
    """First and last local day with any listening."""
    row = conn.execute(
        "SELECT MIN(day), MAX(day) FROM rollup_day WHERE user_id = ?", (user_id,)
    ).fetchone()
    return row[0], row[1]


@dataclass
class TrackDetails:
    id: int
    name: str
    uri: str | None
    album: str | None
    features: dict[str, float | None]
    features_source: str | None
    artists: list[str] = field(default_factory=list)
    artist_ids: list[int] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    #: genre -> where it came from (``spotify`` / ``musicbrainz``), for "why it matched".
    genre_sources: dict[str, str] = field(default_factory=dict)
    #: MusicBrainz tags of the track's recording and its artists, most voted first.
    tags: list[str] = field(default_factory=list)


#: Tags read per artist for the moods (most voted first).
TAGS_PER_ARTIST = 10


def track_details(conn: sqlite3.Connection, track_ids: list[int]) -> dict[int, TrackDetails]:
    """Names, URI, audio features, artists (in credit order) and their genres."""
    found: dict[int, TrackDetails] = {}
    for start in range(0, len(track_ids), 500):
        chunk = track_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for r in conn.execute(
            f"SELECT t.*, al.name AS album_name FROM tracks t "
            f"LEFT JOIN albums al ON al.id = t.album_id WHERE t.id IN ({marks})",
            chunk,
        ):
            found[r["id"]] = TrackDetails(
                id=r["id"],
                name=r["name"],
                uri=r["spotify_id"],
                album=r["album_name"],
                features={f: r[f] for f in FEATURE_NAMES},
                features_source=r["features_source"],
            )
        for r in conn.execute(
            f"SELECT ta.track_id, a.id, a.name, g.genres, g.genre_source FROM track_artists ta "
            f"JOIN artists a ON a.id = ta.artist_id JOIN ({ARTIST_GENRES}) g "
            f"ON g.artist_id = a.id WHERE ta.track_id IN ({marks}) "
            "ORDER BY ta.track_id, ta.position, a.id",
            chunk,
        ):
            details = found.get(r["track_id"])
            if details is None:
                continue
            details.artists.append(r["name"])
            details.artist_ids.append(r["id"])
            for genre in json.loads(r["genres"] or "[]"):
                if isinstance(genre, str) and genre not in details.genres:
                    details.genres.append(genre)
                    details.genre_sources[genre] = r["genre_source"]
        for r in conn.execute(
            f"SELECT track_id, name FROM track_tags WHERE track_id IN ({marks}) "
            "ORDER BY track_id, votes DESC, name",
            chunk,
        ):
            if r["track_id"] in found:
                found[r["track_id"]].tags.append(r["name"])
        for r in conn.execute(
            f"SELECT ta.track_id, t.name FROM track_artists ta JOIN ("
            f"  SELECT artist_id, name, votes, ROW_NUMBER() OVER (PARTITION BY artist_id "
            f"  ORDER BY votes DESC, name) AS n FROM artist_tags WHERE kind = 'tag') t "
            f"ON t.artist_id = ta.artist_id WHERE ta.track_id IN ({marks}) AND t.n <= ? "
            "ORDER BY ta.track_id, ta.position, t.votes DESC, t.name",
            (*chunk, TAGS_PER_ARTIST),
        ):
            details = found.get(r["track_id"])
            if details is not None and r["name"] not in details.tags:
                details.tags.append(r["name"])
    return found


def unenriched_artist_count(conn: sqlite3.Connection, user_id: int) -> int:
    """Artists of the user that MusicBrainz was never asked about (for the moods' advice)."""
    return conn.execute(
        "SELECT COUNT(*) FROM artists a LEFT JOIN artist_metadata m ON m.artist_id = a.id "
        "WHERE a.user_id = ? AND m.artist_id IS NULL",
        (user_id,),
    ).fetchone()[0]


def played_track_ids(conn: sqlite3.Connection, user_id: int, track_ids: list[int]) -> list[int]:
    """The subset of ``track_ids`` this user has listened to (order kept)."""
    if not track_ids:
        return []
    marks = ",".join("?" * len(track_ids))
    known = {
        r[0]
        for r in conn.execute(
            f"SELECT track_id FROM rollup_track_first WHERE user_id = ? AND track_id IN ({marks})",
            (user_id, *track_ids),
        )
    }
    return [t for t in track_ids if t in known]


# -- playlists created on Spotify ------------------------------------------------------------

#: How long one request may hold the right to add tracks to a playlist.
ADDING_LEASE_S = 120


@dataclass
class SavedPlaylist:
    id: int
    user_id: int
    spotify_id: str
    name: str
    source: str
    options: dict
    url: str | None
    track_uris: list[str]
    tracks: list[dict]
    skipped: list[dict]
    added_count: int
    status: str
    created_at: int
    error: str | None
    retry_after: int | None

    @property
    def remaining(self) -> list[str]:
        return self.track_uris[self.added_count :]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> SavedPlaylist:
        """Each field from the ``playlists`` column of its name, the JSON ones decoded."""
        values = {f.name: row[f.name] for f in fields(cls)}
        for name in _JSON_COLUMNS:
            values[name] = json.loads(values[name])
        return cls(**values)


#: The ``playlists`` columns stored as JSON text.
_JSON_COLUMNS = ("options", "track_uris", "tracks", "skipped")


def save_playlist(
    conn: sqlite3.Connection,
    user_id: int,
    *,
    spotify_id: str,
    name: str,
    source: str,
    options: dict,
    url: str | None,
    track_uris: list[str],
    tracks: list[dict],
    skipped: list[dict],
) -> int:
    """Remember a playlist Spotify has just created (before any track is added)."""
    now = int(time.time())
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO playlists (user_id, spotify_id, name, source, options, url, track_uris,"
            " tracks, skipped, status, created_at, updated_at, adding_until)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'created', ?, ?, ?)",
            (
                user_id,
                spotify_id,
                name,
                source,
                json.dumps(options),
                url,
                json.dumps(track_uris),
                json.dumps(tracks),
                json.dumps(skipped),
                now,
                now,
                now + ADDING_LEASE_S,
            ),
        )
    return cur.lastrowid


def get_playlist(conn: sqlite3.Connection, user_id: int, playlist_id: int) -> SavedPlaylist | None:
    row = conn.execute(
        "SELECT * FROM playlists WHERE id = ? AND user_id = ?", (playlist_id, user_id)
    ).fetchone()
    return SavedPlaylist.from_row(row) if row else None


def recent_playlists(
    conn: sqlite3.Connection, user_id: int, limit: int = 20
) -> list[SavedPlaylist]:
    return [
        SavedPlaylist.from_row(r)
        for r in conn.execute(
            "SELECT * FROM playlists WHERE user_id = ? ORDER BY created_at DESC, id DESC LIMIT ?",
            (user_id, limit),
        )
    ]


def claim_adding(conn: sqlite3.Connection, playlist_id: int) -> bool:
    """Take the right to add tracks, so two clicks on "finish adding" never add twice."""
    now = int(time.time())
    with transaction(conn):
        cur = conn.execute(
            "UPDATE playlists SET adding_until = ? WHERE id = ? AND status != 'done' "
            "AND (adding_until IS NULL OR adding_until < ?)",
            (now + ADDING_LEASE_S, playlist_id, now),
        )
    return cur.rowcount == 1


def record_progress(conn: sqlite3.Connection, playlist_id: int, added_count: int) -> None:
    """A batch was added: move the resume point forward."""
    with transaction(conn):
        conn.execute(
            "UPDATE playlists SET added_count = ?, updated_at = ? WHERE id = ?",
            (added_count, int(time.time()), playlist_id),
        )


def finish_attempt(
    conn: sqlite3.Connection,
    playlist_id: int,
    status: str,
    error: str | None = None,
    retry_after: int | None = None,
) -> None:
    """End an adding run: done, or incomplete with the reason; releases the claim."""
    with transaction(conn):
        conn.execute(
            "UPDATE playlists SET status = ?, error = ?, retry_after = ?, adding_until = NULL,"
            " updated_at = ? WHERE id = ?",
            (status, error, retry_after, int(time.time()), playlist_id),
        )


def delete_user_playlists(conn: sqlite3.Connection, user_id: int) -> int:
    """Forget the remembered playlists (for "clear all data"); Spotify keeps its copies."""
    with transaction(conn):
        return conn.execute("DELETE FROM playlists WHERE user_id = ?", (user_id,)).rowcount

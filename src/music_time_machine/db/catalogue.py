"""Artists, albums and tracks: find-or-create with in-memory caches for bulk writes.

The catalogue is per user (migration 0008): every row has an owner, and a ``Catalogue``
reads and writes one user's rows only. What a user imports, restores or syncs (a name, a
genre, audio features) so describes only their own view; nobody sees what another user
supplied, and nobody can learn from the catalogue whether another user has an item.

A ``Catalogue`` lives for one transaction: its caches hold ids that a rollback would undo.
A ``tracks`` row is a *song* (DESIGN §4b): one per user, kind and ``match_key`` (primary
artist + normalised title), whichever source or import order brought it. Every Spotify URI
of the song (the single, the album version, a re-release) is a row of ``track_uris``
(migration 0011) that names it, with the number of stored plays that came with that URI;
``tracks.spotify_id`` and ``album_id`` follow the URI played most (``refresh_song_uris``).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field

from ..genres import FEATURE_NAMES
from ..normalise import match_key, name_key
from . import transaction
from .rollups_albums import refresh_albums


@dataclass
class ArtistInfo:
    name: str
    spotify_id: str | None = None
    genres: list[str] | None = None


@dataclass
class TrackInfo:
    name: str
    artists: list[ArtistInfo]
    album: str | None = None
    album_spotify_id: str | None = None
    album_image_url: str | None = None  # Spotify's album image (see metadata/artwork.py)
    spotify_uri: str | None = None
    kind: str = "music"
    duration_ms: int | None = None
    features: dict[str, float] | None = None
    features_source: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def match_key(self) -> str:
        artist = self.artists[0].name if self.artists else ""
        return match_key(artist, self.name)


class Catalogue:
    """Find-or-create one user's catalogue rows, caching ids for one transaction."""

    def __init__(self, conn: sqlite3.Connection, user_id: int) -> None:
        self.conn = conn
        self.user_id = user_id
        self._artists: dict[tuple[str, str], int] = {}
        self._albums: dict[tuple[str, str], int] = {}
        self._tracks_by_uri: dict[str, tuple[int, int]] = {}
        self._tracks_by_key: dict[tuple[str, str], int] = {}

    # -- artists -----------------------------------------------------------------
    def artist_id(self, artist: ArtistInfo) -> int:
        cache_key = (
            ("id", artist.spotify_id) if artist.spotify_id else ("name", name_key(artist.name))
        )
        found = self._artists.get(cache_key)
        if found is not None:
            return found
        conn, user, key = self.conn, self.user_id, name_key(artist.name)
        row = None
        if artist.spotify_id:
            row = conn.execute(
                "SELECT id FROM artists WHERE user_id = ? AND spotify_id = ?",
                (user, artist.spotify_id),
            ).fetchone()
            if row is None:  # adopt an artist known only by name
                row = conn.execute(
                    "SELECT id FROM artists WHERE user_id = ? AND name_key = ? "
                    "AND spotify_id IS NULL ORDER BY id LIMIT 1",
                    (user, key),
                ).fetchone()
                if row is not None:
                    conn.execute(
                        "UPDATE artists SET spotify_id = ? WHERE id = ?",
                        (artist.spotify_id, row[0]),
                    )
        else:
            row = conn.execute(
                "SELECT id FROM artists WHERE user_id = ? AND name_key = ? "
                "ORDER BY spotify_id IS NULL, id LIMIT 1",
                (user, key),
            ).fetchone()
        if row is None:
            genres = json.dumps(artist.genres) if artist.genres is not None else None
            row = conn.execute(
                "INSERT INTO artists (user_id, spotify_id, name, name_key, genres) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (user, artist.spotify_id, artist.name, key, genres),
            ).fetchone()
        elif artist.genres is not None:
            conn.execute(
                "UPDATE artists SET genres = ? WHERE id = ? AND genres IS NULL",
                (json.dumps(artist.genres), row[0]),
            )
        self._artists[cache_key] = row[0]
        return row[0]

    # -- albums ------------------------------------------------------------------
    def album_id(
        self, name: str, spotify_id: str | None = None, image_url: str | None = None
    ) -> int:
        """The album's id, created if new; ``image_url`` (Spotify's) is kept when the album
        has none yet, for the artwork phase to download."""
        cache_key = ("id", spotify_id) if spotify_id else ("name", name_key(name))
        found = self._albums.get(cache_key)
        if found is not None:
            return found
        if spotify_id:
            row = self.conn.execute(
                "SELECT id FROM albums WHERE user_id = ? AND spotify_id = ?",
                (self.user_id, spotify_id),
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT id FROM albums WHERE user_id = ? AND name_key = ? ORDER BY id LIMIT 1",
                (self.user_id, name_key(name)),
            ).fetchone()
        if row is None:
            row = self.conn.execute(
                "INSERT INTO albums (user_id, spotify_id, name, name_key, image_url) "
                "VALUES (?, ?, ?, ?, ?) RETURNING id",
                (self.user_id, spotify_id, name, name_key(name), image_url),
            ).fetchone()
        elif image_url:
            self.conn.execute(
                "UPDATE albums SET image_url = ? WHERE id = ? AND image_url IS NULL",
                (image_url, row[0]),
            )
        self._albums[cache_key] = row[0]
        return row[0]

    # -- tracks (songs) -----------------------------------------------------------
    def track_id(self, info: TrackInfo) -> int:
        """The id of the song ``info`` describes, created (with its artists) if new."""
        return self.track(info)[0]

    def track(self, info: TrackInfo) -> tuple[int, int | None]:
        """(song id, id of ``info``'s URI in ``track_uris`` or None without one).

        A URI already known names its song. Otherwise the song is found by kind and
        ``match_key`` (primary artist + normalised title), whichever source stored it
        first, and the URI is attached to it; only a new song is created.
        """
        uri = info.spotify_uri
        if uri:
            found = self._tracks_by_uri.get(uri)
            if found is None:
                found = self._track_by_uri(info)
                self._tracks_by_uri[uri] = found
            if info.album and info.album_image_url:  # an album stored before had no image
                self.album_id(info.album, info.album_spotify_id, info.album_image_url)
            return found
        return self._song(info)[0], None

    def tracks(self, infos: list[TrackInfo]) -> list[tuple[int, int | None, str]]:
        """``track`` for many songs at once, with each song's stored ``match_key``:
        [(song id, URI id or None, stored match key)], in ``infos``' order.

        The same result, rows and caches as calling ``track`` on each in turn, in a few
        statements per table instead of about seven per new song: an import of a large
        catalogue met ~75,000 new songs (issue #15). Known URIs and songs are read with one
        query per 500, new songs, their artist links and URIs go in by ``executemany`` with
        ids given here (the next free ones, as SQLite would choose: this connection holds
        the write lock), and songs that gained another URI re-choose theirs once.
        """
        conn, user = self.conn, self.user_id
        uris = list(
            {
                i.spotify_uri
                for i in infos
                if i.spotify_uri and i.spotify_uri not in self._tracks_by_uri
            }
        )
        stored: dict[str, tuple[int, int, str]] = {}
        for start in range(0, len(uris), 500):
            chunk = uris[start : start + 500]
            stored.update(
                (r[0], (r[1], r[2], r[3]))
                for r in conn.execute(
                    "SELECT u.uri, u.track_id, u.id, t.match_key FROM track_uris u JOIN tracks t "
                    f"ON t.id = u.track_id WHERE u.user_id = ? AND u.uri IN "
                    f"({','.join('?' * len(chunk))})",
                    (user, *chunk),
                )
            )
        songs = [(i.kind, i.match_key) for i in infos]  # (a property: computed once here)
        keys = list(
            {
                song
                for info, song in zip(infos, songs, strict=True)
                if song not in self._tracks_by_key
                and not (
                    info.spotify_uri
                    and (info.spotify_uri in self._tracks_by_uri or info.spotify_uri in stored)
                )
            }
        )
        for start in range(0, len(keys), 500):
            chunk = keys[start : start + 500]
            for kind, key, track_id in conn.execute(
                "SELECT kind, match_key, MIN(id) FROM tracks WHERE user_id = ? AND "
                f"match_key IN ({','.join('?' * len(chunk))}) GROUP BY kind, match_key",
                (user, *(k for _, k in chunk)),
            ):
                self._tracks_by_key[(kind, key)] = track_id
        next_track = conn.execute("SELECT COALESCE(MAX(id), 0) FROM tracks").fetchone()[0]
        next_uri = conn.execute("SELECT COALESCE(MAX(id), 0) FROM track_uris").fetchone()[0]
        new_tracks: list[tuple] = []
        links: list[tuple[int, int, int]] = []
        new_uris: list[tuple[int, int, str, int, int | None]] = []
        refresh: set[int] = set()
        key_of: dict[int, str] = {}  # stored match key of the songs met here
        results = []
        for info, song in zip(infos, songs, strict=True):
            uri = info.spotify_uri
            found = self._tracks_by_uri.get(uri) if uri else None
            if found is None and uri in stored:
                track_id, uri_id, key = stored[uri]
                key_of[track_id] = key
                found = self._tracks_by_uri[uri] = (track_id, uri_id)
            if found is not None:
                results.append((found[0], found[1]))
                continue
            track_id = self._tracks_by_key.get(song)
            if track_id is not None:
                key_of[track_id] = song[1]  # (found by it)
                if uri:  # another version of a known song: it may now have another URI
                    refresh.add(track_id)
            else:  # a new song
                next_track += 1
                track_id = self._tracks_by_key[song] = next_track
                album_id = self.album_id(info.album, info.album_spotify_id) if info.album else None
                features = info.features or {}
                new_tracks.append(
                    (
                        track_id,
                        user,
                        uri,
                        info.kind,
                        info.name,
                        album_id,
                        info.duration_ms,
                        song[1],
                        *(features.get(f) for f in FEATURE_NAMES),
                        info.features_source if features else None,
                    )
                )
                links.extend(
                    (track_id, self.artist_id(artist), position)
                    for position, artist in enumerate(info.artists)
                )
                key_of[track_id] = song[1]
            if not uri:
                results.append((track_id, None))
                continue
            album_id = self.album_id(info.album, info.album_spotify_id) if info.album else None
            next_uri += 1
            new_uris.append((next_uri, user, uri, track_id, album_id, info.duration_ms))
            found = self._tracks_by_uri[uri] = (track_id, next_uri)
            results.append(found)
        if new_tracks:
            cols = ", ".join(FEATURE_NAMES)
            conn.executemany(
                f"INSERT INTO tracks (id, user_id, spotify_id, kind, name, album_id, "
                f"duration_ms, match_key, {cols}, features_source) VALUES "
                f"({', '.join('?' * len(new_tracks[0]))})",
                new_tracks,
            )
            conn.executemany(
                "INSERT OR IGNORE INTO track_artists (track_id, artist_id, "
                "position) VALUES (?, ?, ?)",
                links,
            )
        if new_uris:
            conn.executemany(
                "INSERT INTO track_uris (id, user_id, uri, track_id, album_id) "
                "VALUES (?, ?, ?, ?, ?)",
                [u[:5] for u in new_uris],
            )
            conn.executemany(
                "UPDATE tracks SET duration_ms = COALESCE(duration_ms, ?) WHERE id = ?",
                [(u[5], u[3]) for u in new_uris if u[3] in refresh and u[5] is not None],
            )
        if refresh:
            refresh_song_uris(conn, user, sorted(refresh))
        missing = [t for t, _ in results if t not in key_of]
        for start in range(0, len(missing), 500):
            chunk = missing[start : start + 500]
            key_of.update(
                conn.execute(
                    f"SELECT id, match_key FROM tracks WHERE id IN ({','.join('?' * len(chunk))})",
                    chunk,
                ).fetchall()
            )
        return [(t, u, key_of[t]) for t, u in results]

    def _song(self, info: TrackInfo) -> tuple[int, bool]:
        """(song id, whether it was created just now)."""
        key = info.match_key
        found = self._tracks_by_key.get((info.kind, key))
        if found is not None:
            return found, False
        row = self.conn.execute(
            "SELECT id FROM tracks WHERE user_id = ? AND match_key = ? AND kind = ? "
            "ORDER BY id LIMIT 1",
            (self.user_id, key, info.kind),
        ).fetchone()
        found, created = (row[0], False) if row else (self._insert_track(info), True)
        self._tracks_by_key[(info.kind, key)] = found
        return found, created

    def _track_by_uri(self, info: TrackInfo) -> tuple[int, int]:
        conn, user = self.conn, self.user_id
        row = conn.execute(
            "SELECT track_id, id FROM track_uris WHERE user_id = ? AND uri = ?",
            (user, info.spotify_uri),
        ).fetchone()
        if row is not None:
            return row[0], row[1]
        track_id, created = self._song(info)
        album_id = (
            self.album_id(info.album, info.album_spotify_id, info.album_image_url)
            if info.album
            else None
        )
        uri_id = conn.execute(
            "INSERT INTO track_uris (user_id, uri, track_id, album_id) VALUES (?, ?, ?, ?) "
            "RETURNING id",
            (user, info.spotify_uri, track_id, album_id),
        ).fetchone()[0]
        if created:  # its only URI so far
            conn.execute(
                "UPDATE tracks SET spotify_id = ? WHERE id = ?", (info.spotify_uri, track_id)
            )
        else:  # another version of a known song (or its first URI, after account data)
            conn.execute(
                "UPDATE tracks SET duration_ms = COALESCE(duration_ms, ?) WHERE id = ?",
                (info.duration_ms, track_id),
            )
            refresh_song_uris(conn, user, [track_id])
        return track_id, uri_id

    def _insert_track(self, info: TrackInfo) -> int:
        album_id = (
            self.album_id(info.album, info.album_spotify_id, info.album_image_url)
            if info.album
            else None
        )
        features = info.features or {}
        cols = ", ".join(FEATURE_NAMES)
        marks = ", ".join("?" for _ in FEATURE_NAMES)
        track_id = self.conn.execute(
            f"INSERT INTO tracks (user_id, spotify_id, kind, name, album_id, duration_ms, "
            f"match_key, {cols}, features_source) VALUES (?, ?, ?, ?, ?, ?, ?, {marks}, ?) "
            "RETURNING id",
            (
                self.user_id,
                None,
                info.kind,
                info.name,
                album_id,
                info.duration_ms,
                info.match_key,
                *(features.get(f) for f in FEATURE_NAMES),
                info.features_source if features else None,
            ),
        ).fetchone()[0]
        for position, artist in enumerate(info.artists):
            self.conn.execute(
                "INSERT OR IGNORE INTO track_artists (track_id, artist_id, position) "
                "VALUES (?, ?, ?)",
                (track_id, self.artist_id(artist), position),
            )
        return track_id


def refresh_song_uris(conn: sqlite3.Connection, user_id: int, track_ids: list[int]) -> None:
    """Make each song's ``spotify_id`` (and album) those of the URI the user played most.

    Playlists, top lists, exports and the Spotify enrichment read ``tracks.spotify_id``:
    it is the song's version the user knows best. Ties go to the smallest URI, so the
    choice depends on the plays alone, never on which source brought a URI first.
    """
    best = (
        "SELECT {col} FROM track_uris u WHERE u.track_id = tracks.id "
        "ORDER BY u.plays DESC, u.uri LIMIT 1"
    )
    moved: set[int] = set()
    for start in range(0, len(track_ids), 500):
        chunk = track_ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        before = dict(
            conn.execute(
                f"SELECT id, album_id FROM tracks WHERE user_id = ? AND id IN ({marks})",
                (user_id, *chunk),
            )
        )
        for track_id, album_id in conn.execute(
            f"UPDATE tracks SET spotify_id = ({best.format(col='u.uri')}), "
            f"album_id = COALESCE(({best.format(col='u.album_id')}), album_id) "
            f"WHERE user_id = ? AND id IN ({marks}) "
            "AND EXISTS (SELECT 1 FROM track_uris u WHERE u.track_id = tracks.id) "
            "RETURNING id, album_id",
            (user_id, *chunk),
        ).fetchall():
            if album_id != before.get(track_id):
                moved.update(a for a in (album_id, before.get(track_id)) if a is not None)
    # A song that now counts for another album moves its plays between the two.
    refresh_albums(conn, user_id, moved)


def count_uri_plays(conn: sqlite3.Connection, user_id: int, after_id: int) -> None:
    """Add the user's plays with ``id > after_id`` into their URIs' play counts and
    re-choose the URI of every song with more than one (see ``refresh_song_uris``)."""
    counts = conn.execute(
        "SELECT uri_id, COUNT(*) FROM plays WHERE id > ? AND +user_id = ? "
        "AND uri_id IS NOT NULL GROUP BY uri_id",
        (after_id, user_id),
    ).fetchall()
    _add_uri_plays(conn, user_id, counts)


def recount_uri_plays(conn: sqlite3.Connection, user_id: int) -> None:
    """Count every URI's plays afresh from the user's stored plays and re-choose each song's
    URI: after plays were removed (an import file undone), when adding up is not enough.

    One grouped pass over the plays: plays.uri_id has no index, so a count per URI read
    every play once per URI (75,000 URIs × 1,000,000 plays for a heavy listener)."""
    with transaction(conn):
        conn.execute("UPDATE track_uris SET plays = 0 WHERE user_id = ?", (user_id,))
        conn.execute(
            "UPDATE track_uris SET plays = c.n FROM (SELECT uri_id, COUNT(*) AS n FROM plays "
            "WHERE user_id = ? AND uri_id IS NOT NULL GROUP BY uri_id) AS c "
            "WHERE track_uris.id = c.uri_id",
            (user_id,),
        )
        refresh_song_uris(
            conn,
            user_id,
            [
                r[0]
                for r in conn.execute(
                    "SELECT DISTINCT track_id FROM track_uris WHERE user_id = ?", (user_id,)
                )
            ],
        )


def adopt_play_uris(conn: sqlite3.Connection, user_id: int, pairs: list[tuple[int, int]]) -> None:
    """Remember the URI of stored plays that had none: ``pairs`` of (play id, URI id) for
    rows found to be the same stream as a play from account data. The URI's play count
    then does not depend on which of the two sources was imported first."""
    counts: dict[int, int] = {}
    for play_id, uri_id in pairs:
        if conn.execute(
            "UPDATE plays SET uri_id = ? WHERE id = ? AND user_id = ? AND uri_id IS NULL "
            "AND track_id = (SELECT track_id FROM track_uris WHERE id = ?)",
            (uri_id, play_id, user_id, uri_id),
        ).rowcount:
            counts[uri_id] = counts.get(uri_id, 0) + 1
    _add_uri_plays(conn, user_id, list(counts.items()))


def _add_uri_plays(conn: sqlite3.Connection, user_id: int, counts: list[tuple[int, int]]) -> None:
    if not counts:
        return
    conn.executemany(
        "UPDATE track_uris SET plays = plays + ? WHERE id = ? AND user_id = ?",
        [(n, uri_id, user_id) for uri_id, n in counts],
    )
    songs = {
        r[0]
        for start in range(0, len(counts), 500)
        for r in conn.execute(
            "SELECT u.track_id FROM track_uris u WHERE u.id IN ({}) AND EXISTS (SELECT 1 "
            "FROM track_uris o WHERE o.track_id = u.track_id AND o.id != u.id)".format(
                ",".join("?" * len(counts[start : start + 500]))
            ),
            [uri_id for uri_id, _ in counts[start : start + 500]],
        )
    }
    refresh_song_uris(conn, user_id, sorted(songs))


# -- enrichment from Spotify (sync) ---------------------------------------------------
def artists_missing_metadata(
    conn: sqlite3.Connection, user_id: int, limit: int
) -> list[tuple[int, str]]:
    """(id, spotify_id) of this user's artists never fetched from Spotify, most played first."""
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT a.id, a.spotify_id FROM artists a "
            "JOIN rollup_artist_first f ON f.artist_id = a.id AND f.user_id = a.user_id "
            "WHERE a.user_id = ? AND a.spotify_id IS NOT NULL AND a.fetched_at IS NULL "
            "ORDER BY a.id LIMIT ?",
            (user_id, limit),
        )
    ]


def save_artist_metadata(
    conn: sqlite3.Connection, user_id: int, artist_id: int, artist: dict
) -> None:
    """Store what Spotify says of one of this user's artists. Absent ``genres`` (2026
    development mode) stays unknown (NULL); an empty list means Spotify knows no genre."""
    images = artist.get("images") or []
    genres = artist.get("genres")
    conn.execute(
        "UPDATE artists SET genres = COALESCE(?, genres), image_url = COALESCE(?, image_url),"
        " fetched_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE id = ? AND user_id = ?",
        (
            json.dumps(genres) if genres is not None else None,
            images[0]["url"] if images else None,
            artist_id,
            user_id,
        ),
    )


def tracks_missing_features(
    conn: sqlite3.Connection, user_id: int, limit: int
) -> list[tuple[int, str]]:
    """(id, Spotify track id) of this user's music tracks without audio features."""
    return [
        (r[0], r[1].rsplit(":", 1)[-1])
        for r in conn.execute(
            "SELECT t.id, t.spotify_id FROM tracks t "
            "JOIN rollup_track_first f ON f.track_id = t.id AND f.user_id = t.user_id "
            "WHERE t.user_id = ? AND t.kind = 'music' AND t.spotify_id LIKE 'spotify:track:%' "
            "AND t.features_source IS NULL ORDER BY t.id LIMIT ?",
            (user_id, limit),
        )
    ]


def save_features(conn: sqlite3.Connection, user_id: int, track_id: int, features: dict) -> None:
    """Store Spotify's audio features on one of this user's tracks."""
    conn.execute(
        f"UPDATE tracks SET {', '.join(f'{f} = ?' for f in FEATURE_NAMES)}, "
        "features_source = 'spotify' WHERE id = ? AND user_id = ?",
        (*(features.get(f) for f in FEATURE_NAMES), track_id, user_id),
    )


def fill_missing_features(
    conn: sqlite3.Connection, user_id: int, track_id: int, features: dict, source: str | None
) -> None:
    """Store audio features (from ``source``: ``spotify`` or ``demo``) on one of this user's
    tracks unless it has some already: a restore adds what the local copy lacks and never
    overwrites what it has (``save_features``, the sync's, always stores Spotify's)."""
    conn.execute(
        f"UPDATE tracks SET {', '.join(f'{f} = ?' for f in FEATURE_NAMES)}, "
        "features_source = ? WHERE id = ? AND user_id = ? AND features_source IS NULL",
        (*(features.get(f) for f in FEATURE_NAMES), source, track_id, user_id),
    )


def stored_match_key(conn: sqlite3.Connection, track_id: int) -> str:
    """The song's stored ``match_key`` (what the reconciler compares), which may differ
    from the key of the name an incoming row used (another URI of the same song)."""
    return conn.execute("SELECT match_key FROM tracks WHERE id = ?", (track_id,)).fetchone()[0]


def a_spotify_track_and_artist(conn: sqlite3.Connection, user_id: int) -> tuple[str, str] | None:
    """Any one of the user's tracks with a Spotify track URI and an artist with a Spotify
    id, as (track URI, artist id): enough to ask Spotify what this app may still call."""
    row = conn.execute(
        "SELECT t.spotify_id, a.spotify_id FROM tracks t JOIN track_artists ta "
        "ON ta.track_id = t.id JOIN artists a ON a.id = ta.artist_id "
        "WHERE t.user_id = ? AND t.spotify_id LIKE 'spotify:track:%' "
        "AND a.spotify_id IS NOT NULL LIMIT 1",
        (user_id,),
    ).fetchone()
    return (row[0], row[1]) if row is not None else None


def spotify_tracks(conn: sqlite3.Connection, user_id: int) -> list[dict]:
    """Every track of this user with a Spotify URI, with artists and album, as dicts."""
    artists: dict[int, list[dict]] = {}
    for row in conn.execute(
        "SELECT ta.track_id, a.spotify_id, a.name, a.genres FROM track_artists ta "
        "JOIN artists a ON a.id = ta.artist_id WHERE a.user_id = ? "
        "AND a.spotify_id IS NOT NULL ORDER BY ta.track_id, ta.position",
        (user_id,),
    ):
        artists.setdefault(row[0], []).append(
            {"id": row[1], "name": row[2], "genres": json.loads(row[3]) if row[3] else []}
        )
    return [
        {
            "id": row["spotify_id"].rsplit(":", 1)[-1],
            "name": row["name"],
            "duration_ms": row["duration_ms"] or 200_000,
            "artists": artists.get(row["id"], []),
            "album": (
                {"id": row["album_sid"], "name": row["album_name"]} if row["album_sid"] else None
            ),
        }
        for row in conn.execute(
            "SELECT t.id, t.spotify_id, t.name, t.duration_ms, al.spotify_id AS album_sid,"
            " al.name AS album_name FROM tracks t LEFT JOIN albums al ON al.id = t.album_id"
            " WHERE t.user_id = ? AND t.spotify_id LIKE 'spotify:track:%'",
            (user_id,),
        )
    ]


# -- credits for lists -------------------------------------------------------------------
def track_credits(
    conn: sqlite3.Connection, track_ids: list[int]
) -> dict[int, list[tuple[int, str]]]:
    """Each track's artists as (id, name) in credit order (the order Spotify lists them)."""
    credits: dict[int, list[tuple[int, str]]] = {}
    for start in range(0, len(track_ids), 500):
        chunk = track_ids[start : start + 500]
        for track_id, artist_id, name in conn.execute(
            f"SELECT ta.track_id, a.id, a.name FROM track_artists ta JOIN artists a "
            f"ON a.id = ta.artist_id WHERE ta.track_id IN ({','.join('?' * len(chunk))}) "
            f"ORDER BY ta.track_id, ta.position, a.id",
            chunk,
        ):
            credits.setdefault(track_id, []).append((artist_id, name))
    return credits


def track_artists(conn: sqlite3.Connection, track_ids: list[int]) -> dict[int, list[str]]:
    """Each track's artist names in credit order."""
    return {t: [name for _, name in c] for t, c in track_credits(conn, track_ids).items()}


def album_artists(conn: sqlite3.Connection, album_ids: list[int]) -> dict[int, list[str]]:
    """The artist shown for each album: the primary artist of most of its songs (ties by
    name), as a one-name list. Albums carry no artist of their own in the catalogue."""
    names: dict[int, list[str]] = {}
    for start in range(0, len(album_ids), 500):
        chunk = album_ids[start : start + 500]
        for album_id, name in conn.execute(
            f"SELECT t.album_id, a.name FROM tracks t JOIN track_artists ta "
            f"ON ta.track_id = t.id AND ta.position = 0 JOIN artists a "
            f"ON a.id = ta.artist_id WHERE t.album_id IN ({','.join('?' * len(chunk))}) "
            f"GROUP BY t.album_id, a.id ORDER BY t.album_id, COUNT(*) DESC, a.name",
            chunk,
        ):
            names.setdefault(album_id, [name])
    return names

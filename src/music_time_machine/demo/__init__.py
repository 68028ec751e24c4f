"""Deterministic demo data: a believable listener for the demo mode and the benchmarks.

``generate_demo`` takes the sandbox world for the seed (artists with genres, albums, tracks
with audio features: the same world the fake Spotify serves) and invents a listening history
that behaves like a person's: a daily and weekly rhythm in the user's own time zone, sessions
of consecutive tracks, skips, favourites that change over the years, recent discoveries and
forgotten loves. The same seed, end time and play count always produce the same rows, so demo
screenshots and benchmark numbers are reproducible. Only tracks that were played are stored.
Rows are written through the normal write path (``Catalogue`` and ``insert_plays``), so the
rollups are exactly what an import would have produced.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ..db import transaction
from ..db.catalogue import ArtistInfo, Catalogue, TrackInfo
from ..db.plays import NewPlay, PlayDetails, insert_plays
from ..db.users import get_settings
from ..sandbox.world import World, build_world
from ..timezones import LocalClock, utc_ms
from .listening import Stream, plan_streams
from .taste import artist_count, build_taste

__all__ = ["DemoStats", "generate_demo", "default_end"]

#: Plays are written in chunks so that a progress bar can move; a chunk stays under the
#: rollup code's full-rebuild threshold (60 local days) so each refresh touches only its days.
_CHUNK_PLAYS = 50_000
_CHUNK_DAYS = 45


@dataclass(frozen=True)
class DemoStats:
    artists: int
    albums: int
    tracks: int
    plays: int  # streams written (short ones included)
    short_plays: int  # streams under 30 s (skips)
    first_play: datetime | None
    last_play: datetime | None
    seconds: float


def default_end() -> datetime:
    """Now (UTC) rounded down to the hour, so the demo always looks current."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def generate_demo(
    conn: sqlite3.Connection,
    user_id: int,
    *,
    plays: int = 25_000,
    seed: int = 42,
    years: float = 3.0,
    end: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoStats:
    """Write a demo catalogue and ``plays`` streams for ``user_id``, all in one transaction.

    The history covers ``years`` years up to ``end`` (default: this hour), bucketed in the
    user's time zone setting so that the evening peak falls in the evening. ``progress``
    is called with (streams written, ``plays``) as chunks land.
    """
    if plays < 0:
        raise ValueError("plays must not be negative")
    if years <= 0:
        raise ValueError("years must be positive")
    began = time.perf_counter()
    end = end or default_end()
    if end.tzinfo is None:
        end = end.replace(tzinfo=UTC)
    end_ms = utc_ms(end)
    start_ms = end_ms - int(years * 365.25 * 86_400_000)
    settings = get_settings(conn, user_id)
    tz_name = settings.timezone

    world = build_world(seed, artist_count(plays))
    taste = build_taste(world, random.Random(f"demo-taste:{seed}"), start_ms, end_ms)
    streams = plan_streams(
        taste, random.Random(f"demo-listening:{seed}:{plays}"), plays, start_ms, end_ms, tz_name
    )
    if progress:
        progress(0, plays)

    clock = settings.clock
    written = 0
    with transaction(conn):
        ids = _write_catalogue(conn, user_id, world, streams)
        for chunk in _chunks(streams, clock):
            written += insert_plays(conn, user_id, _new_plays(chunk, ids), settings).added
            if progress:
                progress(written, plays)

    used = set(ids)
    return DemoStats(
        artists=len({a for t in used for a in world.tracks[t].artists}),
        albums=len({world.tracks[t].album for t in used}),
        tracks=len(used),
        plays=written,
        short_plays=sum(1 for s in streams if s[2] < 30_000),
        first_play=_utc(streams[0][0]) if streams else None,
        last_play=_utc(streams[-1][0]) if streams else None,
        seconds=round(time.perf_counter() - began, 3),
    )


def _write_catalogue(
    conn: sqlite3.Connection, user_id: int, world: World, streams: list[Stream]
) -> dict[int, tuple[int, int | None]]:
    """Store the tracks that were actually streamed, in order of first play.

    A real library only knows what its owner heard, so unplayed catalogue stays invented.
    """
    catalogue, ids = Catalogue(conn, user_id), {}
    for s in streams:
        index = s[1]
        if index not in ids:
            ids[index] = catalogue.track(_track_info(world, index))  # (song, URI id)
    return ids


def _track_info(world: World, index: int) -> TrackInfo:
    track = world.tracks[index]
    album = world.albums[track.album]
    artists = [world.artists[a] for a in track.artists]
    return TrackInfo(
        name=track.title,
        # No genres: the demo's Spotify is a development-mode app, so, as for a real user,
        # they come from MusicBrainz (``mtm demo`` runs the enrichment against its fake).
        artists=[ArtistInfo(a.name, a.spotify_id, None) for a in artists],
        album=album.title,
        album_spotify_id=album.spotify_id,
        spotify_uri=track.uri,
        duration_ms=track.duration_ms,
        features=track.features,
        features_source="demo",
    )


def _chunks(streams: list[Stream], clock: LocalClock) -> Iterator[list[Stream]]:
    """Consecutive slices of whole local days, at most _CHUNK_PLAYS / _CHUNK_DAYS each."""
    begin, days, current = 0, 0, None
    for i, s in enumerate(streams):
        day = clock.local(s[0])[0]
        if day != current:
            if i - begin >= _CHUNK_PLAYS or days >= _CHUNK_DAYS:
                yield streams[begin:i]
                begin, days = i, 0
            current, days = day, days + 1
    if begin < len(streams):
        yield streams[begin:]


def _new_plays(chunk: list[Stream], ids: dict[int, tuple[int, int | None]]) -> Iterator[NewPlay]:
    for played_at, track, ms, skipped, shuffle, start, end, platform in chunk:
        song, uri_id = ids[track]
        yield NewPlay(
            song,
            played_at,
            ms,
            "demo",
            details=PlayDetails(skipped, shuffle, start, end, platform, offline=0, incognito=0),
            uri_id=uri_id,
        )


def _utc(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)

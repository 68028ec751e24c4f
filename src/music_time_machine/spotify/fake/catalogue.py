"""The fake Spotify's catalogue: the sandbox world's most popular artists, shaped like Spotify.

The music itself (artists, genres, albums, tracks, lengths, audio features) comes from the one
invented world (``music_time_machine.sandbox.world``) for the fake's seed, so the fake serves
the same artists and tracks, with the same ids, as the demo history of that seed. This module
adds only what Spotify's objects carry beyond the music: a 0-100 popularity, followers, image
hashes, ISRCs, explicit flags, the audio features' key/mode/loudness, and editorial playlists.
Each of those comes from a seeded generator of its own, so a seed always yields the same
catalogue: tests can rely on ids, and two demo runs look alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ...genres import FEATURE_NAMES
from ...sandbox import world as sandbox
from ...sandbox.names import base62_id as spotify_id

#: How many of the world's artists (the most popular first) the fake serves.
FAKE_ARTISTS = 60
#: Editorial playlists: one per biggest genre family of the served artists.
EDITORIAL_PLAYLISTS = 5


@dataclass(frozen=True)
class AudioFeatures:
    """Spotify-style audio features; only served in extended-quota mode."""

    danceability: float
    energy: float
    valence: float
    tempo: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    liveness: float
    loudness: float
    key: int
    mode: int
    time_signature: int


@dataclass
class Artist:
    id: str
    name: str
    family: str
    genres: list[str]
    popularity: int
    followers: int
    image_hash: str


@dataclass
class Album:
    id: str
    name: str
    album_type: str
    artist_ids: list[str]
    release_date: str
    release_date_precision: str
    image_hash: str
    track_ids: list[str] = field(default_factory=list)


@dataclass
class Track:
    id: str
    name: str
    album_id: str
    artist_ids: list[str]
    duration_ms: int
    track_number: int
    explicit: bool
    popularity: int
    isrc: str
    features: AudioFeatures


@dataclass
class SeededPlaylist:
    """A playlist owned by someone else (Spotify editorial); used as a play context."""

    id: str
    name: str
    description: str
    owner_id: str
    owner_name: str
    track_ids: list[str]


@dataclass
class Catalogue:
    artists: dict[str, Artist]
    albums: dict[str, Album]
    tracks: dict[str, Track]
    playlists: dict[str, SeededPlaylist]

    def artist_list(self) -> list[Artist]:
        return list(self.artists.values())

    def track_list(self) -> list[Track]:
        return list(self.tracks.values())


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _unique(rng: random.Random, taken: set[str], make) -> str:
    value = make(rng)
    while value in taken:
        value = make(rng)
    taken.add(value)
    return value


def _clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return max(low, min(high, value))


def _clamp_int(value: int) -> int:
    return max(0, min(100, value))


def _audio_features(rng: random.Random, features: dict[str, float]) -> AudioFeatures:
    """The world's features plus what only Spotify reports (liveness, loudness, key...)."""
    return AudioFeatures(
        **{name: features[name] for name in FEATURE_NAMES},
        liveness=round(_clamp(abs(rng.gauss(0.15, 0.1)), 0.02, 0.98), 4),
        loudness=round(-22 + 18 * features["energy"] + rng.uniform(-2, 2), 3),
        key=rng.randint(-1, 11),
        mode=rng.randint(0, 1),
        time_signature=rng.choice([4, 4, 4, 4, 3, 5]),
    )


def build_catalogue(seed: int) -> Catalogue:
    """The world's first ``FAKE_ARTISTS`` artists for ``seed``, with all their records."""
    world = sandbox.build_world(seed, FAKE_ARTISTS)
    artists: dict[str, Artist] = {}
    for a in world.artists:
        rng = random.Random(f"mtm-fake-artist:{a.spotify_id}")
        popularity = round(95 * a.popularity**0.25 + rng.uniform(-4, 4))
        artists[a.spotify_id] = Artist(
            id=a.spotify_id,
            name=a.name,
            family=a.family,
            genres=list(a.genres) if a.genres_on_spotify else [],
            popularity=max(5, min(95, popularity)),
            followers=int(5_000_000 * a.popularity * rng.uniform(0.5, 1.5)) + rng.randint(50, 900),
            image_hash=_hex(rng, 24),
        )
    albums: dict[str, Album] = {}
    tracks: dict[str, Track] = {}
    for al in world.albums:
        artist = world.artists[al.artist]
        rng = random.Random(f"mtm-fake-album:{al.spotify_id}")
        album = Album(
            al.spotify_id,
            al.title,
            "album",
            [artist.spotify_id],
            al.release_date,
            "day",
            _hex(rng, 24),
        )
        albums[album.id] = album
        for index in al.tracks:
            t = world.tracks[index]
            rng = random.Random(f"mtm-fake-track:{t.spotify_id}")
            track = Track(
                id=t.spotify_id,
                name=t.title,
                album_id=album.id,
                artist_ids=[world.artists[i].spotify_id for i in t.artists],
                duration_ms=t.duration_ms,
                track_number=t.number,
                explicit=artist.family == "hiphop" and rng.random() < 0.6,
                popularity=_clamp_int(artists[artist.spotify_id].popularity + rng.randint(-15, 10)),
                isrc=f"QZ{rng.choice(['ES', 'GB', 'US', 'DE', 'SE'])}"
                f"{rng.randint(20, 25)}{rng.randint(10000, 99999)}",
                features=_audio_features(rng, t.features),
            )
            tracks[track.id] = track
            album.track_ids.append(track.id)
    rng = random.Random(f"mtm-fake-catalogue:{seed}")
    ids = set(artists) | set(albums) | set(tracks)
    return Catalogue(artists, albums, tracks, _seeded_playlists(rng, ids, tracks, artists))


def _seeded_playlists(
    rng: random.Random, ids: set[str], tracks: dict[str, Track], artists: dict[str, Artist]
) -> dict[str, SeededPlaylist]:
    """Editorial playlists owned by "spotify": play contexts, and a target the user cannot edit."""
    playlists: dict[str, SeededPlaylist] = {}
    by_family: dict[str, list[str]] = {}
    for track in tracks.values():
        by_family.setdefault(artists[track.artist_ids[0]].family, []).append(track.id)
    biggest = sorted(by_family, key=lambda f: (-len(by_family[f]), f))[:EDITORIAL_PLAYLISTS]
    for family in biggest:
        pool = by_family[family]
        label = sandbox.FAMILIES[family].label
        playlist = SeededPlaylist(
            id=_unique(rng, ids, spotify_id),
            name=f"{label} Essentials",
            description=f"The essential {label.lower()} tracks, picked for you.",
            owner_id="spotify",
            owner_name="Spotify",
            track_ids=rng.sample(pool, min(len(pool), 25)),
        )
        playlists[playlist.id] = playlist
    return playlists


def learn_tracks(catalogue: Catalogue, tracks: list[dict]) -> int:
    """Add tracks known elsewhere (a demo of another seed or size) so the fake accepts their ids.

    Each entry: ``{"id", "name", "duration_ms", "artists": [{"id", "name", "genres"}],
    "album": {"id", "name"}}``. Entries already known are left as they are; returns how many
    tracks were added. Their audio features come from the artists' genres through the same
    genre table as the world's. The listening clock keeps its own seeded ranking and never
    plays them.
    """
    added = 0
    for entry in tracks:
        track_id = entry["id"]
        if track_id in catalogue.tracks:
            continue
        rng = random.Random(f"mtm-fake-learned:{track_id}")
        artist_ids = []
        genres: list[str] = []
        for artist in entry.get("artists") or []:
            if artist["id"] not in catalogue.artists:
                catalogue.artists[artist["id"]] = Artist(
                    artist["id"],
                    artist["name"],
                    "",
                    list(artist.get("genres") or []),
                    rng.randint(10, 80),
                    rng.randint(100, 500_000),
                    _hex(rng, 40),
                )
            artist_ids.append(artist["id"])
            genres.extend(catalogue.artists[artist["id"]].genres)
        album = entry.get("album") or {"id": f"{track_id[:21]}A", "name": entry["name"]}
        if album["id"] not in catalogue.albums:
            release = f"{rng.randint(1994, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
            catalogue.albums[album["id"]] = Album(
                album["id"], album["name"], "album", artist_ids, release, "day", _hex(rng, 40)
            )
        catalogue.albums[album["id"]].track_ids.append(track_id)
        features, _ = sandbox.track_sound(rng, sandbox.artist_profile(rng, genres))
        catalogue.tracks[track_id] = Track(
            track_id,
            entry["name"],
            album["id"],
            artist_ids,
            int(entry["duration_ms"]),
            len(catalogue.albums[album["id"]].track_ids),
            False,
            rng.randint(10, 80),
            f"XX{rng.randint(0, 10**10):010d}",
            _audio_features(rng, features),
        )
        added += 1
    return added

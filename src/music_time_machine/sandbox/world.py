"""The one invented music world: artists, albums and tracks, the same for every seed.

The demo's listener, the fake Spotify and any later fake (a MusicBrainz, say) all draw from
this world, so what the demo history shows and what the fake serves are the same artists
with the same ids, and plays synced from the fake land on artists the history already knows.

What the world holds is what a catalogue would say about music, not how anyone listens:
names, genres, a popularity on a Zipf curve (artist ``i`` has popularity ``1 / (i + 1) **
0.95``, so index 0 is the most popular), albums with release dates, and tracks with lengths
and audio features derived from the artist's genres through the one genre table
(``music_time_machine.genres``). A listener's taste over time lives with the demo.

The world is *prefix-stable*: artist ``i`` and its records depend only on the seed, ``i`` and
the artists before it, so ``build_world(seed, 60)`` is exactly the first 60 artists of
``build_world(seed, 300)``. The fake Spotify serves a short prefix (the most popular
artists); the demo listens to a longer one.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from ..genres import FEATURE_NAMES, estimate, family_for
from ..normalise import name_key
from . import names


@dataclass(frozen=True)
class Family:
    """A style of artist in the world: how common it is and which genres it carries."""

    share: float
    label: str
    genres: tuple[tuple[str, float], ...]


#: The world's genre mix. Every genre here is matched by the genre table, which gives it
#: its sound; this table only says which genres go together and how common they are.
FAMILIES: dict[str, Family] = {
    "pop": Family(0.16, "Pop", (("pop", 0.6), ("singer-songwriter", 0.2), ("r&b", 0.2))),
    "kpop": Family(0.04, "K-Pop", (("k-pop", 0.8), ("pop", 0.2))),
    "rock": Family(
        0.16, "Rock", (("indie rock", 0.35), ("alt rock", 0.3), ("punk", 0.15), ("metal", 0.2))
    ),
    "hiphop": Family(0.12, "Hip-Hop", (("hip hop", 0.5), ("rap", 0.35), ("r&b", 0.15))),
    "electronic": Family(
        0.14,
        "Electronic",
        (("house", 0.3), ("techno", 0.25), ("drum and bass", 0.2), ("edm", 0.25)),
    ),
    "chill": Family(0.09, "Chill", (("lo-fi beats", 0.5), ("ambient", 0.35), ("soundtrack", 0.15))),
    "classical": Family(0.05, "Classical", (("classical", 0.8), ("soundtrack", 0.2))),
    "jazz": Family(0.09, "Jazz", (("jazz", 0.45), ("soul", 0.3), ("funk", 0.25))),
    "folk": Family(0.08, "Folk", (("folk", 0.45), ("singer-songwriter", 0.3), ("country", 0.25))),
    "latin": Family(0.07, "Latin", (("latin", 0.5), ("reggaeton", 0.4), ("pop", 0.1))),
}
_ALL_GENRES = sorted({g for f in FAMILIES.values() for g, _ in f.genres})

#: The most popular artists always have genres on Spotify; below them some do not (the 2026
#: API often returns none), which the app must cope with.
_ALWAYS_DESCRIBED = 10
_UNDESCRIBED_SHARE = 0.08


@dataclass(slots=True)
class Artist:
    index: int
    name: str
    spotify_id: str
    family: str
    genres: tuple[str, ...]
    genres_on_spotify: bool  # False: Spotify lists no genres for this artist
    popularity: float  # Zipf: 1 / (index + 1) ** 0.95
    albums: list[int] = field(default_factory=list)  # in release order


@dataclass(slots=True)
class Album:
    index: int
    title: str
    spotify_id: str
    artist: int
    release_date: str  # YYYY-MM-DD
    tracks: list[int] = field(default_factory=list)  # in track-number order


@dataclass(slots=True)
class Track:
    index: int
    title: str
    spotify_id: str
    duration_ms: int
    features: dict[str, float]  # the genre table's features (FEATURE_NAMES)
    artist: int
    featured: int | None
    album: int
    number: int

    @property
    def uri(self) -> str:
        return "spotify:track:" + self.spotify_id

    @property
    def artists(self) -> tuple[int, ...]:
        """Credited artists, main artist first."""
        return (self.artist,) if self.featured is None else (self.artist, self.featured)


@dataclass
class World:
    """The invented world for one seed; lists are indexed by each item's ``index``."""

    seed: int
    artists: list[Artist]
    albums: list[Album]
    tracks: list[Track]
    _by_id: dict[str, Artist | Album | Track] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for item in (*self.artists, *self.albums, *self.tracks):
            self._by_id[item.spotify_id] = item

    def artist_by_id(self, spotify_id: str) -> Artist | None:
        found = self._by_id.get(spotify_id)
        return found if isinstance(found, Artist) else None

    def album_by_id(self, spotify_id: str) -> Album | None:
        found = self._by_id.get(spotify_id)
        return found if isinstance(found, Album) else None

    def track_by_id(self, spotify_id_or_uri: str) -> Track | None:
        found = self._by_id.get(spotify_id_or_uri.removeprefix("spotify:track:"))
        return found if isinstance(found, Track) else None

    def artists_named(self, name: str) -> list[Artist]:
        """Artists whose name has this name key (names are unique by key in one world)."""
        key = name_key(name)
        return [a for a in self.artists if name_key(a.name) == key]


def build_world(seed: int, artist_count: int) -> World:
    """The first ``artist_count`` artists of the world for ``seed``, with all their records."""
    if artist_count < 0:
        raise ValueError("artist_count must not be negative")
    family_names = list(FAMILIES)
    family_shares = [FAMILIES[f].share for f in family_names]
    taken: set[str] = set()
    by_family: dict[str, list[int]] = {}
    world = World(seed, [], [], [])
    for i in range(artist_count):
        rng = random.Random(f"sandbox-world:{seed}:artist:{i}")
        family = rng.choices(family_names, family_shares)[0]
        artist = Artist(
            index=i,
            name=names.unique_name(lambda r=rng, f=family: names.artist_name(r, f), taken),
            spotify_id=names.base62_id(rng),
            family=family,
            genres=_genres(rng, family),
            genres_on_spotify=i < _ALWAYS_DESCRIBED or rng.random() >= _UNDESCRIBED_SHARE,
            popularity=1.0 / (i + 1) ** 0.95,
        )
        world.artists.append(artist)
        _records(rng, world, artist, by_family.get(family, []))
        by_family.setdefault(family, []).append(i)
    return World(seed, world.artists, world.albums, world.tracks)  # indexed by id now


def _genres(rng: random.Random, family: str) -> tuple[str, ...]:
    options = FAMILIES[family].genres
    genres = [rng.choices([g for g, _ in options], [w for _, w in options])[0]]
    for _ in range(rng.choice((0, 1, 1, 2))):
        extra = rng.choice(options)[0] if rng.random() < 0.85 else rng.choice(_ALL_GENRES)
        if extra not in genres:
            genres.append(extra)
    return tuple(genres)


def _records(rng: random.Random, world: World, artist: Artist, peers: list[int]) -> None:
    """1-4 albums of 8-14 tracks, a year or three apart; some tracks feature a peer."""
    profile = artist_profile(rng, artist.genres)
    year = rng.randint(1996, 2021)
    titles: set[str] = set()
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        album = Album(
            len(world.albums),
            names.album_title(rng, artist.family, artist.name),
            names.base62_id(rng),
            artist.index,
            f"{min(year, 2026)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        )
        world.albums.append(album)
        artist.albums.append(album.index)
        year += rng.randint(1, 3)
        for number in range(1, rng.randint(8, 14) + 1):
            title = names.unique_name(lambda: names.track_title(rng, artist.family), titles)
            featured = rng.choice(peers) if peers and rng.random() < 0.08 else None
            if featured is not None and rng.random() < 0.7:
                title += f" (feat. {world.artists[featured].name})"
            features, duration_ms = track_sound(rng, profile)
            track = Track(
                len(world.tracks),
                title,
                names.base62_id(rng),
                duration_ms,
                features,
                artist.index,
                featured,
                album.index,
                number,
            )
            world.tracks.append(track)
            album.tracks.append(track.index)


def artist_profile(rng: random.Random, genres: tuple[str, ...] | list[str]) -> dict[str, float]:
    """An artist's typical sound: the genre table's average for its genres, nudged a little.

    Keys: the genre table's FEATURE_NAMES and ``seconds`` (typical length). Genres the table
    does not know are ignored; with none known the artist sounds like pop.
    """
    found = estimate(genres) or estimate(["pop"])
    assert found is not None  # "pop" is in the table
    averaged, used = found
    profile = {k: v + rng.gauss(0, 4.0 if k == "tempo" else 0.05) for k, v in averaged.items()}
    entries = [family_for(g) for g in used]
    profile["seconds"] = sum(e.seconds for e in entries if e) / len(entries)
    return profile


def track_sound(rng: random.Random, profile: dict[str, float]) -> tuple[dict[str, float], int]:
    """One track's audio features and length (ms) around an artist's profile."""
    features = {}
    for name in FEATURE_NAMES:
        if name == "tempo":
            features[name] = round(min(210.0, max(55.0, rng.gauss(profile[name], 6.0))), 1)
        else:
            features[name] = round(min(1.0, max(0.0, rng.gauss(profile[name], 0.09))), 3)
    seconds = min(420.0, max(120.0, profile["seconds"] * rng.lognormvariate(0, 0.18)))
    return features, int(seconds * 1000) + rng.randint(0, 999)

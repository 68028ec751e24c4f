"""A seeded, invented music catalogue for the fake Spotify.

Everything is derived from one integer seed so that a given seed always yields the same
artists, albums, tracks and audio features: tests can rely on ids, and two demo runs look alike.
Names are invented from word lists; genres come from common families so that genre-based mood
estimates in the app have something realistic to work with.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from .names import artist_name, title

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# genre family -> (genres an artist of that family may carry, audio-feature profile)
# profile: (danceability, energy, valence, tempo, acousticness, instrumentalness, speechiness)
GENRE_FAMILIES: dict[str, tuple[list[str], tuple[float, ...]]] = {
    "indie rock": (
        ["indie rock", "indie pop", "modern rock", "garage rock", "shoegaze"],
        (0.50, 0.70, 0.50, 124, 0.15, 0.10, 0.05),
    ),
    "house": (
        ["house", "deep house", "tech house", "electronica", "dance"],
        (0.80, 0.80, 0.65, 124, 0.05, 0.60, 0.06),
    ),
    "lo-fi": (
        ["lo-fi", "lo-fi beats", "chillhop", "jazz beats"],
        (0.65, 0.35, 0.50, 88, 0.55, 0.80, 0.08),
    ),
    "classical": (
        ["classical", "early romantic era", "baroque", "contemporary classical", "orchestral"],
        (0.25, 0.15, 0.25, 96, 0.95, 0.90, 0.04),
    ),
    "hip hop": (
        ["hip hop", "rap", "conscious hip hop", "trap", "boom bap"],
        (0.78, 0.68, 0.55, 95, 0.12, 0.01, 0.28),
    ),
    "ambient": (
        ["ambient", "drone", "new age", "space ambient"],
        (0.20, 0.15, 0.20, 80, 0.80, 0.90, 0.04),
    ),
    "metal": (
        ["metal", "heavy metal", "thrash metal", "progressive metal", "doom metal"],
        (0.40, 0.93, 0.30, 150, 0.01, 0.25, 0.08),
    ),
    "pop": (
        ["pop", "dance pop", "synthpop", "electropop", "art pop"],
        (0.72, 0.72, 0.70, 118, 0.15, 0.01, 0.06),
    ),
    "jazz": (
        ["jazz", "contemporary jazz", "bebop", "cool jazz", "jazz fusion"],
        (0.55, 0.40, 0.55, 110, 0.70, 0.55, 0.05),
    ),
    "folk": (
        ["folk", "indie folk", "singer-songwriter", "americana", "chamber folk"],
        (0.50, 0.35, 0.45, 100, 0.80, 0.05, 0.04),
    ),
}


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


def spotify_id(rng: random.Random) -> str:
    """A 22-character base62 id, shaped like Spotify's."""
    return "".join(rng.choice(BASE62) for _ in range(22))


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


def _features(rng: random.Random, family: str) -> AudioFeatures:
    dance, energy, valence, tempo, acoustic, instrumental, speech = GENRE_FAMILIES[family][1]
    energy_value = _clamp(rng.gauss(energy, 0.12))
    return AudioFeatures(
        danceability=round(_clamp(rng.gauss(dance, 0.12)), 3),
        energy=round(energy_value, 3),
        valence=round(_clamp(rng.gauss(valence, 0.18)), 3),
        tempo=round(max(50.0, rng.gauss(tempo, 14)), 3),
        acousticness=round(_clamp(rng.gauss(acoustic, 0.12)), 4),
        instrumentalness=round(_clamp(rng.gauss(instrumental, 0.15)), 4),
        speechiness=round(_clamp(abs(rng.gauss(speech, 0.03)), 0.02, 0.9), 4),
        liveness=round(_clamp(abs(rng.gauss(0.15, 0.1)), 0.02, 0.98), 4),
        loudness=round(-22 + 18 * energy_value + rng.uniform(-2, 2), 3),
        key=rng.randint(-1, 11),
        mode=rng.randint(0, 1),
        time_signature=rng.choice([4, 4, 4, 4, 3, 5]),
    )


def _release_date(rng: random.Random) -> tuple[str, str]:
    year = rng.randint(1994, 2025)
    if rng.random() < 0.08:
        return str(year), "year"
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", "day"


def build_catalogue(seed: int) -> Catalogue:
    """Build the whole catalogue for ``seed``: ~60 artists, their releases, ~400 tracks."""
    rng = random.Random(f"mtm-fake-catalogue:{seed}")
    ids: set[str] = set()
    names: set[str] = set()
    families = list(GENRE_FAMILIES)
    artists: dict[str, Artist] = {}
    for index in range(60):
        family = families[index % len(families)]
        name = _unique(rng, names, artist_name)
        family_genres = GENRE_FAMILIES[family][0]
        genres = [family] + rng.sample(family_genres[1:], rng.randint(0, 2))
        artist = Artist(
            id=_unique(rng, ids, spotify_id),
            name=name,
            family=family,
            genres=genres,
            popularity=rng.randint(18, 88),
            followers=int(rng.lognormvariate(10, 1.6)),
            image_hash=_hex(rng, 24),
        )
        artists[artist.id] = artist

    albums: dict[str, Album] = {}
    tracks: dict[str, Track] = {}
    artist_ids = list(artists)
    for artist in artists.values():
        releases = [("album", rng.randint(4, 7))]
        if rng.random() < 0.6:
            releases.append(("single", rng.randint(1, 2)))
        if rng.random() < 0.12:
            releases.append(("compilation", rng.randint(4, 6)))
        for album_type, size in releases:
            release_date, precision = _release_date(rng)
            album = Album(
                id=_unique(rng, ids, spotify_id),
                name=title(rng),
                album_type=album_type,
                artist_ids=[artist.id],
                release_date=release_date,
                release_date_precision=precision,
                image_hash=_hex(rng, 24),
            )
            albums[album.id] = album
            for number in range(1, size + 1):
                credited = [artist.id]
                if rng.random() < 0.1:
                    guest = rng.choice(artist_ids)
                    if guest != artist.id:
                        credited.append(guest)
                track = Track(
                    id=_unique(rng, ids, spotify_id),
                    name=album.name if album_type == "single" and number == 1 else title(rng),
                    album_id=album.id,
                    artist_ids=credited,
                    duration_ms=int(_clamp(rng.gauss(235_000, 45_000), 120_000, 420_000)),
                    track_number=number,
                    explicit=artist.family == "hip hop" and rng.random() < 0.6,
                    popularity=_clamp_int(artist.popularity + rng.randint(-15, 10)),
                    isrc=f"QZ{rng.choice(['ES', 'GB', 'US', 'DE', 'SE'])}"
                    f"{rng.randint(20, 25)}{rng.randint(10000, 99999)}",
                    features=_features(rng, artist.family),
                )
                tracks[track.id] = track
                album.track_ids.append(track.id)
    return Catalogue(artists, albums, tracks, _seeded_playlists(rng, ids, tracks, artists))


def _clamp_int(value: int) -> int:
    return max(0, min(100, value))


def _seeded_playlists(
    rng: random.Random, ids: set[str], tracks: dict[str, Track], artists: dict[str, Artist]
) -> dict[str, SeededPlaylist]:
    """Editorial playlists owned by "spotify": play contexts, and a target the user cannot edit."""
    playlists: dict[str, SeededPlaylist] = {}
    by_family: dict[str, list[str]] = {}
    for track in tracks.values():
        by_family.setdefault(artists[track.artist_ids[0]].family, []).append(track.id)
    for family in ["indie rock", "house", "lo-fi", "jazz", "pop"]:
        pool = by_family[family]
        title = family.title() if family != "lo-fi" else "Lo-Fi"
        playlist = SeededPlaylist(
            id=_unique(rng, ids, spotify_id),
            name=f"{title} Essentials",
            description=f"The essential {family} tracks, picked for you.",
            owner_id="spotify",
            owner_name="Spotify",
            track_ids=rng.sample(pool, min(len(pool), 25)),
        )
        playlists[playlist.id] = playlist
    return playlists


def _family_for(genres: list[str]) -> str:
    for genre in genres:
        for family, (members, _profile) in GENRE_FAMILIES.items():
            if genre in members or family in genre:
                return family
    return "pop"


def learn_tracks(catalogue: Catalogue, tracks: list[dict]) -> int:
    """Add tracks known elsewhere (the demo's own catalogue) so the sandbox accepts their ids.

    Each entry: ``{"id", "name", "duration_ms", "artists": [{"id", "name", "genres"}],
    "album": {"id", "name"}}``. Entries already known are left as they are; returns how many
    tracks were added. The listening clock keeps its own seeded ranking and never plays them.
    """
    added = 0
    for entry in tracks:
        track_id = entry["id"]
        if track_id in catalogue.tracks:
            continue
        rng = random.Random(f"mtm-fake-learned:{track_id}")
        artist_ids = []
        for artist in entry.get("artists") or []:
            if artist["id"] not in catalogue.artists:
                genres = list(artist.get("genres") or [])
                catalogue.artists[artist["id"]] = Artist(
                    artist["id"], artist["name"], _family_for(genres), genres,
                    rng.randint(10, 80), rng.randint(100, 500_000), _hex(rng, 40))
            artist_ids.append(artist["id"])
        album = entry.get("album") or {"id": f"{track_id[:21]}A", "name": entry["name"]}
        if album["id"] not in catalogue.albums:
            release, precision = _release_date(rng)
            catalogue.albums[album["id"]] = Album(album["id"], album["name"], "album",
                                                  artist_ids, release, precision, _hex(rng, 40))
        catalogue.albums[album["id"]].track_ids.append(track_id)
        family = catalogue.artists[artist_ids[0]].family if artist_ids else "pop"
        catalogue.tracks[track_id] = Track(
            track_id, entry["name"], album["id"], artist_ids, int(entry["duration_ms"]),
            len(catalogue.albums[album["id"]].track_ids), False, rng.randint(10, 80),
            f"XX{rng.randint(0, 10**10):010d}", _features(rng, family))
        added += 1
    return added

"""The demo catalogue and the listener's taste: who exists, and who is loved when.

Taste is modelled per artist: a Zipf-like base popularity times an "era" curve (a burst of
enthusiasm after discovery, a plateau, a fade) times a slow drift of the whole genre family.
That one model produces what the charts need to look lived-in: a stable core of favourites,
discoveries over time (some in the last weeks), loves that were dropped months ago
("forgotten gems"), and a genre mix that shifts across the years.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from ..normalise import name_key
from . import names

DAY_MS = 86_400_000
YEAR_MS = 365 * DAY_MS
_INF = 1 << 62

#: Genre profile: energy, valence, danceability, tempo, acousticness, instrumentalness,
#: speechiness, typical length in seconds. Means from the shape of Spotify's own features.
GENRES: dict[str, tuple[float, float, float, float, float, float, float, int]] = {
    "pop": (0.68, 0.58, 0.68, 118, 0.15, 0.01, 0.06, 205),
    "k-pop": (0.80, 0.64, 0.72, 124, 0.10, 0.01, 0.08, 200),
    "singer-songwriter": (0.36, 0.38, 0.50, 102, 0.72, 0.03, 0.04, 225),
    "r&b": (0.55, 0.48, 0.72, 98, 0.22, 0.02, 0.10, 215),
    "indie rock": (0.70, 0.45, 0.50, 128, 0.12, 0.08, 0.05, 230),
    "alt rock": (0.78, 0.40, 0.45, 130, 0.06, 0.06, 0.06, 240),
    "punk": (0.92, 0.55, 0.42, 172, 0.02, 0.03, 0.07, 160),
    "metal": (0.94, 0.26, 0.35, 142, 0.01, 0.12, 0.08, 290),
    "hip hop": (0.66, 0.52, 0.78, 96, 0.12, 0.01, 0.26, 210),
    "rap": (0.70, 0.48, 0.80, 142, 0.10, 0.01, 0.32, 195),
    "house": (0.80, 0.62, 0.82, 124, 0.04, 0.60, 0.06, 330),
    "techno": (0.86, 0.30, 0.72, 132, 0.02, 0.82, 0.06, 380),
    "drum and bass": (0.92, 0.45, 0.55, 174, 0.02, 0.55, 0.07, 300),
    "edm": (0.86, 0.56, 0.66, 128, 0.03, 0.30, 0.06, 200),
    "lo-fi beats": (0.30, 0.50, 0.66, 84, 0.66, 0.86, 0.08, 150),
    "ambient": (0.14, 0.20, 0.24, 76, 0.86, 0.90, 0.04, 320),
    "classical": (0.16, 0.30, 0.22, 100, 0.95, 0.92, 0.04, 400),
    "soundtrack": (0.34, 0.24, 0.26, 104, 0.60, 0.80, 0.04, 190),
    "jazz": (0.40, 0.55, 0.56, 110, 0.78, 0.45, 0.05, 300),
    "soul": (0.52, 0.62, 0.62, 104, 0.40, 0.02, 0.06, 215),
    "funk": (0.76, 0.80, 0.80, 114, 0.15, 0.10, 0.07, 250),
    "folk": (0.36, 0.46, 0.52, 112, 0.80, 0.05, 0.04, 220),
    "country": (0.62, 0.60, 0.60, 120, 0.35, 0.01, 0.05, 200),
    "latin": (0.76, 0.76, 0.76, 106, 0.18, 0.01, 0.09, 210),
    "reggaeton": (0.78, 0.70, 0.84, 94, 0.12, 0.00, 0.12, 215),
}

#: Genre families: (share of the listener's artists, genres with their weights).
FAMILIES: dict[str, tuple[float, tuple[tuple[str, float], ...]]] = {
    "pop": (0.16, (("pop", 0.6), ("singer-songwriter", 0.2), ("r&b", 0.2))),
    "kpop": (0.04, (("k-pop", 0.8), ("pop", 0.2))),
    "rock": (0.16, (("indie rock", 0.35), ("alt rock", 0.3), ("punk", 0.15), ("metal", 0.2))),
    "hiphop": (0.12, (("hip hop", 0.5), ("rap", 0.35), ("r&b", 0.15))),
    "electronic": (0.14, (("house", 0.3), ("techno", 0.25), ("drum and bass", 0.2),
                          ("edm", 0.25))),
    "chill": (0.09, (("lo-fi beats", 0.5), ("ambient", 0.35), ("soundtrack", 0.15))),
    "classical": (0.05, (("classical", 0.8), ("soundtrack", 0.2))),
    "jazz": (0.09, (("jazz", 0.45), ("soul", 0.3), ("funk", 0.25))),
    "folk": (0.08, (("folk", 0.45), ("singer-songwriter", 0.3), ("country", 0.25))),
    "latin": (0.07, (("latin", 0.5), ("reggaeton", 0.4), ("pop", 0.1))),
}
FEATURE_NAMES = ("energy", "valence", "danceability", "tempo", "acousticness",
                 "instrumentalness", "speechiness")


@dataclass(slots=True)
class Track:
    title: str
    uri: str
    duration_ms: int
    features: dict[str, float]
    artist: int
    featured: int | None
    album: int
    hit: bool  # one of the artist's favourites: skipped less


@dataclass(slots=True)
class Album:
    title: str
    spotify_id: str
    artist: int
    release_ms: int
    tracks: list[int] = field(default_factory=list)


@dataclass(slots=True)
class Artist:
    name: str
    spotify_id: str
    genres: list[str] | None  # None: unknown to Spotify (as the 2026 API often says)
    family: str
    profile: list[float]
    pop: float
    start_ms: int            # discovered
    stop_ms: int             # stopped listening (_INF: still listening)
    after: float             # share of popularity left after stop_ms (nostalgia)
    albums: list[int] = field(default_factory=list)       # by release
    releases: list[int] = field(default_factory=list)     # release_ms per album
    stage_tracks: list[list[int]] = field(default_factory=list)
    stage_cum: list[list[float]] = field(default_factory=list)

    def weight(self, t: int) -> float:
        """Taste for this artist at ``t``: 0 before discovery, a burst, a plateau, a fade."""
        if t < self.start_ms:
            return 0.0
        if t >= self.stop_ms:
            return self.pop * self.after
        w = 1.0 + 1.6 * math.exp(-(t - self.start_ms) / (40 * DAY_MS))
        if self.stop_ms != _INF:
            span = self.stop_ms - self.start_ms
            w *= max(0.08, min(1.0, (self.stop_ms - t) / (0.35 * span)))
        return self.pop * w


@dataclass
class World:
    artists: list[Artist]
    albums: list[Album]
    tracks: list[Track]
    family_slopes: dict[str, float]
    start_ms: int
    end_ms: int

    def artist_weights(self, t: int) -> list[float]:
        """Cumulative artist weights at ``t`` (for ``bisect``), genre drift included."""
        frac = (t - self.start_ms) / max(1, self.end_ms - self.start_ms) - 0.5
        drift = {f: math.exp(s * frac) for f, s in self.family_slopes.items()}
        return list(accumulate(a.weight(t) * drift[a.family] for a in self.artists))

    def pick_track(self, rng: random.Random, artist_index: int, t: int) -> int:
        """A track of the artist released by ``t``; a new album gets extra attention."""
        artist = self.artists[artist_index]
        stage = max(1, bisect_right(artist.releases, t))
        newest = self.albums[artist.albums[stage - 1]]
        if stage > 1 and t - newest.release_ms < 45 * DAY_MS and rng.random() < 0.45:
            return rng.choice(newest.tracks)
        cum = artist.stage_cum[stage - 1]
        return artist.stage_tracks[stage - 1][bisect_right(cum, rng.random() * cum[-1])]

    def released_albums(self, artist_index: int, t: int) -> list[int]:
        artist = self.artists[artist_index]
        return artist.albums[:max(1, bisect_right(artist.releases, t))]


def artist_count(plays: int) -> int:
    """About 300 artists for the default 25k plays, growing gently (2000 at 1M)."""
    return max(60, min(2000, round(300 * math.sqrt(plays / 25_000))))


def build_world(rng: random.Random, n_artists: int, start_ms: int, end_ms: int) -> World:
    span = end_ms - start_ms
    fam_names = list(FAMILIES)
    fam_weights = [FAMILIES[f][0] for f in fam_names]
    taken: set[str] = set()
    artists: list[Artist] = []
    ranks = list(range(1, n_artists + 1))
    rng.shuffle(ranks)
    recent = set(rng.sample(range(n_artists), max(3, round(0.015 * n_artists))))
    forgotten = set(rng.sample(sorted(set(range(n_artists)) - recent),
                               max(4, round(0.03 * n_artists))))
    for i in range(n_artists):
        family = rng.choices(fam_names, fam_weights)[0]
        options = FAMILIES[family][1]
        genres = [rng.choices([g for g, _ in options], [w for _, w in options])[0]]
        for _ in range(rng.choice((0, 1, 1, 2))):
            extra = rng.choice(options)[0] if rng.random() < 0.85 else rng.choice(list(GENRES))
            if extra not in genres:
                genres.append(extra)
        profile = [sum(GENRES[g][k] for g in genres) / len(genres) for k in range(8)]
        for k in range(7):
            profile[k] += rng.gauss(0, 0.05 if k != 3 else 4.0)
        rank = ranks[i]
        pop = 1.0 / rank**0.95
        evergreen = rng.random() < (0.35 if rank <= 10 else 0.1)
        after = 0.03 if rng.random() < 0.5 else 0.0
        if i in recent:  # a new obsession of the last weeks ("discovered this month")
            start = end_ms - rng.randint(DAY_MS, 30 * DAY_MS)
            stop, pop, after = _INF, max(pop, rng.uniform(0.3, 0.6)), 0.0
        elif i in forgotten:  # loved 6-12 months ago, silent for the last 3+ months
            start = end_ms - rng.randint(330 * DAY_MS, 480 * DAY_MS)
            stop, pop, after = end_ms - rng.randint(100 * DAY_MS, 200 * DAY_MS), \
                max(pop, rng.uniform(0.15, 0.4)), 0.0
        elif evergreen:
            start, stop = start_ms - rng.randint(0, 2 * YEAR_MS), _INF
        else:
            start = rng.randint(start_ms - int(0.3 * span), end_ms - 10 * DAY_MS)
            length = int(min(3 * YEAR_MS, max(40 * DAY_MS, rng.lognormvariate(0, 0.7)
                                               * 0.6 * YEAR_MS)))
            stop = start + length if start + length < end_ms else _INF
        name = names.unique_name(lambda f=family: names.artist_name(rng, f), taken)
        stored_genres = None if rng.random() < 0.08 else genres
        artists.append(Artist(name, names.base62_id(rng), stored_genres, family, profile, pop,
                              start, stop, after))
    albums: list[Album] = []
    tracks: list[Track] = []
    by_family: dict[str, list[int]] = {}
    for i, a in enumerate(artists):
        if i not in recent:  # a new discovery should not already be on older records
            by_family.setdefault(a.family, []).append(i)
    for i, artist in enumerate(artists):
        _albums_for(rng, i, artist, artists, by_family, albums, tracks, end_ms, i in recent)
    # Favourites still in rotation drop a new album in the last weeks.
    active_top = sorted((i for i, a in enumerate(artists) if a.stop_ms == _INF
                         and a.start_ms < end_ms - 60 * DAY_MS), key=lambda i: -artists[i].pop)
    for i in active_top[:2]:
        release = end_ms - rng.randint(2 * DAY_MS, 25 * DAY_MS)
        _add_album(rng, i, artists[i], artists, by_family, albums, tracks, release)
    for artist in artists:
        _stage(rng, artist, albums, tracks)
    slopes = {f: rng.gauss(0, 0.9) for f in fam_names}
    return World(artists, albums, tracks, slopes, start_ms, end_ms)


def _albums_for(rng: random.Random, index: int, artist: Artist, artists: list[Artist],
                by_family: dict[str, list[int]], albums: list[Album], tracks: list[Track],
                end_ms: int, debut: bool) -> None:
    """1-4 albums: an older catalogue first, later records released every year or two."""
    if debut:
        release = artist.start_ms - rng.randint(0, 60 * DAY_MS)
    else:
        release = artist.start_ms - rng.randint(30 * DAY_MS, 4 * YEAR_MS)
    for _ in range(rng.choice((1, 1, 2, 2, 3, 4))):
        if release > end_ms:
            break
        _add_album(rng, index, artist, artists, by_family, albums, tracks, release)
        release += rng.randint(200 * DAY_MS, 900 * DAY_MS)


def _add_album(rng: random.Random, index: int, artist: Artist, artists: list[Artist],
               by_family: dict[str, list[int]], albums: list[Album], tracks: list[Track],
               release: int) -> None:
    album = Album(names.album_title(rng, artist.family, artist.name), names.base62_id(rng),
                  index, release)
    albums.append(album)
    artist.albums.append(len(albums) - 1)
    artist.releases.append(release)
    titles = {name_key(tracks[t].title) for a in artist.albums[:-1]
              for t in albums[a].tracks}
    peers = by_family.get(artist.family, [])
    for _ in range(rng.randint(8, 14)):
        title = names.unique_name(lambda: names.track_title(rng, artist.family), titles)
        featured = None
        if len(peers) > 1 and rng.random() < 0.08:
            featured = rng.choice(peers)
            if featured == index:
                featured = None
            elif rng.random() < 0.7:
                title += f" (feat. {artists[featured].name})"
        p = artist.profile
        features = {}
        for k, fname in enumerate(FEATURE_NAMES):
            if fname == "tempo":
                features[fname] = round(min(210.0, max(55.0, rng.gauss(p[3], 6.0))), 1)
            else:
                features[fname] = round(min(1.0, max(0.0, rng.gauss(p[k], 0.09))), 3)
        seconds = min(420.0, max(120.0, p[7] * rng.lognormvariate(0, 0.18)))
        album.tracks.append(len(tracks))
        tracks.append(Track(title, "spotify:track:" + names.base62_id(rng),
                            int(seconds * 1000) + rng.randint(0, 999), features, index,
                            featured, len(albums) - 1, False))


def _stage(rng: random.Random, artist: Artist, albums: list[Album], tracks: list[Track]) -> None:
    """Precompute, per number of released albums, the tracks and their cumulative weights.

    Within an artist a few songs are the favourites (Zipf), whatever album they are on.
    """
    order = sorted(range(len(artist.albums)), key=lambda k: artist.releases[k])
    artist.albums = [artist.albums[k] for k in order]
    artist.releases = [artist.releases[k] for k in order]
    all_tracks = [t for a in artist.albums for t in albums[a].tracks]
    ranked = all_tracks[:]
    rng.shuffle(ranked)
    weight = {t: 1.0 / (r + 1) ** 1.1 for r, t in enumerate(ranked)}
    for t in ranked[:max(3, len(ranked) // 4)]:
        tracks[t].hit = True
    available: list[int] = []
    for a in artist.albums:
        available = available + albums[a].tracks
        artist.stage_tracks.append(available)
        artist.stage_cum.append(list(accumulate(weight[t] for t in available)))

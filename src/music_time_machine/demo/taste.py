"""The demo listener's taste: who in the sandbox world is loved, and when.

The world (``sandbox.world``) says who exists and what they recorded; this module says how one
listener came across them. Taste is modelled per artist: the world's Zipf popularity times an
"era" curve (a burst of enthusiasm after discovery, a plateau, a fade) times a slow drift of
the whole genre family. That one model produces what the charts need to look lived-in: a
stable core of favourites, discoveries over time (some in the last weeks), loves that were
dropped months ago ("forgotten gems"), and a genre mix that shifts across the years.

The listener lives in a window that ends now, so it hears each artist's records on its own
calendar (the first one before discovery, later ones every year or two, a favourite's latest
in the last weeks) rather than on the world's release dates, which lie years back.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from ..sandbox.world import FAMILIES, Album, Track, World

DAY_MS = 86_400_000
YEAR_MS = 365 * DAY_MS
_INF = 1 << 62


@dataclass(slots=True)
class Era:
    """One artist in this listener's life."""

    family: str
    pop: float
    start_ms: int  # discovered
    stop_ms: int  # stopped listening (_INF: still listening)
    after: float  # share of popularity left after stop_ms (nostalgia)
    albums: list[int]  # the world's albums, in release order
    releases: list[int] = field(default_factory=list)  # when the listener could hear each
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
class Taste:
    world: World
    eras: list[Era]  # one per world artist, same index
    hits: set[int]  # each artist's favourite tracks: skipped less
    family_slopes: dict[str, float]
    start_ms: int
    end_ms: int

    @property
    def tracks(self) -> list[Track]:
        return self.world.tracks

    @property
    def albums(self) -> list[Album]:
        return self.world.albums

    def artist_weights(self, t: int) -> list[float]:
        """Cumulative artist weights at ``t`` (for ``bisect``), genre drift included."""
        frac = (t - self.start_ms) / max(1, self.end_ms - self.start_ms) - 0.5
        drift = {f: math.exp(s * frac) for f, s in self.family_slopes.items()}
        return list(accumulate(e.weight(t) * drift[e.family] for e in self.eras))

    def pick_track(self, rng: random.Random, artist_index: int, t: int) -> int:
        """A track of the artist released by ``t``; a new album gets extra attention."""
        era = self.eras[artist_index]
        stage = max(1, bisect_right(era.releases, t))
        newest = self.world.albums[era.albums[stage - 1]]
        if stage > 1 and t - era.releases[stage - 1] < 45 * DAY_MS and rng.random() < 0.45:
            return rng.choice(newest.tracks)
        cum = era.stage_cum[stage - 1]
        return era.stage_tracks[stage - 1][bisect_right(cum, rng.random() * cum[-1])]

    def released_albums(self, artist_index: int, t: int) -> list[int]:
        era = self.eras[artist_index]
        return era.albums[: max(1, bisect_right(era.releases, t))]


def artist_count(plays: int) -> int:
    """About 300 artists for the default 25k plays, growing gently (2000 at 1M)."""
    return max(60, min(2000, round(300 * math.sqrt(plays / 25_000))))


def build_taste(world: World, rng: random.Random, start_ms: int, end_ms: int) -> Taste:
    """Discoveries, favourites, forgotten loves and release calendars for ``world``."""
    n = len(world.artists)
    span = end_ms - start_ms
    # A new discovery should not already be heard as a guest on older records.
    guests = {t.featured for t in world.tracks if t.featured is not None}
    recent = set(rng.sample([i for i in range(n) if i not in guests], max(3, round(0.015 * n))))
    forgotten = set(rng.sample(sorted(set(range(n)) - recent), max(4, round(0.03 * n))))
    eras: list[Era] = []
    for i, artist in enumerate(world.artists):
        pop = artist.popularity
        evergreen = rng.random() < (0.35 if i < 10 else 0.1)
        after = 0.03 if rng.random() < 0.5 else 0.0
        if i in recent:  # a new obsession of the last weeks ("discovered this month")
            start = end_ms - rng.randint(DAY_MS, 30 * DAY_MS)
            stop, pop, after = _INF, max(pop, rng.uniform(0.3, 0.6)), 0.0
        elif i in forgotten:  # loved 6-12 months ago, silent for the last 3+ months
            start = end_ms - rng.randint(330 * DAY_MS, 480 * DAY_MS)
            stop, pop, after = (
                end_ms - rng.randint(100 * DAY_MS, 200 * DAY_MS),
                max(pop, rng.uniform(0.15, 0.4)),
                0.0,
            )
        elif evergreen:
            start, stop = start_ms - rng.randint(0, 2 * YEAR_MS), _INF
        else:
            start = rng.randint(start_ms - int(0.3 * span), end_ms - 10 * DAY_MS)
            length = int(
                min(3 * YEAR_MS, max(40 * DAY_MS, rng.lognormvariate(0, 0.7) * 0.6 * YEAR_MS))
            )
            stop = start + length if start + length < end_ms else _INF
        era = Era(artist.family, pop, start, stop, after, list(artist.albums))
        era.releases = _calendar(rng, era, len(era.albums), i in recent)
        eras.append(era)
    # Favourites still in rotation drop a new album in the last weeks.
    active_top = sorted(
        (
            i
            for i, e in enumerate(eras)
            if e.stop_ms == _INF and len(e.albums) > 1 and e.start_ms < end_ms - 60 * DAY_MS
        ),
        key=lambda i: -eras[i].pop,
    )
    for i in active_top[:2]:
        releases, release = eras[i].releases, end_ms - rng.randint(2 * DAY_MS, 25 * DAY_MS)
        for k in range(len(releases) - 1, -1, -1):
            releases[k], release = release, release - rng.randint(200 * DAY_MS, 900 * DAY_MS)
    hits: set[int] = set()
    for era in eras:
        _stage(rng, era, world, hits)
    slopes = {f: rng.gauss(0, 0.9) for f in FAMILIES}
    return Taste(world, eras, hits, slopes, start_ms, end_ms)


def _calendar(rng: random.Random, era: Era, albums: int, debut: bool) -> list[int]:
    """When the listener could hear each record: an older catalogue first, then every year
    or two (records "released" after the end of the window are never heard)."""
    if debut:
        release = era.start_ms - rng.randint(0, 60 * DAY_MS)
    else:
        release = era.start_ms - rng.randint(30 * DAY_MS, 4 * YEAR_MS)
    releases = []
    for _ in range(albums):
        releases.append(release)
        release += rng.randint(200 * DAY_MS, 900 * DAY_MS)
    return releases


def _stage(rng: random.Random, era: Era, world: World, hits: set[int]) -> None:
    """Precompute, per number of released albums, the tracks and their cumulative weights.

    Within an artist a few songs are the favourites (Zipf), whatever album they are on.
    """
    all_tracks = [t for a in era.albums for t in world.albums[a].tracks]
    ranked = all_tracks[:]
    rng.shuffle(ranked)
    weight = {t: 1.0 / (r + 1) ** 1.1 for r, t in enumerate(ranked)}
    hits.update(ranked[: max(3, len(ranked) // 4)])
    available: list[int] = []
    for a in era.albums:
        available = available + world.albums[a].tracks
        era.stage_tracks.append(available)
        era.stage_cum.append(list(accumulate(weight[t] for t in available)))

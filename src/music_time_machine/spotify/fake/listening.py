"""The fake user's listening: a deterministic schedule of plays derived from the seed.

Each UTC day is generated on its own from ``(seed, day)`` so any moment can be answered without
replaying history: "the last 50 plays at time T" just walks back over a few days. Every day has
an evening session (so advancing the clock by a day always yields new plays), and usually a
morning and a lunchtime one. Plays run back to back (a play every 3-5 minutes), ``played_at`` is
when the track ended, like Spotify. Track choice follows a Zipf-like preference over a seeded
ranking, boosted for a few "current obsession" artists that change every few weeks, so top
lists differ by time range and old favourites can go quiet (the app's "forgotten gems").
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from .catalogue import Catalogue

DAY_MS = 86_400_000
ERA_DAYS = 21
# (probability, earliest start, latest start, shortest, longest) in minutes after midnight UTC
_SESSIONS = [
    (0.75, 6 * 60 + 30, 9 * 60, 30, 90),
    (0.55, 12 * 60, 13 * 60 + 30, 25, 60),
    (1.00, 17 * 60 + 30, 20 * 60, 90, 210),
]


@dataclass(frozen=True)
class Play:
    """One stream as recently-played reports it; ``played_at_ms`` is when it ended."""

    played_at_ms: int
    track_id: str
    context_type: str | None = None
    context_id: str | None = None


class ListeningSchedule:
    """Answers "which plays ended in this time range" for a seeded listener."""

    def __init__(self, catalogue: Catalogue, seed: int) -> None:
        self._catalogue = catalogue
        self._seed = seed
        tracks = catalogue.track_list()
        rng = random.Random(f"mtm-fake-taste:{seed}")
        self._ranked = rng.sample(tracks, len(tracks))
        self._artist_ids = sorted(catalogue.artists)
        self.day_plays = lru_cache(maxsize=800)(self._generate_day)
        self._era_weights = lru_cache(maxsize=64)(self._weights_for_era)

    def plays_between(self, start_ms: int, end_ms: int) -> list[Play]:
        """Scheduled plays with ``start_ms < played_at_ms <= end_ms``, oldest first."""
        plays: list[Play] = []
        for day in range(start_ms // DAY_MS, end_ms // DAY_MS + 1):
            plays.extend(p for p in self.day_plays(day) if start_ms < p.played_at_ms <= end_ms)
        return plays

    def last_plays(self, end_ms: int, count: int) -> list[Play]:
        """The ``count`` latest scheduled plays ending at or before ``end_ms``, newest first."""
        found: list[Play] = []
        day = end_ms // DAY_MS
        while len(found) < count:
            todays = [p for p in self.day_plays(day) if p.played_at_ms <= end_ms]
            found.extend(reversed(todays))
            day -= 1
        return found[:count]

    def pick_tracks(self, at_ms: int, count: int) -> list[str]:
        """Tracks this listener would pick around ``at_ms``, for plays added on demand."""
        rng = random.Random(f"mtm-fake-extra:{self._seed}:{at_ms}")
        return [self._pick_track(rng, at_ms // DAY_MS) for _ in range(count)]

    def _weights_for_era(self, era: int) -> tuple[list[str], list[float]]:
        rng = random.Random(f"mtm-fake-era:{self._seed}:{era}")
        obsessions = set(rng.sample(self._artist_ids, 6))
        ids: list[str] = []
        weights: list[float] = []
        for rank, track in enumerate(self._ranked):
            weight = 1.0 / (rank + 10) ** 1.1
            if track.artist_ids[0] in obsessions:
                weight *= 6
            ids.append(track.id)
            weights.append(weight)
        return ids, list(accumulate(weights))

    def _pick_track(self, rng: random.Random, day: int) -> str:
        ids, cumulative = self._era_weights(day // ERA_DAYS)
        index = bisect.bisect_right(cumulative, rng.random() * cumulative[-1])
        return ids[min(index, len(ids) - 1)]

    def _session_queue(
        self, rng: random.Random, day: int
    ) -> tuple[list[str], str | None, str | None]:
        """What a session plays: an album in order, a playlist shuffled, or favourites."""
        style = rng.random()
        if style < 0.18:
            seed_track = self._catalogue.tracks[self._pick_track(rng, day)]
            album = self._catalogue.albums[seed_track.album_id]
            return list(album.track_ids), "album", album.id
        if style < 0.33:
            playlist = rng.choice(list(self._catalogue.playlists.values()))
            return rng.sample(playlist.track_ids, len(playlist.track_ids)), "playlist", playlist.id
        return [], None, None

    def _generate_day(self, day: int) -> list[Play]:
        rng = random.Random(f"mtm-fake-day:{self._seed}:{day}")
        day_start = day * DAY_MS
        day_end = day_start + DAY_MS - 60_000
        plays: list[Play] = []
        for probability, earliest, latest, shortest, longest in _SESSIONS:
            if rng.random() >= probability:
                continue
            clock = day_start + rng.randint(earliest, latest) * 60_000 + rng.randint(0, 59_999)
            session_end = min(day_end, clock + rng.randint(shortest, longest) * 60_000)
            queue, context_type, context_id = self._session_queue(rng, day)
            while True:
                if queue:
                    track_id, context = queue.pop(0), (context_type, context_id)
                else:
                    track_id, context = self._pick_track(rng, day), (None, None)
                ended = clock + self._catalogue.tracks[track_id].duration_ms
                if ended > session_end:
                    break
                plays.append(Play(ended, track_id, *context))
                clock = ended + rng.randint(200, 2_500)
        return plays

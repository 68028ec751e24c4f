"""The fake's whole in-memory state, guarded by one lock because the server is threaded."""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from .catalogue import Catalogue, build_catalogue, spotify_id
from .faults import FaultInjector
from .listening import DAY_MS, ListeningSchedule, Play
from .tokens import TokenStore

MODES = ("dev", "extended")
RECENTLY_PLAYED_WINDOW = 50
USER_ID = "demo-listener"
USER_NAME = "Demo Listener"
TIME_RANGE_DAYS = {"short_term": 28, "medium_term": 182, "long_term": 365}


class FakeClock:
    """Injectable time plus an offset or a frozen instant, settable over the control endpoint."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now
        self.offset = 0.0
        self.frozen: float | None = None

    def __call__(self) -> float:
        if self.frozen is not None:
            return self.frozen
        return self._now() + self.offset

    def ms(self) -> int:
        return int(self() * 1000)


@dataclass
class UserPlaylist:
    id: str
    name: str
    description: str | None
    public: bool
    collaborative: bool
    owner_id: str
    owner_name: str
    snapshot: int = 1
    items: list[tuple[str, int]] = field(default_factory=list)  # (track id, added_at ms)

    @property
    def snapshot_id(self) -> str:
        digest = hashlib.sha256(f"{self.id}:{self.snapshot}".encode()).hexdigest()[:24]
        return f"AAAA{self.snapshot:04d}{digest}"


class FakeState:
    """Catalogue, listening, grants, playlists and faults of one fake Spotify instance."""

    def __init__(
        self,
        *,
        mode: str,
        seed: int,
        client_id: str,
        client_secret: str,
        base_url: str | None,
        now: Callable[[], float] | None,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
        self.lock = threading.RLock()
        self.seed = seed
        self.client_id = client_id
        self.client_secret = client_secret
        self.base_url = base_url.rstrip("/") if base_url else None
        self.initial_mode = mode
        self.clock = FakeClock(now or time.time)
        self.catalogue: Catalogue = build_catalogue(seed)
        self.schedule = ListeningSchedule(self.catalogue, seed)
        self.faults = FaultInjector()
        self.reset()

    def reset(self) -> None:
        """Forget everything that happened at runtime; the catalogue and schedule stay."""
        with self.lock:
            self.mode = self.initial_mode
            self.clock.offset = 0.0
            self.clock.frozen = None
            self.tokens = TokenStore(self.clock)
            self.auto_approve = False
            self.auto_listening = True
            self.extra_plays: list[Play] = []
            self._top_cache: dict[tuple, list[str]] = {}
            self._plays_version = 0
            self.playlists: dict[str, UserPlaylist] = {}
            self._playlist_counter = 0
            self.faults.clear()

    @property
    def extended(self) -> bool:
        return self.mode == "extended"

    def now_ms(self) -> int:
        return self.clock.ms()

    def recent_plays(self) -> list[Play]:
        """The only plays Spotify still reports: the last 50 ending at or before now."""
        return self.latest_plays(RECENTLY_PLAYED_WINDOW)

    def latest_plays(self, count: int) -> list[Play]:
        """The ``count`` newest plays (scheduled and added) ending at or before now."""
        end = self.now_ms()
        plays = [p for p in self.extra_plays if p.played_at_ms <= end]
        if self.auto_listening:
            plays.extend(self.schedule.last_plays(end, count))
        plays.sort(key=lambda p: p.played_at_ms, reverse=True)
        return plays[:count]

    def top_ids(self, kind: str, time_range: str) -> list[str]:
        """Track or artist ids ranked by plays in the time range, recomputed at most hourly."""
        now = self.now_ms()
        key = (kind, time_range, now // 3_600_000, self._plays_version, self.auto_listening)
        if key not in self._top_cache:
            plays = self.plays_between(now - TIME_RANGE_DAYS[time_range] * DAY_MS, now)
            counts: Counter[str] = Counter()
            for play in plays:
                if kind == "tracks":
                    counts[play.track_id] += 1
                else:
                    counts.update(self.catalogue.tracks[play.track_id].artist_ids)
            ranked = sorted(counts, key=lambda item: (-counts[item], item))
            if len(self._top_cache) > 32:
                self._top_cache.clear()
            self._top_cache[key] = ranked
        return self._top_cache[key]

    def plays_between(self, start_ms: int, end_ms: int) -> list[Play]:
        """All plays (scheduled and added) in ``(start_ms, end_ms]``, oldest first."""
        plays = [p for p in self.extra_plays if start_ms < p.played_at_ms <= end_ms]
        if self.auto_listening:
            plays.extend(self.schedule.plays_between(start_ms, end_ms))
        plays.sort(key=lambda p: p.played_at_ms)
        return plays

    def add_play(self, play: Play) -> None:
        self.extra_plays.append(play)
        self.extra_plays.sort(key=lambda p: p.played_at_ms)
        self._plays_version += 1

    def clear_added_plays(self) -> None:
        self.extra_plays.clear()
        self._plays_version += 1

    def new_playlist_id(self) -> str:
        self._playlist_counter += 1
        taken = set(self.catalogue.playlists) | set(self.playlists)
        rng = random.Random(f"mtm-fake-playlist:{self.seed}:{self._playlist_counter}")
        playlist_id = spotify_id(rng)
        while playlist_id in taken:
            playlist_id = spotify_id(rng)
        return playlist_id

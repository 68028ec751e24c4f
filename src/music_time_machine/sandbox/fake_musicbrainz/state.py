"""The fake's state: its catalogue, its rate limit, what it was asked, and injected faults.

The rate limit works like MusicBrainz's: each client (by address) may make ``rate`` requests
per second to ``/ws/2``; a faster request is answered 503 and counted as an excess. It is a
token bucket holding at most ``1 + tolerance`` tokens (default 1.2), refilled at ``rate`` per
second: a client that keeps exactly to the rate always finds a full bucket, and the
tolerance absorbs the network's jitter (one request arriving a little early after one that
arrived late) without ever allowing more than the rate over any longer stretch.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from ...spotify.fake.faults import FaultInjector
from ..world import build_world
from .catalogue import Catalogue, build_catalogue

DEFAULT_RATE = 1.0
DEFAULT_TOLERANCE = 0.2


@dataclass
class Traffic:
    """What the fake was asked: requests per endpoint, rate excesses, user agents."""

    requests: int = 0
    by_endpoint: Counter = field(default_factory=Counter)
    rate_limited: int = 0  # 503s because a client was too fast
    faults: int = 0  # answers changed by an injected fault
    user_agents: Counter = field(default_factory=Counter)

    def to_json(self) -> dict:
        return {
            "requests": self.requests,
            "by_endpoint": dict(self.by_endpoint),
            "rate_limited": self.rate_limited,
            "rate_exceeded": self.rate_limited > 0,
            "faults": self.faults,
            "user_agents": dict(self.user_agents),
        }


class RateLimit:
    """One token bucket per client address (see the module docstring)."""

    def __init__(
        self,
        rate: float,
        tolerance: float = DEFAULT_TOLERANCE,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate, self.tolerance, self.clock = rate, tolerance, clock
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)

    def allow(self, client: str) -> bool:
        now = self.clock()
        capacity = 1.0 + self.tolerance
        tokens, then = self._buckets.get(client, (capacity, now))
        tokens = min(capacity, tokens + (now - then) * self.rate)
        if tokens < 1.0:
            self._buckets[client] = (tokens, now)
            return False
        self._buckets[client] = (tokens - 1.0, now)
        return True

    def retry_after(self) -> int:
        """Whole seconds to suggest in ``Retry-After`` (at least 1, as HTTP wants)."""
        return max(1, round(1 / self.rate))

    def reset(self) -> None:
        self._buckets.clear()


class FakeMusicBrainzState:
    def __init__(
        self, *, seed: int, artists: int, rate: float, tolerance: float = DEFAULT_TOLERANCE
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.seed = seed
        self.lock = threading.Lock()
        self.catalogue: Catalogue = build_catalogue(build_world(seed, artists))
        self.rate_limit = RateLimit(rate, tolerance)
        self.initial_rate = rate
        self.traffic = Traffic()
        self.faults = FaultInjector()

    def reset(self) -> None:
        """Forget traffic, faults and rate buckets; the rate returns to its initial value."""
        with self.lock:
            self.traffic = Traffic()
            self.rate_limit.rate = self.initial_rate
            self.rate_limit.reset()
        self.faults.clear()

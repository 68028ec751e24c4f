"""One request-rate limiter per service, shared by every thread in the process.

MusicBrainz allows one request per second per client and answers 503 to anything faster;
several enrichment threads (or users) in one server must together stay under it. Each call
to :meth:`RateLimiter.acquire` reserves the next free slot (``1 / rate`` seconds after the
previous one) under a lock and then sleeps until it, outside the lock, so callers are spaced
evenly in the order they arrived. :meth:`hold` pushes the next slot out, for a 503's
``Retry-After``: everyone waits, not only the thread that was told.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        rate_per_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate_per_s > 0:
            raise ValueError("rate_per_s must be positive")
        self.interval = 1.0 / rate_per_s
        self._clock, self._sleep = clock, sleep
        self._lock = threading.Lock()
        self._next = float("-inf")

    @property
    def rate_per_s(self) -> float:
        return 1.0 / self.interval

    def set_rate(self, rate_per_s: float) -> None:
        if not rate_per_s > 0:
            raise ValueError("rate_per_s must be positive")
        with self._lock:
            self.interval = 1.0 / rate_per_s

    def acquire(self) -> None:
        """Wait for this caller's slot."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + self.interval
        if slot > now:
            self._sleep(slot - now)

    def hold(self, seconds: float) -> None:
        """No slot starts earlier than ``seconds`` from now."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)


_SHARED: dict[str, RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(service_root: str, rate_per_s: float) -> RateLimiter:
    """The process's limiter for ``service_root``, set to ``rate_per_s``.

    One per service root, whatever the number of clients: the configured rate is a
    property of the service. A client created with another rate changes it for all.
    """
    key = service_root.rstrip("/")
    with _SHARED_LOCK:
        limiter = _SHARED.get(key)
        if limiter is None:
            limiter = _SHARED[key] = RateLimiter(rate_per_s)
        elif limiter.rate_per_s != rate_per_s:
            limiter.set_rate(rate_per_s)
        return limiter

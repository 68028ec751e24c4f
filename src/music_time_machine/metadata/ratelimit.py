"""One request-rate limiter per service, shared by every thread and every process that uses
the same data folder.

MusicBrainz allows one request per second per client (address) and answers 503 to anything
faster; the threads of one server, and ``mtm enrich`` (or cron running it) beside ``mtm
serve``, must together stay under it. Each call to :meth:`RateLimiter.acquire` reserves
the next free slot (``1 / rate`` seconds after the previous one) and then sleeps until it,
outside any lock, so callers are spaced evenly in the order they arrived. :meth:`hold`
pushes the next slot out, for a 503's ``Retry-After``: everyone waits, not only the caller
that was told.

Within a process the next slot is kept in memory under a thread lock. Across processes it
is kept in a small file per service under ``<data dir>/ratelimit/`` (:class:`SlotFile`),
read and rewritten under an exclusive ``flock``, on the wall clock (the only clock that
processes share). The file is only a hint between cooperating processes: a missing,
unreadable or absurd value (garbage, or further ahead than any hold could ask) counts as
"free now", so a damaged file can never make enrichment sleep for ever. Where ``flock`` or
``O_NOFOLLOW`` is missing (Windows), or the file cannot be opened, the limit is the
process's own.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

#: The folder under the data folder holding one slot file per service.
FOLDER = "ratelimit"
#: The longest a 503's ``Retry-After`` may hold everyone: ``ServiceSession`` gives up (and a
#: job pauses) rather than wait longer, so a slot further ahead than this (plus one
#: interval) was not written by a limiter: it is garbage, or the wall clock went back.
MAX_HOLD_S = 60.0
#: Whether slots can be shared between processes here.
CAN_SHARE = fcntl is not None and hasattr(os, "O_NOFOLLOW")
_SLOT_BYTES = 64


class SlotFile:
    """The next free slot (wall-clock seconds) of one service, shared between processes.

    Every operation opens the file without following a symlink (nor a symlinked folder),
    takes an exclusive ``flock``, reads, writes and closes it: the lock is held for a few
    microseconds, never while anyone sleeps. Returns None when the file cannot be used
    (the caller then limits on its own).
    """

    def __init__(self, path: str | Path, max_hold_s: float = MAX_HOLD_S) -> None:
        self.path = Path(path)
        self.max_hold_s = max_hold_s

    @classmethod
    def for_service(cls, data_dir: str | Path, service_root: str) -> SlotFile:
        """The file for ``service_root`` (one per root, named by its hash)."""
        name = hashlib.sha256(service_root.rstrip("/").encode()).hexdigest()[:24]
        return cls(Path(data_dir) / FOLDER / f"{name}.next")

    def reserve(self, now: float, interval: float) -> float | None:
        """The caller's slot (``now`` or later); the next caller's is one interval later."""
        return self._update(now, lambda free: (free, free + interval), interval)

    def hold(self, now: float, seconds: float) -> bool:
        """No slot starts earlier than ``seconds`` (at most ``max_hold_s``) from now."""
        until = now + min(max(0.0, seconds), self.max_hold_s)
        return self._update(now, lambda free: (free, max(free, until)), 0.0) is not None

    def _update(
        self, now: float, change: Callable[[float], tuple[float, float]], interval: float
    ) -> float | None:
        fd = self._open()
        if fd is None:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            free = self._free_slot(os.pread(fd, _SLOT_BYTES, 0), now, interval)
            answer, stored = change(free)
            data = f"{stored!r}\n".encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            return answer
        except OSError as error:
            log.warning("rate-limit slot file %s unusable (%s)", self.path, error)
            return None
        finally:
            os.close(fd)  # drops the lock

    def _free_slot(self, raw: bytes, now: float, interval: float) -> float:
        """The stored slot if it is believable, else ``now``."""
        try:
            stored = float(raw.decode("ascii").strip())
        except (UnicodeDecodeError, ValueError):
            return now
        if not math.isfinite(stored) or stored > now + self.max_hold_s + max(interval, 1.0):
            return now
        return max(now, stored)

    def _open(self) -> int | None:
        """The file's descriptor (created 0600 in a 0700 folder), never through a symlink."""
        if not CAN_SHARE:
            return None
        folder = self.path.parent
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as error:
            log.warning("rate-limit folder %s unusable (%s)", folder, error)
            return None
        try:
            flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
            fd = os.open(self.path.name, flags, 0o600, dir_fd=dir_fd)
        except OSError as error:
            log.warning("rate-limit slot file %s unusable (%s)", self.path, error)
            return None
        finally:
            os.close(dir_fd)
        try:
            os.fchmod(fd, 0o600)
        except OSError:
            os.close(fd)
            return None
        return fd


class RateLimiter:
    """Spaces callers ``1 / rate`` seconds apart; with ``slots``, across processes too."""

    def __init__(
        self,
        rate_per_s: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        slots: SlotFile | None = None,
    ) -> None:
        if not rate_per_s > 0:
            raise ValueError("rate_per_s must be positive")
        self.interval = 1.0 / rate_per_s
        self._clock, self._sleep, self.slots = clock, sleep, slots
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
            slot = self.slots.reserve(now, self.interval) if self.slots else None
            if slot is None:  # no usable shared file: this process's own slots
                slot = max(now, self._next)
            # Kept either way, so a file that turns unusable still leaves the calls spaced.
            self._next = max(self._next, slot + self.interval)
        if slot > now:
            self._sleep(slot - now)

    def hold(self, seconds: float) -> None:
        """No slot starts earlier than ``seconds`` from now."""
        with self._lock:
            now = self._clock()
            if self.slots:
                self.slots.hold(now, seconds)
            self._next = max(self._next, now + seconds)


_SHARED: dict[tuple[str, str | None], RateLimiter] = {}
_SHARED_LOCK = threading.Lock()


def shared_limiter(
    service_root: str, rate_per_s: float, data_dir: str | Path | None = None
) -> RateLimiter:
    """The process's limiter for ``service_root``, set to ``rate_per_s``.

    One per service root (and data folder), whatever the number of clients: the configured
    rate is a property of the service. A client created with another rate changes it for
    all. With ``data_dir`` (and where the system allows it), the slots are shared with
    every other process using that folder, on the wall clock.
    """
    root = service_root.rstrip("/")
    folder = str(Path(data_dir).resolve()) if data_dir is not None and CAN_SHARE else None
    with _SHARED_LOCK:
        limiter = _SHARED.get((root, folder))
        if limiter is None:
            if folder is None:
                limiter = RateLimiter(rate_per_s)
            else:
                limiter = RateLimiter(
                    rate_per_s, clock=time.time, slots=SlotFile.for_service(folder, root)
                )
            _SHARED[(root, folder)] = limiter
        elif limiter.rate_per_s != rate_per_s:
            limiter.set_rate(rate_per_s)
        return limiter

"""Stopping a background job: the user's Cancel button, or the time bound.

A job's work (an import, a restore, a re-count) reports progress often through a callback;
the runner checks its ``JobControl`` there and raises ``JobStopped``. The exception unwinds
through the work, so exactly the unit being written is undone, as after any failure: the
file being imported (its savepoint, and any slices of it already committed), the whole
restore, a re-count's staged dates. What an import finished before (whole files) stays.

A Cancel pressed in another process (the server's button for an ``mtm enrich`` run) cannot
reach the job's ``JobControl``; it leaves a stop request in the job's upload folder
(``uploads.request_stop``), which ``check`` looks for at most every ``STOP_LOOK_EVERY_S``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

#: How often ``check`` looks for a stop request from another process (a file's existence).
STOP_LOOK_EVERY_S = 0.25


class JobStopped(Exception):
    """The job was cancelled or ran out of time; ``message`` says which, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobControl:
    """One job's stop signals: ``cancel()`` from any thread, a deadline, and (with
    ``stop_requested``) a stop asked for by another process.

    ``clock`` is ``time.monotonic`` except in tests.
    """

    def __init__(
        self,
        max_seconds: float,
        clock: Callable[[], float] = time.monotonic,
        stop_requested: Callable[[], bool] | None = None,
    ) -> None:
        self.max_seconds = max_seconds
        self._clock = clock
        self._deadline = clock() + max_seconds
        self._cancelled = threading.Event()
        self._stop_requested = stop_requested
        self._look_at = float("-inf")

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise ``JobStopped`` if the job should stop now."""
        if self._cancelled.is_set():
            raise JobStopped("Cancelled.")
        now = self._clock()
        if self._stop_requested is not None and now >= self._look_at:
            self._look_at = now + STOP_LOOK_EVERY_S
            if self._stop_requested():
                self._cancelled.set()
                raise JobStopped("Cancelled.")
        if now > self._deadline:
            raise JobStopped(
                f"Stopped: took longer than {self.max_seconds:g} seconds (MTM_JOB_MAX_SECONDS)."
            )

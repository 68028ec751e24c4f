"""Stopping a background job: the user's Cancel button, or the time bound.

A job's work (an import, a restore, a re-count) reports progress often through a callback;
the runner checks its ``JobControl`` there and raises ``JobStopped``. The exception unwinds
through the work, so exactly the unit being written is undone, as after any failure: the
file being imported (its savepoint, and any slices of it already committed), the whole
restore, a re-count's staged dates. What an import finished before (whole files) stays.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class JobStopped(Exception):
    """The job was cancelled or ran out of time; ``message`` says which, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobControl:
    """One job's stop signals: ``cancel()`` from any thread, and a deadline.

    ``clock`` is ``time.monotonic`` except in tests.
    """

    def __init__(self, max_seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_seconds = max_seconds
        self._clock = clock
        self._deadline = clock() + max_seconds
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise ``JobStopped`` if the job should stop now."""
        if self._cancelled.is_set():
            raise JobStopped("Cancelled.")
        if self._clock() > self._deadline:
            raise JobStopped(
                f"Stopped: took longer than {self.max_seconds:g} seconds (MTM_JOB_MAX_SECONDS)."
            )

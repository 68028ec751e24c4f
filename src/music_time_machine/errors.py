"""The base of every error from an outside service: a message, an HTTP status, a ``cause`` word.

``cause`` lets a job or a page explain a failure in plain words (``web/sync_status.py``)
without parsing messages; each subclass names its usual cause as a class attribute and a
raiser may override it per instance (``timeout``, ``unreachable``...).
"""

from __future__ import annotations


class ServiceError(Exception):
    """A failed call to an outside service (Spotify, MusicBrainz, the Cover Art Archive)."""

    cause = "refused"

    def __init__(self, message: str, status: int | None = None, cause: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        if cause is not None:
            self.cause = cause

"""What the metadata clients raise: one exception family, each with a ``cause`` word.

Like ``spotify.client.SpotifyError`` (both are ``errors.ServiceError``), ``cause`` lets a
job or a page explain the failure without parsing messages. "Not found" is not an error:
lookups return ``None`` instead.
"""

from __future__ import annotations

from ..errors import ServiceError


class MetadataError(ServiceError):
    """A failed call to MusicBrainz or the Cover Art Archive."""

    cause = "refused"  # a 4xx other than 404 and 503 (bad request, blocked user agent)


class RateLimited(MetadataError):
    """503 after every retry, or a ``Retry-After`` longer than the client will wait:
    the caller should pause for ``retry_after`` seconds and try again later."""

    cause = "rate_limited"

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message, 503)
        self.retry_after = retry_after


class Unavailable(MetadataError):
    """5xx, time-outs or connection errors after every retry; ``cause`` is
    ``server_error``, ``timeout`` or ``unreachable``."""

    cause = "server_error"


class BadResponse(MetadataError):
    """The service answered something that is not the documented JSON."""

    cause = "bad_response"


class ImageRejected(MetadataError):
    """A download was refused: ``too_large`` or ``not_an_image``."""

    cause = "not_an_image"

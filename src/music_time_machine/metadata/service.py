"""The retry policy both metadata clients share: one GET, retried the way the services ask.

- 503 (MusicBrainz: "too fast"; both: overloaded) and 429: wait ``Retry-After`` seconds (or
  back off exponentially without one), holding the shared rate limiter so that every thread
  waits too, then retry; a ``Retry-After`` longer than ``max_retry_after_s``, or 503 on the
  last attempt, raises ``RateLimited`` so a background job can pause instead of blocking.
- other 5xx, time-outs, connection errors: back off and retry, then ``Unavailable``.
- 404: ``None`` (not found is an answer, not a failure); other 4xx: ``MetadataError``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import requests

from .errors import MetadataError, RateLimited, Unavailable
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)


def retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class ServiceSession:
    """GETs to one service with a User-Agent, a time-out, a rate limiter and the policy above."""

    def __init__(
        self,
        name: str,
        user_agent: str,
        timeout: float,
        *,
        limiter: RateLimiter | None = None,
        max_attempts: int = 4,
        backoff_s: float = 1.0,
        max_retry_after_s: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not user_agent.strip():
            raise ValueError("a User-Agent naming the application is required")
        self.name, self.timeout, self.limiter = name, timeout, limiter
        self.max_attempts, self.backoff_s = max_attempts, backoff_s
        self.max_retry_after_s, self.sleep = max_retry_after_s, sleep
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent

    def get(
        self,
        url: str,
        params: Mapping[str, Any] | list[tuple[str, str]] | None = None,
        *,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
    ) -> requests.Response | None:
        """The response (2xx), or None for 404; raises ``MetadataError`` otherwise."""
        attempt = 0
        while True:
            attempt += 1
            last = attempt >= self.max_attempts
            if self.limiter is not None:
                self.limiter.acquire()
            try:
                response = self._session.get(
                    url, params=params, headers=headers, timeout=self.timeout, stream=stream
                )
            except (requests.Timeout, requests.ConnectionError) as error:
                cause = "timeout" if isinstance(error, requests.Timeout) else "unreachable"
                if last:
                    raise Unavailable(
                        f"{self.name} did not answer ({cause}, {attempt} attempts)", cause=cause
                    ) from None
                self._wait(self._backoff(attempt), f"{cause}")
                continue
            status = response.status_code
            if status < 300:
                return response
            detail = "" if stream else _error_text(response)
            response.close()
            if status == 404:
                return None
            if status in (429, 503):
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                wait = asked if asked is not None else self._backoff(attempt)
                if last or wait > self.max_retry_after_s:
                    raise RateLimited(
                        f"{self.name} answered {status}: wait {wait:g} s and try again", wait
                    )
                if self.limiter is not None:
                    self.limiter.hold(wait)
                self._wait(wait, f"HTTP {status}")
                continue
            if status >= 500:
                if last:
                    raise Unavailable(f"{self.name} answered {status} {attempt} times", status)
                self._wait(self._backoff(attempt), f"HTTP {status}")
                continue
            raise MetadataError(f"{self.name} refused the request ({status}): {detail}", status)

    def _backoff(self, attempt: int) -> float:
        return self.backoff_s * 2 ** (attempt - 1)

    def _wait(self, seconds: float, why: str) -> None:
        log.info("%s: %s; retrying in %.1f s", self.name, why, seconds)
        self.sleep(seconds)


def _error_text(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.reason or ""
    return str(body.get("error", "")) if isinstance(body, dict) else ""

"""Fault injection: make chosen requests fail, stall or misbehave the way Spotify sometimes does.

Rules match on a path prefix (and optionally a method) and fire ``times`` times, or until
cleared when ``times`` is null. A stalled request waits on an event that clearing the faults or
stopping the server sets, so a test never leaves a thread sleeping behind it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

DEFAULT_MESSAGES = {
    400: "Bad request",
    401: "The access token expired",
    403: "Forbidden",
    404: "Service not found",
    429: "API rate limit exceeded",
    500: "Server error.",
    502: "Bad gateway.",
    503: "Service unavailable",
    504: "Gateway timeout",
}


@dataclass
class FaultRule:
    path_prefix: str = "/"
    method: str | None = None
    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    delay: float | None = None
    times: int | None = 1

    def matches(self, method: str, path: str) -> bool:
        if self.method and self.method.upper() != method.upper():
            return False
        return path.startswith(self.path_prefix)

    def to_json(self) -> dict:
        return asdict(self)


def rule_from_json(body: dict) -> FaultRule:
    """Build a rule from the control endpoint's JSON; ``times`` defaults to 1, null = forever."""
    status = body.get("status")
    if status is not None and not (isinstance(status, int) and 400 <= status <= 599):
        raise ValueError("status must be an integer between 400 and 599")
    delay = body.get("delay")
    if delay is not None and (not isinstance(delay, int | float) or delay < 0):
        raise ValueError("delay must be a non-negative number of seconds")
    if status is None and delay is None:
        raise ValueError("a fault needs a status, a delay, or both")
    times = body.get("times", 1)
    if times is not None and (not isinstance(times, int) or times < 1):
        raise ValueError("times must be a positive integer or null")
    retry_after = body.get("retry_after")
    if retry_after is None and status == 429:
        retry_after = 1
    return FaultRule(
        path_prefix=body.get("path_prefix") or "/",
        method=body.get("method"),
        status=status,
        message=body.get("message"),
        retry_after=retry_after,
        delay=delay,
        times=times,
    )


class FaultInjector:
    """The active rules; thread-safe on its own so the request hook need not take the state lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self.wake = threading.Event()

    def add(self, rule: FaultRule) -> None:
        with self._lock:
            self._rules.append(rule)
            self.wake.clear()

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()
            self.wake.set()

    def rules(self) -> list[FaultRule]:
        with self._lock:
            return list(self._rules)

    def take(self, method: str, path: str) -> FaultRule | None:
        """The first rule matching this request, counting one use of it."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(method, path):
                    if rule.times is not None:
                        rule.times -= 1
                        if rule.times <= 0:
                            self._rules.remove(rule)
                    return rule
        return None

    def stall(self, seconds: float) -> None:
        self.wake.wait(seconds)

    def due(
        self, method: str, path: str, on_use: Callable[[], None] | None = None
    ) -> FaultRule | None:
        """What every fake's request hook does with the rules: use up the first rule that
        matches (telling ``on_use``), serve its delay here, and return it if it answers
        with a status; None lets the request be answered as usual."""
        rule = self.take(method, path)
        if rule is None:
            return None
        if on_use is not None:
            on_use()
        if rule.delay:
            self.stall(rule.delay)
        return rule if rule.status is not None else None

"""The counting rules, defined once: what a play is, and when two rows are the same stream.

Every importer, the sync, the rollups and the stats import from here, so changing a rule
changes it everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Spotify's own stream threshold: a stream of at least 30 s counts as a play.
DEFAULT_PLAY_MIN_MS = 30_000

#: Reconciliation windows (milliseconds). Two rows for the same track describe one stream
#: when their end times differ by at most this much:
#: - the Web API's ``played_at`` and the extended export's ``ts`` for the same stream differ
#:   by clock skew and rounding (seconds, not minutes);
#: - the account-data export truncates the end time to the minute, so its row lies up to
#:   59.999 s *before* the real end.
API_EXPORT_WINDOW_MS = 15_000
MINUTE_TRUNCATION_MS = 60_000

PLAY_RULES = ("min_ms", "finished")


@dataclass(frozen=True)
class PlayRule:
    """A user's play rule: ``min_ms`` (a stream of at least ``min_ms``) or ``finished``.

    ``finished`` counts streams that ended because the track was done (``reason_end =
    'trackdone'``); rows that carry no reason (account data, the Web API) count when they
    cover at least 90 % of the track's length, or ``min_ms`` when the length is unknown.
    """

    kind: str = "min_ms"
    min_ms: int = DEFAULT_PLAY_MIN_MS

    def __post_init__(self) -> None:
        if self.kind not in PLAY_RULES:
            raise ValueError(f"unknown play rule {self.kind!r}")
        if self.min_ms < 0:
            raise ValueError("min_ms must not be negative")

    def sql(self, plays: str = "p", tracks: str = "t") -> tuple[str, tuple[int, ...]]:
        """SQL expression (1/0) telling whether a row of ``plays`` is a counted play.

        The ``finished`` rule needs ``tracks`` joined for the track length.
        """
        if self.kind == "min_ms":
            return f"({plays}.ms_played >= ?)", (self.min_ms,)
        return (
            f"(CASE WHEN {plays}.reason_end IS NOT NULL THEN {plays}.reason_end = 'trackdone' "
            f"WHEN {tracks}.duration_ms IS NOT NULL "
            f"THEN {plays}.ms_played >= {tracks}.duration_ms * 0.9 "
            f"ELSE {plays}.ms_played >= ? END)",
            (self.min_ms,),
        )

    def counts(
        self, ms_played: int, reason_end: str | None = None, duration_ms: int | None = None
    ) -> bool:
        """The same rule in Python, for reports and tests."""
        if self.kind == "min_ms":
            return ms_played >= self.min_ms
        if reason_end is not None:
            return reason_end == "trackdone"
        if duration_ms is not None:
            return ms_played >= duration_ms * 0.9
        return ms_played >= self.min_ms

    def describe(self) -> str:
        if self.kind == "finished":
            return "finished tracks only"
        return f"streams of at least {self.min_ms / 1000:g} s"

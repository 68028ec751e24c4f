"""The story of one artist, track or album told from its days (db/explore.py ``DayRow``):
totals over a range, plays per month, the longest run of days and the longest silence.

Only days with a counted play take part in streaks and gaps; minutes include every
stream, as everywhere else (db/stats.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from .db.explore import DayRow
from .db.stats import period_labels
from .durations import hours, minutes


def totals(days: Sequence[DayRow], start: date | None = None, end: date | None = None) -> dict:
    """Plays, minutes and hours between two dates (inclusive; None = unbounded)."""
    chosen = [
        d for d in days if (start is None or d.day >= start) and (end is None or d.day <= end)
    ]
    ms = sum(d.ms_played for d in chosen)
    return {"plays": sum(d.plays for d in chosen), "minutes": minutes(ms), "hours": hours(ms)}


def played_days(days: Sequence[DayRow]) -> list[date]:
    return [d.day for d in days if d.plays > 0]


def per_month(days: Sequence[DayRow], through: date) -> list[dict]:
    """Plays and minutes in every month from the first counted play to ``through``'s month,
    empty months as zeros: the line "since you discovered it"."""
    played = played_days(days)
    if not played:
        return []
    series = {
        label: [0, 0] for label in period_labels(played[0], max(through, played[-1]), "month")
    }
    for d in days:
        slot = series.get(d.day.isoformat()[:7])
        if slot is not None:
            slot[0] += d.plays
            slot[1] += d.ms_played
    return [{"month": m, "plays": p, "minutes": minutes(ms)} for m, (p, ms) in series.items()]


def weekdays(days: Sequence[DayRow]) -> list[int]:
    """Counted plays per local weekday, Monday first."""
    counts = [0] * 7
    for d in days:
        counts[d.day.weekday()] += d.plays
    return counts


def longest_streak(days: Sequence[DayRow]) -> dict | None:
    """The longest run of consecutive days with a counted play (the earliest of equal runs):
    {"days", "start", "end"}, or None without a play."""
    played = played_days(days)
    if not played:
        return None
    best = (1, played[0], played[0])
    run_start = played[0]
    for before, day in zip(played, played[1:], strict=False):
        if day - before != timedelta(days=1):
            run_start = day
        length = (day - run_start).days + 1
        if length > best[0]:
            best = (length, run_start, day)
    return {"days": best[0], "start": best[1].isoformat(), "end": best[2].isoformat()}


def longest_gap(days: Sequence[DayRow]) -> dict | None:
    """The longest silence between two days with a counted play (the earliest of equal
    ones): {"days" (days without a play in between), "after", "before"}; None with fewer
    than two such days or none between them."""
    played = played_days(days)
    best = None
    for before, day in zip(played, played[1:], strict=False):
        silent = (day - before).days - 1
        if silent > 0 and (best is None or silent > best["days"]):
            best = {"days": silent, "after": before.isoformat(), "before": day.isoformat()}
    return best

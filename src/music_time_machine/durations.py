"""Time listened, from milliseconds to what pages and the API show: one rounding rule.

Every total is kept in milliseconds; minutes (Analytics, the stats API) and hours (Home,
Settings) are rounded to one decimal here and nowhere else. The browser scripts receive
these numbers ready and never convert milliseconds themselves.
"""

from __future__ import annotations

MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000


def minutes(ms: int) -> float:
    """Minutes listened, to one decimal."""
    return round(ms / MS_PER_MINUTE, 1)


def hours(ms: int) -> float:
    """Hours listened, to one decimal."""
    return round(ms / MS_PER_HOUR, 1)

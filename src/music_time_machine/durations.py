"""Time listened, from milliseconds to what pages and the API show: one rounding rule and
one way of writing it.

Every total is kept in milliseconds; minutes (Analytics, the stats API) and hours (Home,
Settings) are rounded to one decimal here and nowhere else. What a person reads is written
by ``duration`` and ``duration_days`` (template filters of the same names) and by their twin
in ``static/js/format.js``: "2 h 47 min", "1,334 h", "55 days 14 h", never "80,048 minutes"
or "1334.1". Chart periods ('2025-12-08', '2025-12') are written by ``period_label`` (the
template filter ``period``), as the charts' axes write them: "8 Dec", "Dec 2025".
``tests/browser/test_charts_read_browser.py`` checks that both sides give the same text.
"""

from __future__ import annotations

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MS_PER_MINUTE = 60_000
MS_PER_HOUR = 3_600_000
#: Below this many hours a total keeps its minutes ("47 h 5 min"); from it, hours only.
HOURS_ONLY_FROM = 48


def minutes(ms: int) -> float:
    """Minutes listened, to one decimal."""
    return round(ms / MS_PER_MINUTE, 1)


def hours(ms: int) -> float:
    """Hours listened, to one decimal."""
    return round(ms / MS_PER_HOUR, 1)


def thousands(n: float) -> str:
    """A whole number with thousands separators: 80048 -> '80,048'."""
    return f"{round(n):,}"


def duration(total_minutes: float | None) -> str:
    """Time listened as people say it: '0 min', '47 min', '2 h 47 min', '3 h', '1,334 h'.

    Minutes are dropped from two days on: at that size they are noise.
    """
    whole = max(0, round(total_minutes or 0))
    h, m = divmod(whole, 60)
    if h == 0:
        return f"{m} min"
    if h >= HOURS_ONLY_FROM:
        return f"{thousands(whole / 60)} h"
    return f"{h} h {m} min" if m else f"{h} h"


def duration_days(total_minutes: float | None) -> str:
    """The same time in days and hours when it is a day or more ('55 days 14 h'), the
    sub-line under a total in hours; shorter times read as ``duration``."""
    whole = max(0, round(total_minutes or 0))
    days, rest = divmod(whole, 24 * 60)
    if days == 0:
        return duration(whole)
    h = round(rest / 60)
    if h == 24:
        days, h = days + 1, 0
    unit = "day" if days == 1 else "days"
    return f"{thousands(days)} {unit} {h} h" if h else f"{thousands(days)} {unit}"


def period_label(period: str | None, with_year: bool = False) -> str:
    """A period as the stats name it, in a person's words: a month '2025-12' as 'Dec 2025',
    a day or week '2025-12-08' as '8 Dec' ('8 Dec 2025' with ``with_year``). The twin of
    ``periodLabel`` in static/js/format.js; anything else is returned as it is."""
    parts = (period or "").split("-")
    if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
        return period or ""
    if not 1 <= int(parts[1]) <= 12:
        return period or ""
    month = MONTHS[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    day = f"{int(parts[2])} {month}"
    return f"{day} {parts[0]}" if with_year else day

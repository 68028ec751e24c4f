"""Date ranges for charts and the stats API, parsed and validated in one place.

Every range is a pair of *local* dates in the user's time zone, inclusive at both ends.
Query strings choose one with ``range`` (a preset or a year) or with ``start``/``end``;
whatever the source, the result is a :class:`DateRange` with the range of equal length
just before it (for "change against the previous period") and a sensible chart bucket.

Anything a user or a script can type is checked here, so that views only translate a
:class:`RangeError` into a 400 that names the offending parameter. Every range this module
returns lies between ``MIN_YEAR`` and ``MAX_YEARS_AHEAD`` years from now, so the date
arithmetic behind it (the previous period, a bucket's end) never leaves ``datetime``'s
years 1-9999, and "all time" stays answerable even if a database holds a play dated year 1
(older versions stored such rows).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

#: Presets offered on the page, in display order, with their labels.
PRESETS: dict[str, str] = {
    "7d": "7 days",
    "30d": "30 days",
    "90d": "90 days",
    "6m": "6 months",
    "12m": "12 months",
    "ytd": "Year to date",
    "all": "All time",
}
DEFAULT_RANGE = "12m"
BUCKETS = ("day", "week", "month")
MAX_SPAN_DAYS = 100 * 366
#: Daily buckets beyond this many points would make an unreadable chart and a huge answer.
MAX_DAILY_POINTS = 3 * 366
MIN_YEAR = 1900
#: Custom ranges may reach this many years past the current one (a chart of "this year and
#: next" is fine); far beyond, date arithmetic would leave the years ``date`` can hold.
MAX_YEARS_AHEAD = 10
LIMIT_DEFAULT, LIMIT_MAX = 10, 100
#: How full top lists may be sorted: by plays (ties by minutes) or by time listened.
SORTS = ("plays", "time")
#: Pages beyond any list a user can have (a million tracks at LIMIT_MAX a page is 10 000).
PAGE_MAX = 100_000

#: ASCII digits only: ``\d`` would also accept other scripts' digits.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_YEAR = re.compile(r"[0-9]{4}")
_LIMIT = re.compile(r"[0-9]{1,3}")
_PAGE = re.compile(r"[0-9]{1,6}")


class RangeError(ValueError):
    """Invalid query input; ``param`` names the parameter the message is about."""

    def __init__(self, param: str, message: str) -> None:
        super().__init__(f"{param}: {message}")
        self.param = param


@dataclass(frozen=True)
class DateRange:
    """Inclusive local dates; ``key`` is the preset or year it came from, '' when custom."""

    start: date
    end: date
    key: str = ""

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> DateRange:
        """The range of equal length that ends the day before this one starts."""
        end = self.start - timedelta(days=1)
        return DateRange(end - timedelta(days=self.days - 1), end)

    def default_bucket(self) -> str:
        """Days up to three months, weeks up to two years, months beyond."""
        if self.days <= 92:
            return "day"
        if self.days <= 731:
            return "week"
        return "month"

    def describe(self) -> str:
        if self.key in PRESETS:
            return PRESETS[self.key]
        return self.key or "Custom range"

    def query(self) -> dict[str, str]:
        """The query-string form that reproduces this range (for links and the API)."""
        if self.key:
            return {"range": self.key}
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


def parse_range(args: Mapping[str, str], today: date, first_day: date | None) -> DateRange:
    """The range a query string asks for; ``first_day`` (first local day of listening)
    anchors ``all``. Empty values count as absent, so an unfilled form means the default.
    """
    key = (args.get("range") or "").strip()
    start_text = (args.get("start") or "").strip()
    end_text = (args.get("end") or "").strip()
    if key and (start_text or end_text):
        raise RangeError("range", "give either range or start/end, not both")
    if start_text or end_text:
        return _custom(start_text, end_text, today)
    return _preset(key or DEFAULT_RANGE, today, first_day)


def _preset(key: str, today: date, first_day: date | None) -> DateRange:
    if len(key) > 8:
        raise RangeError("range", "unknown range; use 7d, 30d, 90d, 6m, 12m, ytd, all or a year")
    if key.endswith("d") and key[:-1] in ("7", "30", "90"):
        return DateRange(today - timedelta(days=int(key[:-1]) - 1), today, key)
    if key in ("6m", "12m"):
        return DateRange(add_months(today, -int(key[:-1])) + timedelta(days=1), today, key)
    if key == "ytd":
        return DateRange(date(today.year, 1, 1), today, key)
    if key == "all":
        earliest = date(MIN_YEAR, 1, 1)
        return DateRange(max(min(first_day or today, today), earliest), today, key)
    if _YEAR.fullmatch(key):
        year = int(key)
        if not MIN_YEAR <= year <= today.year:
            raise RangeError("range", f"year must be between {MIN_YEAR} and {today.year}")
        return DateRange(date(year, 1, 1), min(date(year, 12, 31), today), key)
    raise RangeError("range", "unknown range; use 7d, 30d, 90d, 6m, 12m, ytd, all or a year")


def _custom(start_text: str, end_text: str, today: date) -> DateRange:
    if not start_text:
        raise RangeError("start", "required when end is given (YYYY-MM-DD)")
    start = parse_date("start", start_text)
    end = parse_date("end", end_text) if end_text else today
    latest = date(today.year + MAX_YEARS_AHEAD, 12, 31)
    for param, value in (("start", start), ("end", end)):
        if value > latest:
            raise RangeError(param, f"must be in {latest.year} or earlier")
    if start > end:
        raise RangeError("start", f"must not be after end ({end.isoformat()})")
    if (end - start).days + 1 > MAX_SPAN_DAYS:
        raise RangeError("start", "the range must not be longer than 100 years")
    return DateRange(start, end)


def parse_date(param: str, text: str) -> date:
    """A strict ISO date (YYYY-MM-DD) from year MIN_YEAR on."""
    if len(text) > 10 or not _ISO_DATE.fullmatch(text):
        raise RangeError(param, "must be a date written YYYY-MM-DD")
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise RangeError(param, f"{text} is not a calendar date") from None
    if value.year < MIN_YEAR:
        raise RangeError(param, f"must be in {MIN_YEAR} or later")
    return value


def partial_edges(span: DateRange, bucket: str, today: date) -> dict[str, bool]:
    """Whether the first and last bucket of ``span`` hold less than a whole period: a week
    or month cut by the range's ends, or the last one still going on today. Charts draw
    those as partial ("so far") instead of as a drop that did not happen."""
    if bucket == "day":
        return {"partial_first": False, "partial_last": span.end >= today}
    if bucket == "week":
        first_start = span.start - timedelta(days=span.start.weekday())
        last_end = span.end + timedelta(days=6 - span.end.weekday())
    else:
        first_start, last_end = month_start(span.start), month_end(span.end)
    return {
        "partial_first": first_start < span.start,
        "partial_last": last_end > span.end or span.end >= today,
    }


def parse_bucket(value: str | None, span: DateRange) -> str:
    """``day``, ``week`` or ``month``; absent → chosen from the range length."""
    if not value:
        return span.default_bucket()
    if value not in BUCKETS:
        raise RangeError("bucket", "must be day, week or month")
    if value == "day" and span.days > MAX_DAILY_POINTS:
        raise RangeError(
            "bucket", f"day buckets are limited to {MAX_DAILY_POINTS} days; use week or month"
        )
    return value


def parse_limit(value: str | None) -> int:
    """How many items a top list returns: 1..LIMIT_MAX, LIMIT_DEFAULT when absent."""
    if value is None or value == "":
        return LIMIT_DEFAULT
    if not _LIMIT.fullmatch(value) or not 1 <= int(value) <= LIMIT_MAX:
        raise RangeError("limit", f"must be a whole number from 1 to {LIMIT_MAX}")
    return int(value)


def parse_page(value: str | None) -> int:
    """Which page of a full list: 1..PAGE_MAX, 1 when absent."""
    if value is None or value == "":
        return 1
    if not _PAGE.fullmatch(value) or not 1 <= int(value) <= PAGE_MAX:
        raise RangeError("page", f"must be a whole number from 1 to {PAGE_MAX}")
    return int(value)


def parse_sort(value: str | None) -> str:
    """``plays`` or ``time``; plays when absent."""
    if value is None or value == "":
        return SORTS[0]
    if value not in SORTS:
        raise RangeError("sort", "must be plays or time")
    return value


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    following = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (following - timedelta(days=1)).day))


def month_start(day: date) -> date:
    return day.replace(day=1)


def month_end(day: date) -> date:
    return add_months(month_start(day), 1) - timedelta(days=1)

"""Local dates and hours in a user's IANA time zone, with the offset in force on each date.

Converting a million timestamps through ``zoneinfo`` one by one is slow, so offsets are
cached per UTC day (a few thousand zone lookups for years of plays) and, on a day with one
of the zone's transitions, per 15-minute UTC slot (every modern zone changes offset on a
quarter hour).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_SLOT_S = 900
_DAY_S = 86_400
_EPOCH = date(1970, 1, 1)
_UNSEEN = object()


def is_valid_timezone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def timezone_names() -> list[str]:
    """Sorted IANA names for the settings form."""
    return sorted(n for n in available_timezones() if "/" in n or n == "UTC")


class LocalClock:
    """Maps UTC epoch milliseconds to (local date string, local hour) in one zone."""

    def __init__(self, tz_name: str) -> None:
        self.tz = ZoneInfo(tz_name)
        self._day_offsets: dict[int, int | None] = {}  # None: a transition that UTC day
        self._offsets: dict[int, int] = {}  # per slot, on transition days
        self._dates: dict[int, str] = {}

    def offset_s(self, epoch_s: int) -> int:
        day = epoch_s // _DAY_S
        off = self._day_offsets.get(day, _UNSEEN)
        if off is _UNSEEN:
            # The same offset at the day's first and last second: no transition that day
            # (no zone changes its offset and back within one day).
            first = self._offset_at(day * _DAY_S)
            off = first if first == self._offset_at(day * _DAY_S + _DAY_S - 1) else None
            self._day_offsets[day] = off
        if off is not None:
            return off
        slot = epoch_s // _SLOT_S
        off = self._offsets.get(slot)
        if off is None:
            off = self._offset_at(slot * _SLOT_S)
            if off != self._offset_at(slot * _SLOT_S + _SLOT_S - 1):
                return self._offset_at(epoch_s)  # a transition inside this slot: exact
            self._offsets[slot] = off
        return off

    def _offset_at(self, epoch_s: int) -> int:
        return int(datetime.fromtimestamp(epoch_s, self.tz).utcoffset().total_seconds())

    def local(self, epoch_ms: int) -> tuple[str, int]:
        epoch_s = epoch_ms // 1000
        local_s = epoch_s + self.offset_s(epoch_s)
        day_number, second_of_day = divmod(local_s, 86400)
        day = self._dates.get(day_number)
        if day is None:
            day = (_EPOCH + timedelta(days=day_number)).isoformat()
            self._dates[day_number] = day
        return day, second_of_day // 3600

    def today(self) -> date:
        return datetime.now(self.tz).date()

    def day_start_ms(self, day: date) -> int:
        """UTC epoch ms of local midnight starting ``day`` (DST-correct)."""
        return int(datetime(day.year, day.month, day.day, tzinfo=self.tz).timestamp() * 1000)


def utc_ms(dt: datetime) -> int:
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def parse_iso_utc_ms(text: str) -> int:
    """Parse Spotify's ISO-8601 UTC timestamps ('2023-01-02T03:04:05Z', with optional .mmm)."""
    return utc_ms(datetime.fromisoformat(text.replace("Z", "+00:00")))

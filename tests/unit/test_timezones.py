"""LocalClock against zoneinfo itself, through DST transitions: the cached offsets (per UTC
day, per 15-minute slot on transition days) must never change an answer."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from music_time_machine.timezones import LocalClock


def _expected(epoch_s: int, zone: ZoneInfo) -> tuple[str, int]:
    local = datetime.fromtimestamp(epoch_s, zone)
    return local.date().isoformat(), local.hour


@pytest.mark.parametrize(
    "name, around",
    [
        ("Europe/Berlin", "2024-03-31T01:00:00"),  # spring forward, 01:00 UTC
        ("Europe/Berlin", "2024-10-27T01:00:00"),  # fall back
        ("America/New_York", "2024-03-10T07:00:00"),
        ("America/New_York", "2024-11-03T06:00:00"),
        ("Australia/Lord_Howe", "2024-04-06T15:00:00"),  # a 30-minute shift
        ("Asia/Kathmandu", "2024-06-01T00:00:00"),  # +05:45, no DST
        ("UTC", "2024-01-01T00:00:00"),
    ],
)
def test_local_day_and_hour_match_zoneinfo_around_transitions(name: str, around: str) -> None:
    zone, clock = ZoneInfo(name), LocalClock(name)
    centre = int(datetime.fromisoformat(around).replace(tzinfo=UTC).timestamp())
    # Every 7 minutes and 13 seconds over two days either side, then again in reverse
    # order (answers must not depend on which times filled the caches first).
    times = list(range(centre - 2 * 86_400, centre + 2 * 86_400, 433))
    for epoch_s in times + times[::-1]:
        assert clock.local(epoch_s * 1000) == _expected(epoch_s, zone), epoch_s


def test_the_seconds_either_side_of_a_transition() -> None:
    clock, zone = LocalClock("Europe/Berlin"), ZoneInfo("Europe/Berlin")
    change = int(datetime(2024, 3, 31, 1, 0, tzinfo=UTC).timestamp())
    assert clock.local((change - 1) * 1000) == _expected(change - 1, zone) == ("2024-03-31", 1)
    assert clock.local(change * 1000) == _expected(change, zone) == ("2024-03-31", 3)

"""How time listened is written: one formatter for every page (its JS twin is checked
against these same cases in tests/browser/test_format_browser.py)."""

import pytest

from music_time_machine.durations import duration, duration_days, thousands

#: (minutes, duration, duration_days) — shared with the browser parity test.
CASES = [
    (0, "0 min", "0 min"),
    (None, "0 min", "0 min"),
    (0.4, "0 min", "0 min"),
    (47.2, "47 min", "47 min"),
    (60, "1 h", "1 h"),
    (167, "2 h 47 min", "2 h 47 min"),
    (1439.6, "24 h", "1 day"),
    (1500, "25 h", "1 day 1 h"),
    (2879, "47 h 59 min", "2 days"),
    (2880, "48 h", "2 days"),
    (80_048, "1,334 h", "55 days 14 h"),
    (3_000_000, "50,000 h", "2,083 days 8 h"),
]


@pytest.mark.parametrize(("minutes", "short", "days"), CASES)
def test_time_listened_reads_in_the_units_people_use(minutes, short, days):
    assert duration(minutes) == short
    assert duration_days(minutes) == days


def test_no_total_prints_raw_minutes_or_a_decimal():
    for minutes, *_ in CASES:
        text = duration(minutes) + duration_days(minutes)
        assert "." not in text
        assert "minutes" not in text


def test_thousands_separators():
    assert thousands(21211) == "21,211"
    assert thousands(999.6) == "1,000"
    assert thousands(0) == "0"

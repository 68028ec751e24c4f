"""How time listened is written: one formatter for every page (its JS twin is checked
against these same cases in tests/browser/test_format_browser.py)."""

import pytest
from duration_cases import CASES, PERIOD_CASES

from music_time_machine.durations import duration, duration_days, period_label, thousands


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


@pytest.mark.parametrize(("period", "with_year", "written"), PERIOD_CASES)
def test_chart_periods_read_in_words(period, with_year, written):
    assert period_label(period, with_year) == written


def test_a_period_that_is_not_one_is_left_as_it_is():
    assert period_label("all time") == "all time"
    assert period_label("2025-13") == "2025-13"
    assert period_label(None) == ""

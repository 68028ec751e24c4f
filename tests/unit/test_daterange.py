"""Date ranges from query strings: presets, years, custom dates and hostile input."""

from datetime import date

import pytest

from music_time_machine.daterange import (
    DateRange,
    RangeError,
    add_months,
    parse_bucket,
    parse_limit,
    parse_range,
    partial_edges,
)

TODAY = date(2024, 3, 31)
FIRST = date(2021, 6, 15)


def rng(**args):
    return parse_range(args, TODAY, FIRST)


@pytest.mark.parametrize(
    "key, start",
    [
        ("7d", date(2024, 3, 25)),
        ("30d", date(2024, 3, 2)),
        ("90d", date(2024, 1, 2)),
        ("6m", date(2023, 10, 1)),
        ("12m", date(2023, 4, 1)),
        ("ytd", date(2024, 1, 1)),
        ("all", FIRST),
    ],
)
def test_presets_end_today_and_include_both_ends(key, start):
    span = rng(range=key)
    assert (span.start, span.end, span.key) == (start, TODAY, key)


def test_default_is_twelve_months_and_empty_values_count_as_absent():
    assert rng() == rng(range="12m")
    assert rng(range="", start="", end="") == rng(range="12m")


def test_six_months_from_the_31st_clamps_to_the_month_end():
    span = parse_range({"range": "6m"}, date(2024, 8, 31), None)
    assert span.start == date(2024, 3, 1)  # 29 Feb + 1 day
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 3, 31), -13) == date(2023, 2, 28)


def test_a_year_is_its_calendar_year_and_this_year_ends_today():
    assert rng(range="2022") == DateRange(date(2022, 1, 1), date(2022, 12, 31), "2022")
    assert rng(range="2024").end == TODAY


def test_all_without_listening_is_just_today():
    assert parse_range({"range": "all"}, TODAY, None) == DateRange(TODAY, TODAY, "all")


def test_custom_dates_and_start_alone_runs_to_today():
    assert rng(start="2024-01-01", end="2024-01-31") == DateRange(
        date(2024, 1, 1), date(2024, 1, 31)
    )
    assert rng(start="2024-03-01").end == TODAY


def test_previous_range_has_equal_length_and_ends_the_day_before():
    span = rng(start="2024-03-01", end="2024-03-31")
    assert span.previous() == DateRange(date(2024, 1, 30), date(2024, 2, 29))
    assert span.previous().days == span.days == 31


@pytest.mark.parametrize(
    "days, bucket", [(1, "day"), (92, "day"), (93, "week"), (731, "week"), (732, "month")]
)
def test_default_bucket_follows_the_length(days, bucket):
    span = DateRange(date(2020, 1, 1), date.fromordinal(date(2020, 1, 1).toordinal() + days - 1))
    assert span.default_bucket() == bucket
    assert parse_bucket(None, span) == bucket


@pytest.mark.parametrize(
    "args, param",
    [
        ({"range": "5d"}, "range"),
        ({"range": "x" * 10_000}, "range"),
        ({"range": "0000"}, "range"),
        ({"range": "1899"}, "range"),
        ({"range": "2025"}, "range"),  # in the future
        ({"range": "99999999999999999999"}, "range"),
        ({"range": "12m", "start": "2024-01-01"}, "range"),
        ({"start": "2024-02-30"}, "start"),
        ({"start": "0000-01-01"}, "start"),
        ({"start": "1850-01-01"}, "start"),
        ({"start": "2024-1-1"}, "start"),
        ({"start": "２０２４-01-01"}, "start"),  # non-ASCII digits
        ({"start": "2024-01-01T00:00"}, "start"),
        ({"start": "garbage"}, "start"),
        ({"end": "2024-01-01"}, "start"),  # end without start
        ({"start": "2024-01-01", "end": "2023-12-31"}, "start"),
        ({"start": "1900-01-01", "end": "2024-01-01"}, "start"),  # longer than 100 years
        ({"start": "2024-01-01", "end": "99999-01-01"}, "end"),
        ({"start": "2024-01-01", "end": "2024-13-01"}, "end"),
    ],
)
def test_bad_input_names_the_parameter(args, param):
    with pytest.raises(RangeError) as info:
        rng(**args)
    assert info.value.param == param
    assert str(info.value).startswith(f"{param}: ")
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize("value", ["0", "101", "-1", "1e3", "ten", "99999999999999", "٣", " 5"])
def test_bad_limits(value):
    with pytest.raises(RangeError, match="^limit: "):
        parse_limit(value)


def test_limits():
    assert parse_limit(None) == 10
    assert parse_limit("1") == 1
    assert parse_limit("100") == 100


def test_bad_buckets():
    span = rng(range="all")
    with pytest.raises(RangeError, match="^bucket: "):
        parse_bucket("year", span)
    with pytest.raises(RangeError, match="^bucket: day buckets"):
        parse_bucket("day", DateRange(date(1950, 1, 1), TODAY))
    assert parse_bucket("week", span) == "week"


def test_all_time_and_far_dates_stay_inside_what_dates_can_hold():
    """A year-1 first day (stored by older versions) and year 9999 are a range or a 400,
    never an OverflowError further on."""
    from datetime import date

    from music_time_machine.daterange import RangeError, parse_range

    today = date(2025, 6, 1)
    span = parse_range({"range": "all"}, today, date(1, 1, 1))
    assert span.start == date(1900, 1, 1) and span.previous().start.year == 1774
    for args in (
        {"start": "9999-12-01", "end": "9999-12-31"},
        {"start": "2036-01-01"},
        {"start": "2024-01-01", "end": "2036-01-01"},
    ):
        try:
            parse_range(args, today, None)
        except RangeError as error:
            assert "2035 or earlier" in str(error)
        else:
            raise AssertionError(args)
    assert parse_range({"start": "2035-12-31", "end": "2035-12-31"}, today, None).days == 1


@pytest.mark.parametrize(
    ("start", "end", "bucket", "first", "last"),
    [
        # A range ending today: its last bucket is still going on, whatever the bucket.
        (date(2024, 3, 2), TODAY, "day", False, True),
        (date(2023, 4, 1), TODAY, "month", False, True),
        # Weeks cut by both ends (2024-03-06 is a Wednesday, 2024-03-23 a Saturday).
        (date(2024, 3, 6), date(2024, 3, 23), "week", True, True),
        # Whole Monday-to-Sunday weeks and whole months in the past: nothing partial.
        (date(2024, 3, 4), date(2024, 3, 24), "week", False, False),
        (date(2023, 1, 1), date(2023, 12, 31), "month", False, False),
        (date(2023, 1, 15), date(2023, 12, 31), "month", True, False),
        (date(2023, 1, 1), date(2023, 12, 30), "day", False, False),
    ],
)
def test_partial_edges_mark_buckets_that_hold_less_than_a_whole_period(
    start, end, bucket, first, last
):
    assert partial_edges(DateRange(start, end), bucket, TODAY) == {
        "partial_first": first,
        "partial_last": last,
    }

"""The form's choices: defaults, limits, the default name and the trimmed name."""

from datetime import date

from music_time_machine.playlists.options import default_name, parse_options

TODAY = date(2026, 3, 15)


def test_defaults_are_thirty_private_tracks_with_a_dated_name():
    options, errors = parse_options({"source": "forgotten_gems"}, TODAY)
    assert errors == {}
    assert (options.size, options.public, options.per_artist) == (30, False, 2)
    assert default_name(options, TODAY) == "Forgotten gems — March 2026"


def test_size_must_be_between_10_and_100():
    for size in ("9", "101", "many"):
        options, errors = parse_options({"source": "chill", "size": size}, TODAY)
        assert options is None and "size" in errors
    assert parse_options({"source": "chill", "size": "100"}, TODAY)[0].size == 100


def test_an_unknown_source_is_refused():
    assert "source" in parse_options({"source": "drop table"}, TODAY)[1]


def test_a_long_name_is_trimmed_to_100_characters():
    options, _ = parse_options({"source": "party", "name": "x" * 250}, TODAY)
    assert options.name == "x" * 100


def test_time_capsule_needs_a_past_year_or_month():
    assert "period" in parse_options({"source": "time_capsule"}, TODAY)[1]
    assert "period" in parse_options({"source": "time_capsule", "period": "2023-13"}, TODAY)[1]
    assert "period" in parse_options({"source": "time_capsule", "period": "2027"}, TODAY)[1]
    options, _ = parse_options({"source": "time_capsule", "period": "2023-06"}, TODAY)
    assert default_name(options, TODAY) == "Time capsule June 2023 — March 2026"


def test_the_forgotten_gems_window_is_configurable_but_sane():
    options, _ = parse_options(
        {"source": "forgotten_gems", "gems_from_days": "730", "gems_quiet_days": "180"}, TODAY
    )
    assert (options.gems_from_days, options.gems_quiet_days) == (730, 180)
    assert (
        "gems_quiet_days"
        in parse_options(
            {"source": "forgotten_gems", "gems_from_days": "60", "gems_quiet_days": "90"}, TODAY
        )[1]
    )


def test_the_forgotten_gems_messages_name_their_fields_as_the_labels_do():
    """The form labels these fields "Loved up to (days ago)" and "Not played for (days)"."""
    _, errors = parse_options(
        {"source": "forgotten_gems", "gems_from_days": "5", "gems_quiet_days": "x"}, TODAY
    )
    assert errors == {
        "gems_from_days": "“Loved up to (days ago)” must be between 14 and 3650.",
        "gems_quiet_days": "“Not played for (days)” must be a whole number.",
    }
    _, errors = parse_options(
        {"source": "forgotten_gems", "gems_from_days": "60", "gems_quiet_days": "90"}, TODAY
    )
    assert errors == {
        "gems_quiet_days": "“Not played for (days)” must be fewer than "
        "“Loved up to (days ago)” (60)."
    }


def test_the_top_of_a_year_needs_a_past_or_current_year_and_has_no_artist_cap():
    for period in ("", "2023-06", "0999", "2027", "２０２３", "1899", "20233"):
        options, errors = parse_options({"source": "year", "period": period}, TODAY)
        assert options is None and "period" in errors, period
    options, errors = parse_options(
        {"source": "year", "period": "2023", "size": "50", "per_artist": "2"}, TODAY
    )
    assert errors == {}
    assert options.label == "Top 50 of 2023"
    assert default_name(options, TODAY) == "Top 50 of 2023"
    assert options.artist_cap == 50  # a top list is kept whole
    assert parse_options({"source": "year", "period": "2026"}, TODAY)[1] == {}

"""Rules defined once: the ms -> minutes/hours rounding and the user's "today"."""

from __future__ import annotations

import re
from pathlib import Path

from music_time_machine.durations import hours, minutes

SRC = Path(__file__).resolve().parents[2] / "src" / "music_time_machine"


def _sources(pattern: str, suffix: str = "*.py") -> list[str]:
    return [
        f"{path.relative_to(SRC)}: {line.strip()}"
        for path in sorted(SRC.rglob(suffix))
        for line in path.read_text().splitlines()
        if re.search(pattern, line)
    ]


def test_minutes_and_hours_round_to_one_decimal():
    assert minutes(0) == 0 and hours(0) == 0
    assert minutes(90_000) == 1.5 and minutes(93_000) == 1.6
    assert hours(5_400_000) == 1.5 and hours(3_960_000) == 1.1
    assert hours(3_600_000 * 24) == 24.0


def test_only_durations_turns_milliseconds_into_minutes_or_hours():
    # A true division (``/``, not the ``//`` of a time bucket) by a minute or an hour in ms.
    division = r"(?<!/)/(?!/)\s*\(?\s*(3_?600_?000|60_?000|60\s*\*\s*1000|3600\s*\*\s*1000)\b"
    found = [hit for hit in _sources(division) if not hit.startswith("durations.py")]
    found += _sources(division, "*.js")
    assert found == []


def test_only_current_user_computes_the_users_today():
    found = [
        hit
        for hit in _sources(r"\.today\(\)")
        if hit.startswith("web/") and not hit.startswith("web/current_user.py")
    ]
    assert found == []

"""The Playlist Manager's choices, validated in one place for the HTML form and the JSON API."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date

from ..daterange import MIN_YEAR
from .moods import MOODS

TIME_MACHINE_SOURCES: dict[str, tuple[str, str]] = {
    "forgotten_gems": (
        "Forgotten gems",
        "Songs you loved 3 to 12 months ago and have not played since.",
    ),
    "on_this_day": ("On this day", "What you played this calendar week in earlier years."),
    "current_rotation": (
        "Current rotation",
        "Your Spotify top tracks of the last 4 weeks, or your most played.",
    ),
    "recent_discoveries": (
        "Recent discoveries",
        "Tracks you first played in the last 30 days, by plays.",
    ),
    "time_capsule": ("Time capsule", "Your top tracks of a month or a year you choose."),
    "year": (
        "Top of a year",
        "A year's most-played tracks in order, as in its year in review (no per-artist limit).",
    ),
}
MOOD_SOURCES: dict[str, tuple[str, str]] = {m.key: (m.label, m.description) for m in MOODS.values()}
SOURCES = {**TIME_MACHINE_SOURCES, **MOOD_SOURCES}
#: Which sources read which optional fields of the form: the page shows a group of fields
#: only for these sources (with JavaScript; without it, under a heading that names them).
FIELDS_FOR_SOURCES: dict[str, tuple[str, ...]] = {
    "period": ("time_capsule", "year"),
    "gems": ("forgotten_gems",),
    "per_artist": tuple(key for key in SOURCES if key != "year"),
}

SIZE_MIN, SIZE_MAX, SIZE_DEFAULT = 10, 100, 30
NAME_MAX = 100
DESCRIPTION_MAX = 300
PER_ARTIST_DEFAULT = 2
GEMS_LOVED_FROM_DAYS, GEMS_QUIET_DAYS = 365, 90

_PERIOD = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
_YEAR = re.compile(r"^[0-9]{4}$")
_ARTIST_ID = re.compile(r"[1-9][0-9]{0,17}")


@dataclass(frozen=True)
class PlaylistOptions:
    source: str
    size: int = SIZE_DEFAULT
    public: bool = False
    name: str = ""
    description: str = ""
    period: str = ""  # time capsule: 'YYYY' or 'YYYY-MM'; year: 'YYYY'
    per_artist: int = PER_ARTIST_DEFAULT
    gems_from_days: int = GEMS_LOVED_FROM_DAYS
    gems_quiet_days: int = GEMS_QUIET_DAYS
    artist_id: int | None = None  # forgotten gems: one artist's songs only

    @property
    def is_mood(self) -> bool:
        return self.source in MOOD_SOURCES

    @property
    def artist_cap(self) -> int:
        """Tracks allowed per artist: a year's top list is kept whole, in order."""
        return self.size if self.source == "year" else self.per_artist

    @property
    def label(self) -> str:
        label = SOURCES[self.source][0]
        if self.source == "time_capsule" and self.period:
            return f"{label} {period_label(self.period)}"
        if self.source == "year" and self.period:
            return f"Top {self.size} of {self.period}"
        return label

    def selection_key(self) -> str:
        """What decides which tracks are chosen: a preview stays valid while this is equal."""
        return "|".join(
            str(v)
            for v in (
                self.source,
                self.size,
                self.period,
                self.per_artist,
                self.gems_from_days,
                self.gems_quiet_days,
                self.artist_id or "",
            )
        )

    def to_json(self) -> dict:
        return asdict(self)


def period_label(period: str) -> str:
    match = _PERIOD.match(period)
    if not match:
        return period
    if match.group(2):
        return date(int(match.group(1)), int(match.group(2)), 1).strftime("%B %Y")
    return match.group(1)


def default_name(options: PlaylistOptions, today: date, artist: str | None = None) -> str:
    """``"<Source> — <Month YYYY>"``, e.g. "Forgotten gems — March 2026", or with the one
    artist: "Forgotten gems by Björk — March 2026"; a year's top list names its year already
    ("Top 50 of 2023")."""
    if options.source == "year":
        return options.label[:NAME_MAX]
    label = f"{options.label} by {artist}" if artist else options.label
    return f"{label} — {today.strftime('%B %Y')}"[:NAME_MAX]


def default_description(options: PlaylistOptions) -> str:
    return f"Made by Music Time Machine from your own listening: {SOURCES[options.source][1]}"


def _int(
    form: Mapping[str, str],
    key: str,
    default: int,
    low: int,
    high: int,
    label: str,
    errors: dict[str, str],
) -> int:
    raw = str(form.get(key, "") or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        errors[key] = f"{label} must be a whole number."
        return default
    if not low <= value <= high:
        errors[key] = f"{label} must be between {low} and {high}."
    return value


def parse_options(
    form: Mapping[str, str], today: date
) -> tuple[PlaylistOptions | None, dict[str, str]]:
    """Validate submitted choices; returns (options, {}) or (None, {field: message}).

    A name longer than Spotify's comfortable 100 characters is trimmed rather than refused;
    an empty name means the default one.
    """
    errors: dict[str, str] = {}
    source = str(form.get("source", "") or "").strip()
    if source not in SOURCES:
        errors["source"] = "Choose a mood or a time-machine source."
    size = _int(form, "size", SIZE_DEFAULT, SIZE_MIN, SIZE_MAX, "The number of tracks", errors)
    per_artist = _int(form, "per_artist", PER_ARTIST_DEFAULT, 1, 10, "Tracks per artist", errors)
    gems_from = _int(
        form,
        "gems_from_days",
        GEMS_LOVED_FROM_DAYS,
        14,
        3650,
        "“Loved up to (days ago)”",
        errors,
    )
    gems_quiet = _int(
        form, "gems_quiet_days", GEMS_QUIET_DAYS, 7, 3000, "“Not played for (days)”", errors
    )
    if (
        "gems_from_days" not in errors
        and "gems_quiet_days" not in errors
        and gems_quiet >= gems_from
    ):
        errors["gems_quiet_days"] = (
            f"“Not played for (days)” must be fewer than “Loved up to (days ago)” ({gems_from})."
        )
    visibility = str(form.get("visibility", "private") or "private")
    if visibility not in ("private", "public"):
        errors["visibility"] = "Choose private or public."
    name = " ".join(str(form.get("name", "") or "").split())[:NAME_MAX].strip()
    description = " ".join(str(form.get("description", "") or "").split())
    if len(description) > DESCRIPTION_MAX:
        errors["description"] = f"The description can have at most {DESCRIPTION_MAX} characters."
    period = str(form.get("period", "") or "").strip()
    if source == "year":
        if not _YEAR.match(period):
            errors["period"] = "Write the year of the top list as four digits (2023)."
        elif not MIN_YEAR <= int(period) <= today.year:
            errors["period"] = f"The top of a year can be of {MIN_YEAR} to {today.year}, not later."
    elif source == "time_capsule":
        match = _PERIOD.match(period)
        if not period:
            errors["period"] = "Choose a year (2023) or a month (2023-06) for the time capsule."
        elif not match or (match.group(2) and not 1 <= int(match.group(2)) <= 12):
            errors["period"] = "Write the period as a year (2023) or a month (2023-06)."
        elif int(match.group(1)) < MIN_YEAR:
            errors["period"] = f"The time capsule reaches back to {MIN_YEAR}, not further."
        elif period[:7] > today.isoformat()[:7]:
            errors["period"] = "The time capsule can only look back, not forward."
    else:
        period = ""
    artist_id = _artist(form, source, errors)
    if errors:
        return None, errors
    return PlaylistOptions(
        source=source,
        size=size,
        public=visibility == "public",
        name=name,
        description=description,
        period=period,
        per_artist=per_artist,
        gems_from_days=gems_from,
        gems_quiet_days=gems_quiet,
        artist_id=artist_id,
    ), {}


def _artist(form: Mapping[str, str], source: str, errors: dict[str, str]) -> int | None:
    """The one artist forgotten gems are limited to (``artist``, an id), if any; other
    sources ignore it. Whether the artist is the user's is the builder's question."""
    raw = str(form.get("artist", "") or "").strip()
    if not raw or source != "forgotten_gems":
        return None
    if not _ARTIST_ID.fullmatch(raw):
        errors["artist"] = "The artist must be given by its id, a whole number."
        return None
    return int(raw)

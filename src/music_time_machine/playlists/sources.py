"""The time-machine questions, answered as ranked candidate tracks with a reason each.

Every source returns tracks the user actually played, ranked by plays (the builder then
pushes high-skip tracks down and caps tracks per artist). Dates are the user's local dates,
like the rollups they read.
"""

from __future__ import annotations

import calendar
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from ..daterange import MIN_YEAR
from ..db import playlists as q
from .options import PlaylistOptions

#: How many candidates a source hands to the builder; enough for a 100-track playlist even
#: after the per-artist cap.
CANDIDATE_LIMIT = 1000

ROTATION_DAYS = 28
DISCOVERY_DAYS = 30
#: "This calendar week" on earlier years: the day itself and three days either side.
ON_THIS_DAY_HALF_WEEK = 3


@dataclass
class Candidate:
    track_id: int
    plays: int
    streams: int
    skips: int
    why: str
    #: An explicit ranking weight (e.g. from Spotify's top list); None = rank by plays.
    weight: float | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row, why: str) -> Candidate:
        """A candidate from a ``db/playlists`` query row (``track_id``, ``plays``,
        ``streams``, ``skips``): every source's query answers in these columns."""
        return cls(row["track_id"], row["plays"], row["streams"], row["skips"], why)

    @property
    def skip_rate(self) -> float:
        return self.skips / self.streams if self.streams else 0.0


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n}×"


def _candidates(rows: list[sqlite3.Row], why: str) -> list[Candidate]:
    return [
        Candidate.from_row(
            r,
            why.format(**{**dict(r), "plays": _times(r["plays"])}),
        )
        for r in rows
    ]


def forgotten_gems(
    conn: sqlite3.Connection,
    user_id: int,
    today: date,
    *,
    loved_from_days: int = 365,
    quiet_days: int = 90,
    limit: int = CANDIDATE_LIMIT,
    artist_id: int | None = None,
) -> list[Candidate]:
    """Most-played tracks from ``loved_from_days`` to ``quiet_days`` ago, unplayed since;
    only one artist's songs when ``artist_id`` is given (the artist page's button)."""
    quiet_since = today - timedelta(days=quiet_days)
    rows = q.forgotten_tracks(
        conn,
        user_id,
        (today - timedelta(days=loved_from_days)).isoformat(),
        (quiet_since - timedelta(days=1)).isoformat(),
        quiet_since.isoformat(),
        limit,
        artist_id,
    )
    found = []
    for r in rows:
        last = date.fromisoformat(r["last_day"])
        found.append(
            Candidate.from_row(
                r,
                f"played {_times(r['plays'])} back then; last played {last:%d %b %Y} "
                f"({(today - last).days} days ago)",
            )
        )
    return found


def _same_day(day: date, year: int) -> date:
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February in a common year
        return day.replace(year=year, day=28)


def on_this_day(
    conn: sqlite3.Connection, user_id: int, today: date, *, limit: int = CANDIDATE_LIMIT
) -> list[Candidate]:
    """What was played this calendar week (today ± 3 days) in every earlier year."""
    first, _ = q.history_span(conn, user_id)
    if first is None:
        return []
    ranges = []
    # From MIN_YEAR at the earliest: older versions stored plays dated year 1.
    for year in range(today.year - 1, max(int(first[:4]), MIN_YEAR) - 1, -1):
        centre = _same_day(today, year)
        ranges.append(
            (
                (centre - timedelta(days=ON_THIS_DAY_HALF_WEEK)).isoformat(),
                (centre + timedelta(days=ON_THIS_DAY_HALF_WEEK)).isoformat(),
            )
        )
    rows = q.top_tracks_in_ranges(conn, user_id, ranges, limit)
    found = []
    for r in rows:
        years = sorted(r["years"].split(","), reverse=True)
        ago = ", ".join(
            f"{today.year - int(y)} year{'s' if today.year - int(y) > 1 else ''} ago"
            for y in years[:3]
        )
        found.append(
            Candidate.from_row(
                r,
                f"played {_times(r['plays'])} this week in {', '.join(years[:3])} ({ago})",
            )
        )
    return found


def current_rotation(
    conn: sqlite3.Connection, user_id: int, today: date, *, limit: int = CANDIDATE_LIMIT
) -> list[Candidate]:
    """Spotify's latest short-term top tracks, or the most played of the last 4 weeks."""
    taken_on, ids = q.latest_top_tracks(conn, user_id, "short_term")
    if ids:
        totals = q.track_totals(conn, user_id, ids)
        found = []
        for rank, track_id in enumerate(ids[:limit], start=1):
            t = totals.get(track_id)
            plays, streams, skips = (t["plays"], t["streams"], t["skips"]) if t else (0, 0, 0)
            found.append(
                Candidate(
                    track_id,
                    plays,
                    streams,
                    skips,
                    f"#{rank} in your Spotify top tracks of the last 4 weeks (as of {taken_on})",
                    weight=float(len(ids) - rank + 1),
                )
            )
        return found
    start = today - timedelta(days=ROTATION_DAYS - 1)
    rows = q.top_tracks_between(conn, user_id, start.isoformat(), today.isoformat(), limit)
    return _candidates(rows, "played {plays} in the last 4 weeks")


def recent_discoveries(
    conn: sqlite3.Connection,
    user_id: int,
    today: date,
    *,
    days: int = DISCOVERY_DAYS,
    limit: int = CANDIDATE_LIMIT,
) -> list[Candidate]:
    """Tracks first played in the last ``days`` days, ranked by plays since."""
    since = today - timedelta(days=days - 1)
    rows = q.discovered_since(conn, user_id, since.isoformat(), limit)
    return [
        Candidate.from_row(
            r,
            f"new to you on {date.fromisoformat(r['first_day']):%d %b}; "
            f"played {_times(r['plays'])} since",
        )
        for r in rows
    ]


def period_bounds(period: str) -> tuple[date, date]:
    """First and last day of 'YYYY' or 'YYYY-MM'."""
    year = int(period[:4])
    if len(period) == 4:
        return date(year, 1, 1), date(year, 12, 31)
    month = int(period[5:7])
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def time_capsule(
    conn: sqlite3.Connection, user_id: int, period: str, *, limit: int = CANDIDATE_LIMIT
) -> list[Candidate]:
    """Top tracks of a month ('2023-06') or a year ('2023')."""
    first, last = period_bounds(period)
    rows = q.top_tracks_between(conn, user_id, first.isoformat(), last.isoformat(), limit)
    return _candidates(
        rows, "played {plays} in " + (f"{first:%B %Y}" if len(period) > 4 else period)
    )


def year_top(
    conn: sqlite3.Connection, user_id: int, year: int, *, limit: int = CANDIDATE_LIMIT
) -> list[Candidate]:
    """A year's top tracks in the year in review's order (the rank is the weight, so the
    builder keeps that order: a top list is not re-ranked by skips)."""
    rows = q.year_top_tracks(conn, user_id, year, limit)
    return [
        Candidate(
            track_id,
            plays,
            0,
            0,
            f"#{rank} of {year}: played {_times(plays)}",
            weight=float(len(rows) - rank + 1),
        )
        for rank, (track_id, plays) in enumerate(rows, start=1)
    ]


def favourites(conn: sqlite3.Connection, user_id: int, *, limit: int = 5000) -> list[Candidate]:
    """All-time most played: the pool that mood playlists are scored from."""
    return _candidates(q.all_time_favourites(conn, user_id, limit), "played {plays}")


def time_machine_candidates(
    conn: sqlite3.Connection, user_id: int, options: PlaylistOptions, today: date
) -> list[Candidate]:
    if options.source == "forgotten_gems":
        return forgotten_gems(
            conn,
            user_id,
            today,
            loved_from_days=options.gems_from_days,
            quiet_days=options.gems_quiet_days,
            artist_id=options.artist_id,
        )
    if options.source == "on_this_day":
        return on_this_day(conn, user_id, today)
    if options.source == "current_rotation":
        return current_rotation(conn, user_id, today)
    if options.source == "recent_discoveries":
        return recent_discoveries(conn, user_id, today)
    if options.source == "time_capsule":
        return time_capsule(conn, user_id, options.period)
    if options.source == "year":
        return year_top(conn, user_id, int(options.period))
    raise ValueError(f"not a time-machine source: {options.source}")


def no_match_message(options: PlaylistOptions, unenriched_artists: int = 0) -> str:
    """What to tell the user when a source finds nothing — and what to try instead.

    For a mood, ``unenriched_artists`` (artists MusicBrainz was never asked about) decides
    the advice: Spotify gives a development-mode app no genres however often it syncs, so
    the help that works is looking the artists up on MusicBrainz.
    """
    s = options.source
    if s == "forgotten_gems" and options.artist_id is not None:
        return (
            f"No forgotten gems by this artist: none of their songs you played "
            f"{options.gems_from_days} to {options.gems_quiet_days} days ago has gone "
            "unplayed since. Try more days in “Loved up to”, fewer in “Not played for”, "
            "or every artist."
        )
    if s == "forgotten_gems":
        return (
            f"No forgotten gems yet: nothing you played {options.gems_from_days} to "
            f"{options.gems_quiet_days} days ago has gone unplayed since. Import your "
            "Spotify data export (Settings › Import) to reach further back, or try "
            "fewer days in “Not played for”."
        )
    if s == "on_this_day":
        return (
            "Nothing from this week in earlier years: your history starts less than a year "
            "ago. Importing your extended streaming history fills in the past."
        )
    if s == "current_rotation":
        return (
            "Nothing played in the last 4 weeks and no Spotify top list yet. Sync with "
            "Spotify (Settings) or try a time capsule."
        )
    if s == "recent_discoveries":
        return (
            "No discoveries in the last 30 days: every track you played recently you "
            "knew before. Try current rotation or forgotten gems."
        )
    if s == "year":
        return f"No plays in {options.period}. Choose a year you have listened in."
    if s == "time_capsule":
        return (
            f"No plays in {options.label.removeprefix('Time capsule ')}. "
            "Choose another month or year."
        )
    if unenriched_artists:
        return (
            f"None of your tracks can be scored for {options.label.lower()} yet: they "
            "have no audio features, and their artists' genres are not known. Find "
            "genres and artwork on Settings looks up your "
            f"{unenriched_artists:,} artist{'s' if unenriched_artists != 1 else ''} on "
            "MusicBrainz; or try a time-machine source."
        )
    return (
        f"None of your tracks can be scored for {options.label.lower()}: they have no "
        "audio features, and MusicBrainz knows no genres or mood tags for their "
        "artists. Try a time-machine source instead."
    )

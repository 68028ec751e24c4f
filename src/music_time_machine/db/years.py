"""Year in review: one calendar year (January to December, local dates) from the rollups.

What the overall numbers mean is ``stats.py``'s (a *play* passes the play rule, minutes
count every music stream, a track with several artists counts for each). What this module
adds, defined once here and stated on the page:

- *biggest month / day*: the most plays (ties: more minutes, then the earlier one);
- *longest streak*: the most consecutive days of the year with at least one play;
- *top artist of each month*: the artist with the most plays that month (ties: minutes,
  then the one stored first), as in every top list;
- *discoveries*: artists whose first play ever falls in the year;
- *stuck*: a discovery of a year that has ended that you played again the next year. For
  the year that is still running, a discovery made before the last ``STUCK_RECENT_DAYS``
  days that you played within them (later discoveries are too new to tell, and are left
  out of the count).

Reads touch the year's rows only: ``rollup_day`` (at most 366), the monthly artist rollup
of its twelve months, the yearly track and album rollups and the first-play index.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from ..durations import minutes
from .stats import ListeningStats

#: For the running year: a discovery "stuck" if played in this many days up to today.
STUCK_RECENT_DAYS = 90


@dataclass(frozen=True)
class Streak:
    """Consecutive days with a play: how many, the first and the last."""

    days: int
    first: date | None
    last: date | None


def year_totals(conn: sqlite3.Connection, user_id: int) -> list[dict]:
    """Every year with at least one counted play, oldest first, with its plays and minutes
    (a year of short streams only has no review: nothing in it counts as played)."""
    return [
        {"year": int(y), "plays": p, "minutes": minutes(ms)}
        for y, p, ms in conn.execute(
            "SELECT substr(day, 1, 4), SUM(plays), SUM(ms_played) FROM rollup_day "
            "WHERE user_id = ? GROUP BY 1 HAVING SUM(plays) > 0 ORDER BY 1",
            (user_id,),
        )
    ]


def year_days(conn: sqlite3.Connection, user_id: int, year: int) -> list[tuple[date, int, int]]:
    """(day, plays, ms_played) of every day of the year with a stream, in order."""
    first, last = _bounds(year)
    return [
        (date.fromisoformat(d), p, ms)
        for d, p, ms in conn.execute(
            "SELECT day, plays, ms_played FROM rollup_day WHERE user_id = ? "
            "AND day BETWEEN ? AND ? ORDER BY day",
            (user_id, first.isoformat(), last.isoformat()),
        )
    ]


def _bounds(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year, 12, 31)


def biggest_day(days: list[tuple[date, int, int]]) -> dict | None:
    """The day with the most plays (ties: minutes, then the earlier day)."""
    played = [d for d in days if d[1] > 0]
    if not played:
        return None
    day, plays, ms = min(played, key=lambda d: (-d[1], -d[2], d[0]))
    return {"date": day.isoformat(), "plays": plays, "minutes": minutes(ms)}


def biggest_month(months: list[dict]) -> dict | None:
    """The month (of a ``volume`` series) with the most plays (ties: minutes, earlier)."""
    played = [m for m in months if m["plays"] > 0]
    if not played:
        return None
    return min(played, key=lambda m: (-m["plays"], -m["minutes"], m["period"]))


def longest_streak(days: list[tuple[date, int, int]]) -> Streak:
    """The longest run of consecutive days with a play (the earliest of equal runs)."""
    best = Streak(0, None, None)
    run_first = previous = None
    for day, plays, _ms in days:
        if plays <= 0:
            continue
        if previous is None or day - previous != timedelta(days=1):
            run_first = day
        previous = day
        length = (day - run_first).days + 1
        if length > best.days:
            best = Streak(length, run_first, day)
    return best


def top_artist_each_month(
    conn: sqlite3.Connection, user_id: int, year: int
) -> dict[str, tuple[int, int, int]]:
    """{'YYYY-MM': (artist id, plays, ms)} for each month of the year with a play."""
    best: dict[str, tuple[int, int, int]] = {}
    # One small ordered query per month: faster than ranking every artist-month in Python.
    for number in range(1, 13):
        month = f"{year:04d}-{number:02d}"
        row = conn.execute(
            "SELECT artist_id, plays, ms_played FROM rollup_month_artist WHERE user_id = ? "
            "AND month = ? AND plays > 0 ORDER BY plays DESC, ms_played DESC, artist_id "
            "LIMIT 1",
            (user_id, month),
        ).fetchone()
        if row is not None:
            best[month] = (row[0], row[1], row[2])
    return best


def top_albums(conn: sqlite3.Connection, user_id: int, year: int, limit: int) -> list[dict]:
    """Albums by the plays of their tracks in the year (ties: minutes, then album id), each
    credited to the artists of its most-played track of the year (ties: minutes, then the
    track stored first).

    A song counts for the album its ``tracks`` row names (the version played most): the
    yearly album rollup holds those sums (rollups_albums.py)."""
    rows = conn.execute(
        "SELECT album_id, plays, ms_played FROM rollup_year_album "
        "INDEXED BY rollup_year_album_rank WHERE user_id = ? AND year = ? AND plays > 0 "
        "ORDER BY plays DESC, ms_played DESC, album_id LIMIT ?",
        (user_id, f"{year:04d}", limit),
    ).fetchall()
    if not rows:
        return []
    ids = json.dumps([r[0] for r in rows])
    leads = dict(
        conn.execute(
            "SELECT album_id, id FROM (SELECT t.album_id, t.id, ROW_NUMBER() OVER ("
            "PARTITION BY t.album_id ORDER BY y.plays DESC, y.ms_played DESC, t.id) AS n "
            # The albums' songs first (CROSS JOIN keeps that order): the planner would
            # rather walk the whole year's tracks by their year index.
            "FROM tracks t INDEXED BY tracks_album CROSS JOIN rollup_year_track y "
            "ON y.user_id = ? AND y.track_id = t.id AND y.year = ? "
            "WHERE t.album_id IN (SELECT value FROM json_each(?))) WHERE n = 1",
            (user_id, f"{year:04d}", ids),
        )
    )
    rows = [(a, p, ms, leads[a]) for a, p, ms in rows]
    names = dict(
        conn.execute(
            "SELECT id, name FROM albums WHERE id IN (SELECT value FROM json_each(?))", (ids,)
        )
    )
    credits: dict[int, list[str]] = defaultdict(list)
    for track_id, name in conn.execute(
        "SELECT ta.track_id, a.name FROM track_artists ta JOIN artists a "
        "ON a.id = ta.artist_id WHERE ta.track_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY ta.track_id, ta.position, a.id",
        (json.dumps([r[3] for r in rows]),),
    ):
        credits[track_id].append(name)
    return [
        {
            "id": album_id,
            "name": names[album_id],
            "artists": credits[lead],
            "plays": plays,
            "minutes": minutes(ms),
        }
        for album_id, plays, ms, lead in rows
    ]


def discoveries(conn: sqlite3.Connection, user_id: int, year: int, today: date, limit: int) -> dict:
    """Artists first played in the year: how many, how many stuck (module docstring), and
    the ``limit`` most played of them that year, each with whether it stuck."""
    first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
    running = today.year == year
    recent_from = (today - timedelta(days=STUCK_RECENT_DAYS - 1)).isoformat()
    rows = conn.execute(
        "SELECT f.artist_id, a.name, f.first_day, COALESCE(y.plays, 0), "
        "COALESCE(y.ms_played, 0), COALESCE(n.plays, 0), t.last_day "
        "FROM rollup_artist_first f JOIN artists a ON a.id = f.artist_id "
        "LEFT JOIN rollup_year_artist y ON y.user_id = f.user_id AND y.year = ? "
        "  AND y.artist_id = f.artist_id "
        "LEFT JOIN rollup_year_artist n ON n.user_id = f.user_id AND n.year = ? "
        "  AND n.artist_id = f.artist_id "
        "LEFT JOIN rollup_artist_total t ON t.user_id = f.user_id AND t.artist_id = f.artist_id "
        "WHERE f.user_id = ? AND f.first_day BETWEEN ? AND ?",
        (f"{year:04d}", f"{year + 1:04d}", user_id, first, last),
    ).fetchall()
    found, judged, stuck = [], 0, 0
    for artist_id, name, first_day, plays, ms, next_plays, last_day in rows:
        if running:
            known = first_day < recent_from
            sticks = known and last_day is not None and last_day >= recent_from
        else:
            known, sticks = True, next_plays > 0
        judged += known
        stuck += sticks
        found.append(
            {
                "id": artist_id,
                "name": name,
                "first_play": first_day,
                "plays": plays,
                "minutes": minutes(ms),
                "stuck": sticks if known else None,
                "_ms": ms,
            }
        )
    found.sort(key=lambda f: (-f["plays"], -f["_ms"], f["id"]))
    for item in found:
        del item["_ms"]
    tracks = conn.execute(
        "SELECT COUNT(*) FROM rollup_track_first WHERE user_id = ? AND first_day BETWEEN ? AND ?",
        (user_id, first, last),
    ).fetchone()[0]
    return {
        "artists": len(found),
        "tracks": tracks,
        "judged": judged,
        "stuck": stuck,
        "running": running,
        "recent_days": STUCK_RECENT_DAYS,
        "items": found[:limit],
    }


#: How many items each top list of the review holds.
REVIEW_TOP = 10


def year_review(conn: sqlite3.Connection, user_id: int, year: int, today: date) -> dict:
    """Everything the year's page shows, as JSON-ready values (the page and the API)."""
    stats = ListeningStats(conn, user_id)
    first, last = _bounds(year)
    totals = stats.summary(first, last)
    days = year_days(conn, user_id, year)
    leaders = top_artist_each_month(conn, user_id, year)
    names = (
        dict(
            conn.execute(
                "SELECT id, name FROM artists WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps([a for a, _p, _ms in leaders.values()]),),
            )
        )
        if leaders
        else {}
    )
    months = stats.volume(first, last, "month")
    for month in months:
        lead = leaders.get(month["period"])
        month["top_artist"] = (
            {"id": lead[0], "name": names[lead[0]], "plays": lead[1]} if lead else None
        )
    genres = stats.top_genres(first, last, REVIEW_TOP)
    streak = longest_streak(days)
    return {
        "year": year,
        "start": first.isoformat(),
        "end": last.isoformat(),
        "running": first <= today <= last,
        "summary": {
            "plays": totals.plays,
            "minutes": minutes(totals.ms_played),
            "hours": totals.hours,
            "tracks": totals.tracks,
            "artists": totals.artists,
            "days_played": sum(1 for _d, p, _ms in days if p > 0),
        },
        "months": months,
        "biggest_month": biggest_month(months),
        "biggest_day": biggest_day(days),
        "streak": {
            "days": streak.days,
            "first": streak.first.isoformat() if streak.first else None,
            "last": streak.last.isoformat() if streak.last else None,
        },
        "artists": stats.top_artists(first, last, REVIEW_TOP),
        "tracks": stats.top_tracks(first, last, REVIEW_TOP),
        "albums": top_albums(conn, user_id, year, REVIEW_TOP),
        "genres": {"items": genres.items, "unknown_share": genres.unknown_share},
        "discoveries": discoveries(conn, user_id, year, today, REVIEW_TOP),
    }

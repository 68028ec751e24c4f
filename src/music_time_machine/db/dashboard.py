"""Questions the Home dashboard asks. All answered from the rollups, never from plays."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta

from ..durations import hours


@dataclass(frozen=True)
class PeriodTotals:
    plays: int
    ms_played: int
    tracks: int
    artists: int

    @property
    def hours(self) -> float:
        return hours(self.ms_played)


def has_listening(conn: sqlite3.Connection, user_id: int) -> bool:
    return conn.execute("SELECT 1 FROM plays WHERE user_id = ? LIMIT 1",
                        (user_id,)).fetchone() is not None


def period_totals(conn: sqlite3.Connection, user_id: int, start: date, end: date) -> PeriodTotals:
    """Plays, time, distinct tracks and artists between two local dates (inclusive)."""
    span = (user_id, start.isoformat(), end.isoformat())
    plays, ms = conn.execute(
        "SELECT COALESCE(SUM(plays), 0), COALESCE(SUM(ms_played), 0) FROM rollup_day "
        "WHERE user_id = ? AND day BETWEEN ? AND ?", span).fetchone()
    tracks = conn.execute(
        "SELECT COUNT(DISTINCT track_id) FROM rollup_day_track "
        "WHERE user_id = ? AND day BETWEEN ? AND ? AND plays > 0", span).fetchone()[0]
    artists = conn.execute(
        "SELECT COUNT(DISTINCT artist_id) FROM rollup_day_artist "
        "WHERE user_id = ? AND day BETWEEN ? AND ? AND plays > 0", span).fetchone()[0]
    return PeriodTotals(plays, ms, tracks, artists)


def discovered_since(conn: sqlite3.Connection, user_id: int, start: date) -> int:
    """Tracks whose first counted play falls on or after ``start``."""
    return conn.execute(
        "SELECT COUNT(*) FROM rollup_track_first WHERE user_id = ? AND first_day >= ?",
        (user_id, start.isoformat())).fetchone()[0]


def most_consistent_artist(conn: sqlite3.Connection, user_id: int, start: date,
                           end: date) -> sqlite3.Row | None:
    """The artist played on the most distinct days in the period (ties: more plays)."""
    return conn.execute(
        "SELECT a.id, a.name, COUNT(*) AS days, SUM(r.plays) AS plays "
        "FROM rollup_day_artist r JOIN artists a ON a.id = r.artist_id "
        "WHERE r.user_id = ? AND r.day BETWEEN ? AND ? AND r.plays > 0 "
        "GROUP BY r.artist_id ORDER BY days DESC, plays DESC, a.name LIMIT 1",
        (user_id, start.isoformat(), end.isoformat())).fetchone()


def plays_by_week(conn: sqlite3.Connection, user_id: int, first_monday: date,
                  weeks: int) -> list[tuple[date, int, int]]:
    """(Monday, plays, ms_played) for ``weeks`` consecutive weeks, empty weeks as zeros."""
    end = first_monday + timedelta(weeks=weeks) - timedelta(days=1)
    totals = [[0, 0] for _ in range(weeks)]
    rows = conn.execute(
        "SELECT day, plays, ms_played FROM rollup_day WHERE user_id = ? AND day BETWEEN ? AND ?",
        (user_id, first_monday.isoformat(), end.isoformat()))
    for day, plays, ms in rows:
        index = (date.fromisoformat(day) - first_monday).days // 7
        totals[index][0] += plays
        totals[index][1] += ms
    return [(first_monday + timedelta(weeks=i), p, ms) for i, (p, ms) in enumerate(totals)]


def on_this_day(conn: sqlite3.Connection, user_id: int, today: date,
                per_year: int = 3) -> list[dict]:
    """The most-played tracks on today's calendar date in each earlier year, newest first."""
    first = conn.execute("SELECT MIN(day) FROM rollup_day WHERE user_id = ?",
                         (user_id,)).fetchone()[0]
    if first is None:
        return []
    years = []
    for year in range(today.year - 1, int(first[:4]) - 1, -1):
        try:
            day = today.replace(year=year)
        except ValueError:  # 29 February in a common year
            continue
        rows = conn.execute(
            "SELECT t.name AS track, r.plays, "
            " (SELECT group_concat(a.name, ', ') FROM track_artists ta "
            "  JOIN artists a ON a.id = ta.artist_id WHERE ta.track_id = t.id) AS artists "
            "FROM rollup_day_track r JOIN tracks t ON t.id = r.track_id "
            "WHERE r.user_id = ? AND r.day = ? AND r.plays > 0 "
            "ORDER BY r.plays DESC, r.ms_played DESC, t.name LIMIT ?",
            (user_id, day.isoformat(), per_year)).fetchall()
        if rows:
            years.append({"date": day, "years_ago": today.year - year,
                          "tracks": [dict(r) for r in rows]})
    return years

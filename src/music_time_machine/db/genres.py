"""One genre's story: its share of your listening by month, its artists, first and last play.

Genres are the artists' by the one genre rule (``enrichment.ARTIST_GENRES``: Spotify's, else
MusicBrainz's; unknown for artists not yet looked up), matched exactly as stored. As on
Analytics, a play counts once for each of its track's artists, so the *share* of a month is
the plays of this genre's artists that month over the plays of all artists that month
(artist-plays, the denominator of the Analytics page's "no known genre" share).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass

from ..durations import minutes
from .enrichment import ARTIST_GENRES
from .stats import known_genres

#: Longer names are not genres (Spotify's longest are under 50 characters).
GENRE_NAME_MAX = 100


@dataclass(frozen=True)
class GenreCoverage:
    """How many of the user's played artists have known genres (to say so honestly)."""

    artists: int
    with_genres: int


def genre_artist_ids(conn: sqlite3.Connection, user_id: int, name: str) -> list[int]:
    """The user's artists tagged with exactly this genre."""
    # LIKE narrows the scan to plausible rows; the exact test is on the parsed list.
    pattern = "%" + name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return [
        artist_id
        for artist_id, genres in conn.execute(
            f"SELECT g.artist_id, g.genres FROM ({ARTIST_GENRES}) g "
            "JOIN artists a ON a.id = g.artist_id WHERE a.user_id = ? AND g.genres LIKE ? "
            "ESCAPE '\\'",
            (user_id, pattern),
        )
        if name in known_genres(genres)
    ]


def coverage(conn: sqlite3.Connection, user_id: int) -> GenreCoverage:
    """Played artists, and how many of them have at least one known genre."""
    total = with_genres = 0
    for (genres,) in conn.execute(
        f"SELECT g.genres FROM rollup_artist_total t JOIN ({ARTIST_GENRES}) g "
        "ON g.artist_id = t.artist_id WHERE t.user_id = ?",
        (user_id,),
    ):
        total += 1
        with_genres += bool(known_genres(genres))
    return GenreCoverage(total, with_genres)


def genre_artists(conn: sqlite3.Connection, user_id: int, artist_ids: list[int]) -> list[dict]:
    """The artists with a play, ranked by all-time plays (ties: minutes, then id), with
    their first and last day with a play (``_ms``: unrounded, for totals; popped by
    ``genre_story``)."""
    if not artist_ids:
        return []
    rows = conn.execute(
        "SELECT t.artist_id, a.name, t.plays, t.ms_played, t.first_day, t.last_day "
        "FROM rollup_artist_total t JOIN artists a ON a.id = t.artist_id "
        "WHERE t.user_id = ? AND t.artist_id IN (SELECT value FROM json_each(?)) "
        "ORDER BY t.plays DESC, t.ms_played DESC, t.artist_id",
        (user_id, json.dumps(artist_ids)),
    )
    return [
        {
            "id": i,
            "name": name,
            "plays": plays,
            "minutes": minutes(ms),
            "_ms": ms,
            "first_play": first,
            "last_play": last,
        }
        for i, name, plays, ms, first, last in rows
    ]


def monthly_share(conn: sqlite3.Connection, user_id: int, artist_ids: list[int]) -> list[dict]:
    """Per month from the genre's first month with a play to the user's last month with
    data: the genre's artist-plays, all artist-plays and the share (0..1, 4 decimals)."""
    if not artist_ids:
        return []
    totals: dict[str, list[int]] = {
        month: [0, everyone]
        for month, everyone in conn.execute(
            "SELECT month, SUM(plays) FROM rollup_month_artist WHERE user_id = ? GROUP BY month",
            (user_id,),
        )
    }
    for month, plays in conn.execute(
        # The genre's artists' own rows (migration 0019): left to itself the planner walks
        # every month row of the user by the rank index (~21 ms at a million plays).
        "SELECT month, SUM(plays) FROM rollup_month_artist "
        "INDEXED BY rollup_month_artist_by_artist WHERE user_id = ? "
        "AND artist_id IN (SELECT value FROM json_each(?)) GROUP BY month",
        (user_id, json.dumps(artist_ids)),
    ):
        totals[month][0] = plays
    months = sorted(totals)
    played = [m for m in months if totals[m][0] > 0]
    if not played:
        return []
    series, month = [], played[0]
    while month <= months[-1]:
        genre, everyone = totals.get(month, (0, 0))
        series.append(
            {
                "period": month,
                "plays": genre,
                "all_plays": everyone,
                "share": round(genre / everyone, 4) if everyone else 0.0,
            }
        )
        year, mon = int(month[:4]), int(month[5:7])
        month = f"{year + mon // 12:04d}-{mon % 12 + 1:02d}"
    return series


def genre_story(conn: sqlite3.Connection, user_id: int, name: str) -> dict | None:
    """Everything the genre's page shows; None when no artist of yours has played under
    this genre (the page then says how many of your artists have known genres at all)."""
    ids = genre_artist_ids(conn, user_id, name)
    artists = genre_artists(conn, user_id, ids)
    if not artists:
        return None
    first = min(artists, key=lambda a: (a["first_play"], -a["plays"], a["id"]))
    last = max(artists, key=lambda a: (a["last_play"], a["plays"], -a["id"]))
    return {
        "genre": name,
        "plays": sum(a["plays"] for a in artists),  # artist-plays, as the shares
        "minutes": minutes(sum(a.pop("_ms") for a in artists)),
        "first_play": {"date": first["first_play"], "artist": _ref(first)},
        "last_play": {"date": last["last_play"], "artist": _ref(last)},
        "artists": artists,
        "months": monthly_share(conn, user_id, [a["id"] for a in artists]),
    }


def _ref(artist: dict) -> dict:
    return {"id": artist["id"], "name": artist["name"]}

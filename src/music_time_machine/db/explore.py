"""One artist, track or album of one user: the questions its page asks (web/explore.py).

Everything is read from the rollups by the item's own index range, so the page costs the
same whatever the size of the history. Raw plays are read only for what no rollup holds:
the exact first and last play with its track (one local day of plays, by the (user, time)
index).

Every function takes the user id: another user's ids answer None or nothing, never their
data. Plays follow the user's play rule; ``ms_played`` sums every music stream, as in
db/stats.py.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from ..rules import PlayRule
from .catalogue import track_credits
from .enrichment import ARTIST_GENRES
from .rollups_albums import ALBUM
from .rollups_monthly import Entity


class DayRow(NamedTuple):
    """One local day of one item: counted plays and milliseconds of every stream. (A named
    tuple: a favourite artist has 5,000 of them per page, three times cheaper to make than
    a frozen dataclass.)"""

    day: date
    plays: int
    ms_played: int


@dataclass(frozen=True)
class PlayMoment:
    """One stream: when it ended (epoch ms), its local day, and the song."""

    played_at: int
    day: str
    track_id: int
    track: str


# -- the items themselves -------------------------------------------------------------------


def get_artist(conn: sqlite3.Connection, user_id: int, artist_id: int) -> dict | None:
    row = conn.execute(
        f"SELECT a.id, a.name, g.genres, g.genre_source, a.image_url FROM artists a "
        f"JOIN ({ARTIST_GENRES}) g ON g.artist_id = a.id WHERE a.id = ? AND a.user_id = ?",
        (artist_id, user_id),
    ).fetchone()
    return dict(row) if row else None


def get_track(conn: sqlite3.Connection, user_id: int, track_id: int) -> dict | None:
    """The song with its album (id, name, cover) and its artists in credit order."""
    row = conn.execute(
        "SELECT t.id, t.name, t.kind, t.spotify_id, t.duration_ms, t.album_id, "
        "al.name AS album, al.image_url AS album_image FROM tracks t "
        "LEFT JOIN albums al ON al.id = t.album_id WHERE t.id = ? AND t.user_id = ?",
        (track_id, user_id),
    ).fetchone()
    if row is None:
        return None
    return {**dict(row), "artists": track_artists(conn, [track_id]).get(track_id, [])}


def get_album(conn: sqlite3.Connection, user_id: int, album_id: int) -> dict | None:
    row = conn.execute(
        "SELECT id, name, release_date, image_url FROM albums WHERE id = ? AND user_id = ?",
        (album_id, user_id),
    ).fetchone()
    return dict(row) if row else None


def track_artists(conn: sqlite3.Connection, track_ids: list[int]) -> dict[int, list[dict]]:
    """Each track's artists ({"id", "name"}) in credit order."""
    return {
        t: [{"id": a, "name": n} for a, n in c] for t, c in track_credits(conn, track_ids).items()
    }


# -- one item's days, months and ranks ----------------------------------------------------------


def item_days(conn: sqlite3.Connection, user_id: int, entity: Entity, item_id: int) -> list[DayRow]:
    """Every local day with a music stream of the item, in order (a few thousand rows at
    most: one per day of listening)."""
    rows = conn.execute(
        f"SELECT day, plays, ms_played FROM {entity.day_table} "
        f"INDEXED BY {entity.by_item_index} "
        f"WHERE user_id = ? AND {entity.id_col} = ? ORDER BY day",
        (user_id, item_id),
    )
    return [DayRow(date.fromisoformat(d), p, ms) for d, p, ms in rows]


def album_days(conn: sqlite3.Connection, user_id: int, album_id: int) -> list[DayRow]:
    """The days of every track of the album, summed per day: the album's daily rollup
    (one row per day, not one per song and day)."""
    return item_days(conn, user_id, ALBUM, album_id)


def all_time_rank(
    conn: sqlite3.Connection, user_id: int, entity: Entity, item_id: int
) -> int | None:
    """The item's place among all the user's items by all-time plays (ties: minutes, then
    the order stored, as the top lists); None without a counted play."""
    row = conn.execute(
        f"SELECT plays, ms_played FROM {entity.total_table} "
        f"WHERE user_id = ? AND {entity.id_col} = ?",
        (user_id, item_id),
    ).fetchone()
    if row is None:
        return None
    plays, ms = row
    col = entity.id_col
    ahead = conn.execute(
        f"SELECT COUNT(*) FROM {entity.total_table} WHERE user_id = ? AND plays >= ? AND "
        f"(plays > ? OR ms_played > ? OR (ms_played = ? AND {col} < ?))",
        (user_id, plays, plays, ms, ms, item_id),
    ).fetchone()[0]
    return ahead + 1


def monthly_ranks(
    conn: sqlite3.Connection, user_id: int, entity: Entity, item_id: int, months: list[str]
) -> list[dict]:
    """For each month ('YYYY-MM') the item was played in: its plays and its place in that
    month's top list (the same order as the top lists)."""
    if not months:
        return []
    col = entity.id_col
    rows = conn.execute(
        f"SELECT m.month, m.plays, 1 + (SELECT COUNT(*) FROM {entity.month_table} o "
        f"  WHERE o.user_id = m.user_id AND o.month = m.month AND o.plays >= m.plays AND "
        f"  (o.plays > m.plays OR o.ms_played > m.ms_played OR "
        f"   (o.ms_played = m.ms_played AND o.{col} < m.{col}))) "
        # '+m.plays': the item's own rows by key, not a walk of every item's rows of each
        # month through the rank index (256,000 rows for a heavy listener's favourite artist).
        f"FROM {entity.month_table} m WHERE m.user_id = ? AND m.{col} = ? AND +m.plays > 0 "
        f"AND m.month IN ({','.join('?' * len(months))}) ORDER BY m.month",
        (user_id, item_id, *months),
    )
    return [{"month": m, "plays": p, "rank": r} for m, p, r in rows]


def track_skips(conn: sqlite3.Connection, user_id: int, track_id: int) -> tuple[int, int]:
    """(streams, skips) of the song over all time; a skip is a stream marked skipped or
    one that does not count as a play (the rollups' rule)."""
    row = conn.execute(
        "SELECT COALESCE(SUM(streams), 0), COALESCE(SUM(skips), 0) FROM rollup_day_track "
        "INDEXED BY rollup_day_track_by_track WHERE user_id = ? AND track_id = ?",
        (user_id, track_id),
    ).fetchone()
    return row[0], row[1]


# -- raw plays, by index ----------------------------------------------------------------------


def _rule(rule: PlayRule) -> tuple[str, str, tuple]:
    """(join, condition, args): the 'finished' rule needs the track's length."""
    sql, args = rule.sql()
    join = "" if rule.kind == "min_ms" else "JOIN tracks t ON t.id = p.track_id "
    return join, sql, args


def edge_play(
    conn: sqlite3.Connection,
    user_id: int,
    rule: PlayRule,
    track_ids: list[int],
    day: str,
    bounds_ms: tuple[int, int],
    last: bool,
) -> PlayMoment | None:
    """The first (or last) counted play on local ``day`` of any of the tracks: the exact
    moment the story starts (or ends). ``bounds_ms`` is the day in UTC epoch ms (inclusive),
    so only that day's plays are read, by the (user, time) index."""
    if not track_ids:
        return None
    join, cond, args = _rule(rule)
    row = conn.execute(
        f"SELECT p.played_at, p.local_date, p.track_id, s.name FROM plays p "
        f"{join}JOIN tracks s ON s.id = p.track_id "
        f"WHERE p.user_id = ? AND p.played_at BETWEEN ? AND ? AND p.local_date = ? "
        f"AND p.kind = 'music' AND {cond} "
        # '+': the (user, time) index, not one by track that would read all their plays
        f"AND +p.track_id IN ({','.join('?' * len(track_ids))}) "
        f"ORDER BY p.played_at {'DESC' if last else 'ASC'}, p.id LIMIT 1",
        (user_id, *bounds_ms, day, *args, *track_ids),
    ).fetchone()
    return PlayMoment(*row) if row else None


def artist_track_ids(conn: sqlite3.Connection, user_id: int, artist_id: int) -> list[int]:
    """The artist's tracks, by the credits' index alone: an artist and its tracks belong to
    the same user (the catalogue is per user), so the artist's owner is checked once rather
    than each of its (up to thousands of) tracks' rows read."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT track_id FROM track_artists WHERE artist_id = ? "
            "AND ? IN (SELECT user_id FROM artists WHERE id = ?)",
            (artist_id, user_id, artist_id),
        )
    ]


def album_track_ids(conn: sqlite3.Connection, user_id: int, album_id: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            "SELECT id FROM tracks WHERE album_id = ? AND user_id = ?", (album_id, user_id)
        )
    ]


def artist_hours(conn: sqlite3.Connection, user_id: int, artist_id: int) -> list[int]:
    """Counted plays of the artist by local hour (24 numbers), from its hour rollup."""
    hours = [0] * 24
    rows = conn.execute(
        "SELECT hour, plays FROM rollup_artist_hour WHERE user_id = ? AND artist_id = ?",
        (user_id, artist_id),
    )
    for hour, plays in rows:
        hours[hour] = plays
    return hours


# -- lists on the pages -----------------------------------------------------------------------


def _with_totals(
    conn: sqlite3.Connection, user_id: int, where: str, args: tuple, limit: int | None
) -> list[dict]:
    """Tracks matching ``where`` (over ``t``) with their all-time plays and milliseconds,
    most played first; tracks without a counted play come last with zeros."""
    rows = conn.execute(
        f"SELECT t.id, t.name, t.album_id, al.name, COALESCE(r.plays, 0), "
        f"COALESCE(r.ms_played, 0) FROM tracks t "
        f"LEFT JOIN rollup_track_total r ON r.user_id = ? AND r.track_id = t.id "
        f"LEFT JOIN albums al ON al.id = t.album_id WHERE t.user_id = ? AND {where} "
        f"ORDER BY 5 DESC, 6 DESC, t.id" + (" LIMIT ?" if limit else ""),
        (user_id, user_id, *args, *((limit,) if limit else ())),
    )
    return [
        {"id": i, "name": n, "album_id": a, "album": an, "plays": p, "ms_played": ms}
        for i, n, a, an, p, ms in rows
    ]


def artist_top_tracks(
    conn: sqlite3.Connection, user_id: int, artist_id: int, limit: int
) -> list[dict]:
    """The artist's most played tracks (with a counted play). Ranked from the credits' index
    and the totals alone; names and albums are read for the few shown, not for every one
    of a favourite artist's thousands of tracks."""
    ranked = conn.execute(
        "SELECT r.track_id FROM track_artists ta "
        "CROSS JOIN rollup_track_total r ON r.user_id = ? AND r.track_id = ta.track_id "
        "WHERE ta.artist_id = ? AND r.plays > 0 "
        "ORDER BY r.plays DESC, r.ms_played DESC, r.track_id LIMIT ?",
        (user_id, artist_id, limit),
    ).fetchall()
    if not ranked:
        return []
    ids = [r[0] for r in ranked]
    return _with_totals(conn, user_id, f"t.id IN ({','.join('?' * len(ids))})", tuple(ids), None)


def artist_top_albums(
    conn: sqlite3.Connection, user_id: int, artist_id: int, limit: int
) -> list[dict]:
    """The albums of the artist's songs, by the all-time plays of those songs."""
    rows = conn.execute(
        "SELECT al.id, al.name, al.image_url, SUM(r.plays), SUM(r.ms_played) "
        "FROM track_artists ta JOIN tracks t ON t.id = ta.track_id "
        "JOIN rollup_track_total r ON r.user_id = ? AND r.track_id = t.id "
        "JOIN albums al ON al.id = t.album_id "
        "WHERE ta.artist_id = ? AND t.user_id = ? GROUP BY al.id "
        "ORDER BY 4 DESC, 5 DESC, al.id LIMIT ?",
        (user_id, artist_id, user_id, limit),
    )
    return [
        {"id": i, "name": n, "image_url": img, "plays": p, "ms_played": ms}
        for i, n, img, p, ms in rows
    ]


def album_tracks(conn: sqlite3.Connection, user_id: int, album_id: int) -> list[dict]:
    """Every song of the album with its all-time plays (unplayed ones too)."""
    return _with_totals(conn, user_id, "t.album_id = ?", (album_id,), None)


def track_versions(conn: sqlite3.Connection, user_id: int, track_id: int) -> list[dict]:
    """Every Spotify URI the song came with (single, album version, re-release), with the
    album it came on and the stored plays that came with it; most played first."""
    rows = conn.execute(
        "SELECT u.uri, u.plays, u.album_id, al.name FROM track_uris u "
        "LEFT JOIN albums al ON al.id = u.album_id "
        "WHERE u.track_id = ? AND u.user_id = ? ORDER BY u.plays DESC, u.id",
        (track_id, user_id),
    )
    return [{"uri": uri, "plays": p, "album_id": a, "album": an} for uri, p, a, an in rows]

"""The Analytics questions over a date range, answered from the rollups, never from plays.

Definitions (also in the README): a *play* passes the user's play rule; *minutes* sum
``ms_played`` of every music stream, short ones included; dates are local dates, ranges
inclusive; a track with several artists counts for each of them; top lists hold items with
at least one play, ranked by plays, then minutes, then the order they were first stored.

How long ranges stay fast at a million plays (the daily track rollup alone holds ~500k rows
for three years):

- A range is first clamped to the days that hold data. Whole months inside it are read from
  the monthly rollups, the edges from the daily ones; a range that covers all the data
  reads the all-time totals.
- Top tracks and albums: candidates are taken in order of all-time plays (an upper bound of
  their plays in any range) and their exact range totals computed a batch at a time, until
  the next candidate's all-time plays cannot reach the last place. Exact, and a batch or
  two in practice; a full aggregation is the fallback, and the way for ranges under two
  months and lists of more than a hundred (where candidates are a weak bound).
- Albums have rollups of their own (rollups_albums.py), read like the track ones.
- Distinct items in a range of at least ``GAP_MIN_DAYS`` days: the items played between
  their first and last day that overlap the range, minus those whose stored long silence
  (gap) contains the range; one whole year or month: that period's rollup rows. Shorter
  ranges count the daily rollups directly.
"""

from __future__ import annotations

import heapq
import json
import sqlite3
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from ..daterange import add_months, month_end, month_start
from ..durations import hours, minutes
from .catalogue import album_artists, track_credits
from .enrichment import ARTIST_GENRES
from .rollups_albums import ALBUM
from .rollups_monthly import ARTIST, GAP_MIN_DAYS, TRACK, WEEKDAY_SQL, Entity

_CANDIDATE_BATCH = 250
_MAX_CANDIDATES = 4000
#: Top lists of ranges shorter than this sum every item of the range: a few thousand
#: rollup rows, when all-time plays bound a week's plays so loosely that the candidates
#: (db/stats.py's docstring) would take a dozen batches.
_DIRECT_DAYS = 62
#: Top lists longer than this (deep pages of a full list) sum every item too: the 1,000th
#: place of a year is a few plays, which thousands of candidates can reach (measured at a
#: million plays: 37 ms by candidates, 20 ms summed, for 1,000 tracks of twelve months).
_CANDIDATES_UP_TO = 100


@dataclass(frozen=True)
class PeriodTotals:
    """Counted plays, milliseconds of every music stream, distinct tracks and artists."""

    plays: int
    ms_played: int
    tracks: int
    artists: int

    @property
    def hours(self) -> float:
        return hours(self.ms_played)

    @property
    def minutes(self) -> float:
        return minutes(self.ms_played)


@dataclass(frozen=True)
class _Pieces:
    """A clamped range cut into whole years, whole months and edge days, in time order:
    (level, first, last) with level 'year' ('YYYY'), 'month' ('YYYY-MM') or 'day'."""

    parts: tuple[tuple[str, str, str], ...]
    covers_all: bool

    @property
    def empty(self) -> bool:
        return not self.parts

    @property
    def daily_only(self) -> bool:
        return all(level == "day" for level, _, _ in self.parts)


@dataclass
class GenreBreakdown:
    """Genre plays: every play counts once for each genre of each of its artists."""

    items: list[dict] = field(default_factory=list)
    genre_plays: int = 0  # sum over all genres (the denominator of ``share``)
    unknown_plays: int = 0  # artist-plays whose artist has no known genre
    artist_plays: int = 0  # all artist-plays (the denominator of ``unknown_share``)

    @property
    def unknown_share(self) -> float:
        return round(self.unknown_plays / self.artist_plays, 4) if self.artist_plays else 0.0

    @property
    def other_share(self) -> float:
        shown = sum(item["plays"] for item in self.items)
        if not self.genre_plays:
            return 0.0
        return round((self.genre_plays - shown) / self.genre_plays, 4)


class ListeningStats:
    """One user's listening stats over date ranges; one instance per request (it caches
    the first and last day with data and the per-artist sums of the last range asked)."""

    def __init__(self, conn: sqlite3.Connection, user_id: int) -> None:
        self.conn = conn
        self.user_id = user_id
        first, last = conn.execute(
            "SELECT MIN(day), MAX(day) FROM rollup_day WHERE user_id = ?", (user_id,)
        ).fetchone()
        self.first_day = date.fromisoformat(first) if first else None
        self.last_day = date.fromisoformat(last) if last else None
        self._artist_sums: dict[tuple[date, date], list[tuple]] = {}

    # -- the questions ------------------------------------------------------------------

    def summary(self, start: date, end: date) -> PeriodTotals:
        """Plays, milliseconds, distinct tracks and distinct artists with a play."""
        plays, ms = self.conn.execute(
            "SELECT COALESCE(SUM(plays), 0), COALESCE(SUM(ms_played), 0) FROM rollup_day "
            "WHERE user_id = ? AND day BETWEEN ? AND ?",
            (self.user_id, start.isoformat(), end.isoformat()),
        ).fetchone()
        return PeriodTotals(
            plays, ms, self._distinct(TRACK, start, end), self._distinct(ARTIST, start, end)
        )

    def all_time(self) -> PeriodTotals:
        """The summary of every day with data (zeros for an empty history)."""
        if self.first_day is None:
            return PeriodTotals(0, 0, 0, 0)
        return self.summary(self.first_day, self.last_day)

    def volume(self, start: date, end: date, bucket: str) -> list[dict]:
        """Plays and minutes per day, week (from Monday) or month; empty periods as zeros."""
        return [
            {"period": label, "plays": p, "minutes": minutes(ms)}
            for label, p, ms in self.volume_ms(start, end, bucket)
        ]

    def volume_ms(self, start: date, end: date, bucket: str) -> list[tuple[str, int, int]]:
        """(period label, plays, ms_played) per period, unrounded, for pages that show
        hours rather than minutes; empty periods as zeros."""
        totals = dict.fromkeys(period_labels(start, end, bucket), (0, 0))
        # Summed by SQLite per period: 14 years are 5,000 days, too many to add up in Python.
        rows = self._tuples(
            f"SELECT {PERIOD_SQL[bucket].format(col='day')} AS period, SUM(plays), "
            f"SUM(ms_played) FROM rollup_day WHERE user_id = ? AND day BETWEEN ? AND ? "
            f"GROUP BY period",
            (self.user_id, start.isoformat(), end.isoformat()),
        )
        totals.update((label, (plays, ms)) for label, plays, ms in rows)
        return [(label, p, ms) for label, (p, ms) in totals.items()]

    def top_tracks(self, start: date, end: date, limit: int) -> list[dict]:
        return _listed(self._top(TRACK, start, end, limit), self._track_facts)

    def top_artists(self, start: date, end: date, limit: int) -> list[dict]:
        return _listed(self._top(ARTIST, start, end, limit), self._artist_facts)

    def top_albums(self, start: date, end: date, limit: int) -> list[dict]:
        """Albums by plays. A song counts for one album: its ``tracks.album_id``, the
        album of the version the user played most (catalogue.refresh_song_uris). One song
        is one item everywhere (DESIGN §4b): a song played as a single and on its album is
        not split between them, nor counted twice. An album's plays and minutes are those
        of its songs in the range (minutes of every stream, as for an artist); it is listed
        once one of its songs has a counted play. Read from the album rollups
        (rollups_albums.py), which hold exactly those sums, the way top tracks are."""
        return _listed(self._top(ALBUM, start, end, limit), self._album_facts)

    def ranked_page(
        self, what: str, start: date, end: date, sort: str, offset: int, limit: int
    ) -> tuple[list[dict], int]:
        """One page of a full top list: (items with their ``rank``, number of items).

        ``what`` is 'artists', 'tracks' or 'albums'; ``sort`` 'plays' (ties by minutes) or
        'time' (minutes, ties by plays); the last tie-break is the order items were stored.
        """
        entity = {"tracks": TRACK, "artists": ARTIST, "albums": ALBUM}[what]
        total = self._distinct(entity, start, end)
        if sort == "plays":
            ranked = self._top(entity, start, end, offset + limit)[offset:]
        elif entity is ARTIST:
            ranked = sorted((r[:3] for r in self._artist_rows(start, end)), key=_rank_by_time)[
                offset : offset + limit
            ]
        else:
            ranked = self._by_time(entity, start, end, offset, limit)
        facts = {
            "tracks": self._track_facts,
            "artists": self._artist_facts,
            "albums": self._album_facts,
        }[what]
        items = _listed(ranked, facts)
        for rank, item in enumerate(items, start=offset + 1):
            item["rank"] = rank
        return items, total

    def _track_facts(self, ids: list[int]) -> dict[int, dict]:
        credits = self._credits(ids)
        return {
            i: {
                "name": name,
                "artists": [n for _, n in credits[i]],
                "artist_ids": [a for a, _ in credits[i]],
                "album": album,
                "album_id": album_id,
                "uri": uri,
            }
            for i, name, uri, album, album_id in self.conn.execute(
                f"SELECT t.id, t.name, t.spotify_id, al.name, al.id FROM tracks t "
                f"LEFT JOIN albums al ON al.id = t.album_id WHERE t.id IN ({_marks(ids)})",
                ids,
            )
        }

    def _artist_facts(self, ids: list[int]) -> dict[int, dict]:
        return {
            i: {"name": name, "genres": known_genres(genres)}
            for i, name, genres in self.conn.execute(
                f"SELECT a.id, a.name, g.genres FROM artists a JOIN ({ARTIST_GENRES}) g "
                f"ON g.artist_id = a.id WHERE a.id IN ({_marks(ids)})",
                ids,
            )
        }

    def _album_facts(self, ids: list[int]) -> dict[int, dict]:
        artists = album_artists(self.conn, ids)
        return {
            i: {"name": name, "artists": artists.get(i, [])}
            for i, name in self.conn.execute(
                f"SELECT id, name FROM albums WHERE id IN ({_marks(ids)})", ids
            )
        }

    def artist_rank(self, artist_id: int, start: date, end: date) -> int | None:
        """The artist's place in the range's top artists (the order of ``top_artists``);
        None without a counted play in the range.

        Only an artist with at least as many plays in the range can be ahead, so only
        artists whose all-time plays (a bound of their range plays) reach that many and
        who were played around the range are summed: a handful for a favourite artist,
        instead of every artist with their genres."""
        pieces = self._pieces(start, end)
        if pieces.empty:
            return None
        if pieces.covers_all:
            return self._all_time_artist_rank(artist_id)
        sql, args = self._sums_sql(ARTIST, pieces, [artist_id])
        mine = self._tuples(sql, args)
        if not mine:
            return None
        rivals = [
            r[0]
            for r in self._tuples(
                "SELECT artist_id FROM rollup_artist_total WHERE user_id = ? AND plays >= ? "
                "AND last_day >= ? AND first_day <= ?",
                (self.user_id, mine[0][1], start.isoformat(), end.isoformat()),
            )
        ]
        sql, args = self._sums_sql(ARTIST, pieces, rivals if len(rivals) <= _MAX_IDS else None)
        key = _rank(mine[0])
        return 1 + sum(1 for r in self._tuples(sql, args) if _rank(r) < key)

    def _all_time_artist_rank(self, artist_id: int) -> int | None:
        """``artist_rank`` over every day with data: counted in the totals' rank index."""
        mine = self.conn.execute(
            "SELECT plays, ms_played FROM rollup_artist_total WHERE user_id = ? AND artist_id = ?",
            (self.user_id, artist_id),
        ).fetchone()
        if mine is None:
            return None
        plays, ms = mine[0], mine[1]
        return (
            1
            + self.conn.execute(
                "SELECT COUNT(*) FROM rollup_artist_total WHERE user_id = ? AND plays >= ? "
                "AND (plays > ? OR ms_played > ? OR (ms_played = ? AND artist_id < ?))",
                (self.user_id, plays, plays, ms, ms, artist_id),
            ).fetchone()[0]
        )

    def top_genres(self, start: date, end: date, limit: int) -> GenreBreakdown:
        """Genres by plays; plays by artists without a known genre are counted as unknown.

        Shares are of all genre-attributed plays (so a three-genre artist's play adds to
        three genres); ``unknown_share`` is of all artist-plays.
        """
        result = GenreBreakdown()
        # Artists share a few hundred genre lists: plays are summed per list first, then
        # spread over its genres once (not once per artist: 5,000 of them at 1M plays).
        list_plays: dict[str | None, int] = defaultdict(int)
        for _artist_id, plays, _ms, genres_json in self._artist_rows(start, end):
            list_plays[genres_json] += plays
        genre_plays: dict[str, int] = defaultdict(int)
        for genres_json, plays in list_plays.items():
            result.artist_plays += plays
            genres = known_genres(genres_json)
            if not genres:
                result.unknown_plays += plays
            for genre in genres:
                genre_plays[genre] += plays
        result.genre_plays = sum(genre_plays.values())
        ranked = sorted(genre_plays.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        result.items = [
            {"genre": g, "plays": p, "share": round(p / result.genre_plays, 4)} for g, p in ranked
        ]
        return result

    def heatmap(self, start: date, end: date) -> list[list[int]]:
        """Plays by local weekday (Monday first) and hour: 7 rows of 24."""
        cells = [[0] * 24 for _ in range(7)]
        for level, first, last in self._pieces(start, end).parts:
            if level == "day":
                sql = (
                    f"SELECT {WEEKDAY_SQL.format(col='day')}, hour, SUM(plays) "
                    f"FROM rollup_day_hour WHERE user_id = ? AND day BETWEEN ? AND ? "
                    f"GROUP BY 1, 2"
                )
            else:
                sql = (
                    "SELECT weekday, hour, SUM(plays) FROM rollup_month_weekday_hour "
                    "WHERE user_id = ? AND month BETWEEN ? AND ? GROUP BY weekday, hour"
                )
                if level == "year":
                    first, last = f"{first}-01", f"{last}-12"
            for weekday, hour, plays in self.conn.execute(sql, (self.user_id, first, last)):
                cells[weekday][hour] += plays
        return cells

    def discoveries(
        self, start: date, end: date, bucket: str = "month", names_per_month: int = 3
    ) -> list[dict]:
        """Artists whose first counted play falls in each day, week or month of the range,
        with the names of the most-played of them (all-time plays)."""
        found = {
            m: {"period": m, "artists": 0, "names": [], "ids": []}
            for m in period_labels(start, end, bucket)
        }
        # Ordered by SQLite, names looked up only for the few shown: "all" holds 5,000
        # discoveries at a million plays.
        cursor = self.conn.cursor()
        cursor.row_factory = None
        for label, artist_id in cursor.execute(
            f"SELECT {PERIOD_SQL[bucket].format(col='f.first_day')}, f.artist_id "
            "FROM rollup_artist_first f LEFT JOIN rollup_artist_total t "
            "ON t.user_id = f.user_id AND t.artist_id = f.artist_id "
            "WHERE f.user_id = ? AND f.first_day BETWEEN ? AND ? "
            "ORDER BY 1, t.plays DESC, t.ms_played DESC, f.artist_id",
            (self.user_id, start.isoformat(), end.isoformat()),
        ):
            entry = found[label]
            entry["artists"] += 1
            if len(entry["ids"]) < names_per_month:
                entry["ids"].append(artist_id)
        shown = [i for entry in found.values() for i in entry["ids"]]
        names = dict(
            cursor.execute(
                "SELECT id, name FROM artists WHERE id IN (SELECT value FROM json_each(?))",
                (json.dumps(shown),),
            )
        )
        for entry in found.values():
            entry["names"] = [names[i] for i in entry["ids"]]
        return list(found.values())

    def new_tracks(self, start: date, end: date) -> int:
        """Tracks whose first counted play falls in the range (discovered then)."""
        return self.conn.execute(
            "SELECT COUNT(*) FROM rollup_track_first WHERE user_id = ? "
            "AND first_day BETWEEN ? AND ?",
            (self.user_id, start.isoformat(), end.isoformat()),
        ).fetchone()[0]

    def most_consistent_artist(self, start: date, end: date) -> dict | None:
        """The artist played on the most distinct days of the range (ties: more plays,
        then the name): {"id", "name", "days", "plays"}, or None without a play.

        The range's rows are picked first (MATERIALIZED): left to itself the planner groups
        along the by-artist index and so reads every day of every artist (540,000 rows at
        a million plays) for a 90-day answer."""
        row = self.conn.execute(
            "WITH r AS MATERIALIZED (SELECT artist_id, plays FROM rollup_day_artist "
            "WHERE user_id = ? AND day BETWEEN ? AND ? AND plays > 0) "
            "SELECT a.name, COUNT(*) AS days, SUM(r.plays) AS plays, a.id "
            "FROM r JOIN artists a ON a.id = r.artist_id "
            "GROUP BY r.artist_id ORDER BY days DESC, plays DESC, a.name LIMIT 1",
            (self.user_id, start.isoformat(), end.isoformat()),
        ).fetchone()
        return {"id": row[3], "name": row[0], "days": row[1], "plays": row[2]} if row else None

    def on_this_day(self, today: date, per_year: int = 3) -> list[dict]:
        """The most-played tracks on today's calendar date in each earlier year with a play,
        newest first: {"date", "years_ago", "tracks": [{"id", "track", "artists", "plays",
        "credits"}]}: ``artists`` names them all, ``credits`` one by one ({"id", "name"})."""
        if self.first_day is None:
            return []
        years = []
        for year in range(today.year - 1, self.first_day.year - 1, -1):
            try:
                day = today.replace(year=year)
            except ValueError:  # 29 February in a common year
                continue
            rows = self.conn.execute(
                "SELECT t.id, t.name, r.plays "
                "FROM rollup_day_track r JOIN tracks t ON t.id = r.track_id "
                "WHERE r.user_id = ? AND r.day = ? AND r.plays > 0 "
                "ORDER BY r.plays DESC, r.ms_played DESC, t.name LIMIT ?",
                (self.user_id, day.isoformat(), per_year),
            ).fetchall()
            if rows:
                credits = self._credits([r[0] for r in rows])
                years.append(
                    {
                        "date": day,
                        "years_ago": today.year - year,
                        "tracks": [
                            {
                                "id": i,
                                "track": name,
                                "plays": plays,
                                "artists": ", ".join(n for _, n in credits[i]),
                                "credits": [{"id": a, "name": n} for a, n in credits[i]],
                            }
                            for i, name, plays in rows
                        ],
                    }
                )
        return years

    # -- how ------------------------------------------------------------------------------

    def _credits(self, track_ids: list[int]) -> dict[int, list[tuple[int, str]]]:
        return defaultdict(list, track_credits(self.conn, track_ids))

    def _tuples(self, sql: str, args: object = ()) -> list[tuple]:
        """Rows as plain tuples (cheaper than sqlite3.Row for thousands of rows)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, args).fetchall()

    def _pieces(self, start: date, end: date) -> _Pieces:
        if self.first_day is None or start > self.last_day or end < self.first_day:
            return _Pieces((), False)
        lo, hi = max(start, self.first_day), min(end, self.last_day)
        covers_all = lo == self.first_day and hi == self.last_day
        # A year or month is whole when the range holds every day of it that has data.
        y1 = lo.year if lo in (date(lo.year, 1, 1), self.first_day) else lo.year + 1
        y2 = hi.year if hi in (date(hi.year, 12, 31), self.last_day) else hi.year - 1
        if y1 > y2:
            return _Pieces(tuple(self._month_pieces(lo, hi)), covers_all)
        parts = []
        if lo < date(y1, 1, 1):
            parts += self._month_pieces(lo, date(y1 - 1, 12, 31))
        parts.append(("year", str(y1), str(y2)))
        if hi > date(y2, 12, 31):
            parts += self._month_pieces(date(y2 + 1, 1, 1), hi)
        return _Pieces(tuple(parts), covers_all)

    def _month_pieces(self, lo: date, hi: date) -> list[tuple[str, str, str]]:
        first = month_start(lo)
        if lo not in (first, self.first_day):
            first = add_months(first, 1)
        last = month_start(hi)
        if hi not in (month_end(hi), self.last_day):
            last = add_months(last, -1)
        if first > last:
            return [("day", lo.isoformat(), hi.isoformat())]
        parts = []
        if lo < first:
            parts.append(("day", lo.isoformat(), (first - timedelta(days=1)).isoformat()))
        parts.append(("month", first.isoformat()[:7], last.isoformat()[:7]))
        after = month_end(last) + timedelta(days=1)
        if hi >= after:
            parts.append(("day", after.isoformat(), hi.isoformat()))
        return parts

    def _sums_sql(
        self,
        entity: Entity,
        pieces: _Pieces,
        ids: list[int] | None = None,
    ) -> tuple[str, list]:
        """(id, plays, ms_played) per item with a counted play over the pieces, optionally
        for some ids only."""
        col = entity.id_col
        only = f"AND {col} IN ({_marks(ids)})" if ids else ""
        parts, args = [], []
        for level, first, last in pieces.parts:
            parts.append(
                f"SELECT {col} AS id, plays, ms_played FROM {entity.table(level)} "
                f"WHERE user_id = ? AND {level} BETWEEN ? AND ? {only}"
            )
            args += [self.user_id, first, last, *(ids or [])]
        sql = (
            f"SELECT id, SUM(plays) AS plays, SUM(ms_played) AS ms FROM "
            f"({' UNION ALL '.join(parts)}) GROUP BY id HAVING SUM(plays) > 0"
        )
        return sql, args

    def _top(self, entity: Entity, start: date, end: date, limit: int) -> list[tuple]:
        """(id, plays, ms) of the top ``limit`` items, best first."""
        pieces = self._pieces(start, end)
        if pieces.empty:
            return []
        col = entity.id_col
        if pieces.covers_all:
            return self._tuples(
                f"SELECT {col}, plays, ms_played FROM {entity.total_table} WHERE user_id = ? "
                f"ORDER BY plays DESC, ms_played DESC, {col} LIMIT ?",
                (self.user_id, limit),
            )
        if entity is ARTIST:
            return _best(self._artist_rows(start, end), limit)
        days = (min(end, self.last_day) - max(start, self.first_day)).days
        if pieces.daily_only or days < _DIRECT_DAYS or limit > _CANDIDATES_UP_TO:
            sql, args = self._sums_sql(entity, pieces)
            return self._tuples(f"{sql} ORDER BY plays DESC, ms DESC, id LIMIT ?", (*args, limit))
        return self._top_by_candidates(entity, pieces, start, end, limit)

    def _top_by_candidates(
        self, entity: Entity, pieces: _Pieces, start: date, end: date, limit: int
    ) -> list[tuple]:
        col = entity.id_col
        # Read in the rank index's order and stopped early: the planner's choice, the span
        # index, sorts every item played around the range first (53,000 tracks for a past
        # year at a million plays, 45 ms) when one or two batches are all that is read.
        cursor = self.conn.execute(
            f"SELECT {col}, plays FROM {entity.total_table} INDEXED BY {entity.total_table}_rank "
            f"WHERE user_id = ? AND last_day >= ? AND first_day <= ? "
            f"ORDER BY plays DESC, ms_played DESC LIMIT ?",
            (self.user_id, start.isoformat(), end.isoformat(), _MAX_CANDIDATES),
        )
        try:
            best: list[tuple] = []
            seen, batch = 0, cursor.fetchmany(_CANDIDATE_BATCH)
            while batch:
                seen += len(batch)
                sql, args = self._sums_sql(entity, pieces, [c[0] for c in batch])
                best = sorted(best + self._tuples(sql, args), key=_rank)[:limit]
                batch = cursor.fetchmany(_CANDIDATE_BATCH)
                if not batch and seen < _MAX_CANDIDATES:
                    return best  # every item played around the range was measured
                # Candidates come by all-time plays, an upper bound of their range plays.
                if batch and len(best) == limit and batch[0][1] < best[-1][1]:
                    return best
        finally:
            cursor.close()
        sql, args = self._sums_sql(entity, pieces)
        return self._tuples(f"{sql} ORDER BY plays DESC, ms DESC, id LIMIT ?", (*args, limit))

    def _artist_rows(self, start: date, end: date) -> list[tuple]:
        """(artist id, plays, ms, genres JSON) of every artist with a play in the range
        (genres by the ``ARTIST_GENRES`` rule: Spotify's, else MusicBrainz's); remembered,
        since the page asks for top artists and genres of the same range."""
        key = (start, end)
        if key not in self._artist_sums:
            pieces = self._pieces(start, end)
            if pieces.empty:
                sql, args = "", []
            elif pieces.covers_all:
                sql = (
                    "SELECT artist_id AS id, plays, ms_played AS ms FROM rollup_artist_total "
                    "WHERE user_id = ?"
                )
                args = [self.user_id]
            else:
                sql, args = self._sums_sql(ARTIST, pieces)
            self._artist_sums[key] = (
                self._tuples(
                    f"SELECT s.id, s.plays, s.ms, g.genres FROM ({sql}) s "
                    f"JOIN ({ARTIST_GENRES}) g ON g.artist_id = s.id",
                    args,
                )
                if sql
                else []
            )
        return self._artist_sums[key]

    def _by_time(
        self, entity: Entity, start: date, end: date, offset: int, limit: int
    ) -> list[tuple]:
        """(id, plays, ms) of tracks or albums with a play, by minutes, a page at ``offset``."""
        pieces = self._pieces(start, end)
        if pieces.empty:
            return []
        if pieces.covers_all:
            col = entity.id_col
            return self._tuples(
                f"SELECT {col}, plays, ms_played FROM {entity.total_table} WHERE user_id = ? "
                f"ORDER BY ms_played DESC, plays DESC, {col} LIMIT ? OFFSET ?",
                (self.user_id, limit, offset),
            )
        sql, args = self._sums_sql(entity, pieces)
        return self._tuples(
            f"{sql} ORDER BY ms DESC, plays DESC, id LIMIT ? OFFSET ?", (*args, limit, offset)
        )

    def _distinct(self, entity: Entity, start: date, end: date) -> int:
        """Tracks or artists with at least one counted play between the two dates."""
        pieces = self._pieces(start, end)
        if pieces.empty:
            return 0
        table, args = entity.total_table, [self.user_id]
        if pieces.covers_all:
            return self.conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", args
            ).fetchone()[0]
        if end >= self.last_day:
            return self.conn.execute(
                f"SELECT COUNT(*) FROM {table} WHERE user_id = ? AND last_day >= ?",
                (*args, start.isoformat()),
            ).fetchone()[0]
        if len(pieces.parts) == 1 and pieces.parts[0][0] != "day":
            level, first, last = pieces.parts[0]
            if first == last:
                # One whole calendar year or month (a past year's page): its items with a
                # play are its rows in that rollup, read by its (user, period) index.
                return self.conn.execute(
                    f"SELECT COUNT(*) FROM {entity.table(level)} WHERE user_id = ? "
                    f"AND {level} = ? AND plays > 0",
                    (*args, first),
                ).fetchone()[0]
        if (end - start).days + 1 < GAP_MIN_DAYS:
            return self.conn.execute(
                f"SELECT COUNT(DISTINCT {entity.id_col}) FROM {entity.day_table} "
                f"WHERE user_id = ? AND day BETWEEN ? AND ? AND plays > 0",
                (*args, start.isoformat(), end.isoformat()),
            ).fetchone()[0]
        span = (start.isoformat(), end.isoformat())
        overlapping = self.conn.execute(
            f"SELECT COUNT(*) FROM {table} WHERE user_id = ? AND last_day >= ? AND first_day <= ?",
            (*args, *span),
        ).fetchone()[0]
        # The silent gaps (no play from before the range to after it) are counted from the
        # nearer end of the history: gaps starting before the range when it lies early,
        # ending after it when it lies late (a year three years back reads a fifth of them).
        late = (start - self.first_day) > (self.last_day - end)
        index = f"{entity.gap_table}_{'end' if late else 'span'}"
        silent = self.conn.execute(
            f"SELECT COUNT(*) FROM {entity.gap_table} INDEXED BY {index} WHERE user_id = ? "
            f"AND after_day < ? AND before_day > ?",
            (*args, *span),
        ).fetchone()[0]
        return overlapping - silent


#: More ids than this are summed without naming them (one IN list stays small).
_MAX_IDS = 1000


def _listed(ranked: list[tuple], facts: Callable[[list[int]], dict[int, dict]]) -> list[dict]:
    """Ranked (id, plays, ms) rows as every top list shows them: the item's id, what
    ``facts`` says of it (asked once for all the ids), its plays and minutes."""
    if not ranked:
        return []
    about = facts([r[0] for r in ranked])
    return [{"id": i, **about[i], "plays": p, "minutes": minutes(ms)} for i, p, ms in ranked]


def _marks(ids: list) -> str:
    """One SQL placeholder per id, for ``IN (...)``."""
    return ",".join("?" * len(ids))


def _best(rows: list[tuple], limit: int) -> list[tuple]:
    """(id, plays, ms) of the ``limit`` best-ranked ``rows``. Only rows with at least the
    ``limit``-th most plays can be among them: those are found at C speed, and only they
    are ranked in Python (10 of 5,000 artists, not all 5,000)."""
    if len(rows) > limit > 0:
        floor = heapq.nlargest(limit, [r[1] for r in rows])[-1]
        rows = [r for r in rows if r[1] >= floor]
    return sorted((r[:3] for r in rows), key=_rank)[:limit]


def _rank(row: tuple) -> tuple:
    return (-row[1], -row[2], row[0])


def _rank_by_time(row: tuple) -> tuple:
    return (-row[2], -row[1], row[0])


@lru_cache(maxsize=4096)
def _parse_genres(genres_json: str) -> tuple[str, ...]:
    try:
        genres = json.loads(genres_json)
    except ValueError:
        return ()
    if not isinstance(genres, list):
        return ()
    return tuple(g for g in genres if isinstance(g, str) and g)


def known_genres(genres_json: str | None) -> list[str]:
    """An artist's genres; NULL (never fetched) and '[]' (Spotify lists none) are unknown.

    Parsed once per distinct JSON text: artists share a few hundred genre lists.
    """
    return list(_parse_genres(genres_json)) if genres_json else []


#: The label of a 'YYYY-MM-DD' column ``{col}``'s period, as ``period_labels`` names them:
#: the day, the Monday on or before it (back six days, then forward to a Monday), the month.
PERIOD_SQL = {
    "day": "{col}",
    "week": "date({col}, '-6 days', 'weekday 1')",
    "month": "substr({col}, 1, 7)",
}


def period_labels(start: date, end: date, bucket: str) -> list[str]:
    """Every period label from ``start`` to ``end``, in order."""
    labels, day = [], start
    if bucket == "day":
        step = timedelta(days=1)
        while day <= end:
            labels.append(day.isoformat())
            day += step
        return labels
    if bucket == "week":
        day -= timedelta(days=day.weekday())
        while day <= end:
            labels.append(day.isoformat())
            day += timedelta(weeks=1)
        return labels
    day = month_start(day)
    while day <= end:
        labels.append(day.isoformat()[:7])
        day = add_months(day, 1)
    return labels

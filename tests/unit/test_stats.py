"""db/stats.py: the fast paths (monthly/yearly rollups, all-time totals, candidate pruning,
gap counting) give exactly what a naive aggregation of the daily rollups gives."""

import json
import random
from datetime import UTC, date, datetime, timedelta

import pytest
from factories import add_plays

from music_time_machine.db import stats as stats_module
from music_time_machine.db.rollups_monthly import MONTHLY_TABLES, refresh_monthly
from music_time_machine.db.stats import PERIOD_SQL, ListeningStats, period_labels
from music_time_machine.db.users import create_user
from music_time_machine.demo import generate_demo

END = datetime(2024, 11, 20, 18, tzinfo=UTC)


@pytest.fixture
def demo(db):
    user = create_user(db, "Demo", "Europe/Berlin")
    generate_demo(db, user, plays=5000, seed=3, years=3.0, end=END)
    return db, user


def naive_sums(conn, user, table, col, start, end):
    return [
        tuple(r)
        for r in conn.execute(
            f"SELECT {col}, SUM(plays) p, SUM(ms_played) m FROM {table} WHERE user_id = ? "
            f"AND day BETWEEN ? AND ? GROUP BY {col} HAVING p > 0 ORDER BY p DESC, m DESC, {col}",
            (user, start.isoformat(), end.isoformat()),
        )
    ]


def naive_distinct(conn, user, table, col, start, end):
    return conn.execute(
        f"SELECT COUNT(DISTINCT {col}) FROM {table} WHERE user_id = ? "
        f"AND day BETWEEN ? AND ? AND plays > 0",
        (user, start.isoformat(), end.isoformat()),
    ).fetchone()[0]


def random_ranges(first, last, n=40, seed=1):
    rnd = random.Random(seed)
    span = (last - first).days
    ranges = [
        (first, last),
        (first - timedelta(days=30), last + timedelta(days=3)),
        (date(first.year, 1, 1), date(last.year, 12, 31)),
        (first + timedelta(days=1), last - timedelta(days=1)),
    ]
    for _ in range(n):
        a = first + timedelta(days=rnd.randint(-20, span))
        length = rnd.choice([1, 7, 30, 31, 32, 45, 90, 200, 365, 400, 800])
        ranges.append((a, a + timedelta(days=length - 1)))
    return ranges


def test_fast_paths_equal_naive_daily_aggregation_for_random_ranges(demo):
    conn, user = demo
    stats = ListeningStats(conn, user)
    for start, end in random_ranges(stats.first_day, stats.last_day):
        got = stats.summary(start, end)
        assert got.tracks == naive_distinct(
            conn, user, "rollup_day_track", "track_id", start, end
        ), (start, end)
        assert got.artists == naive_distinct(
            conn, user, "rollup_day_artist", "artist_id", start, end
        ), (start, end)
        tracks = naive_sums(conn, user, "rollup_day_track", "track_id", start, end)
        assert stats._top(stats_module.TRACK, start, end, 10) == tracks[:10], (start, end)
        artists = naive_sums(conn, user, "rollup_day_artist", "artist_id", start, end)
        assert stats._top(stats_module.ARTIST, start, end, 7) == artists[:7], (start, end)
        heat = [[0] * 24 for _ in range(7)]
        for day, hour, plays in conn.execute(
            "SELECT day, hour, plays FROM rollup_day_hour WHERE user_id = ? "
            "AND day BETWEEN ? AND ?",
            (user, start.isoformat(), end.isoformat()),
        ):
            heat[date.fromisoformat(day).weekday()][hour] += plays
        assert stats.heatmap(start, end) == heat, (start, end)


def test_candidate_pruning_falls_back_to_a_full_aggregation(demo, monkeypatch):
    conn, user = demo
    monkeypatch.setattr(stats_module, "_MAX_CANDIDATES", 3)
    monkeypatch.setattr(stats_module, "_CANDIDATE_BATCH", 2)
    stats = ListeningStats(conn, user)
    for start, end in random_ranges(stats.first_day, stats.last_day, n=15, seed=2):
        expected = naive_sums(conn, user, "rollup_day_track", "track_id", start, end)[:10]
        assert stats._top(stats_module.TRACK, start, end, 10) == expected


def snapshot(conn):
    return {t: sorted(tuple(r) for r in conn.execute(f"SELECT * FROM {t}")) for t in MONTHLY_TABLES}


def test_incremental_refreshes_equal_a_full_rebuild(demo):
    conn, user = demo  # the demo wrote 45-day chunks: incremental refreshes
    add_plays(conn, user, [("Late Band", "Late Song", "2024-11-20 10:00:00", 200_000)])
    incremental = snapshot(conn)
    assert all(incremental[t] for t in MONTHLY_TABLES)
    refresh_monthly(conn, user)
    assert snapshot(conn) == incremental


def test_pieces_use_whole_years_and_months_of_the_data(db):
    user = create_user(db, "P", "UTC")
    add_plays(
        db,
        user,
        [("A", "a", "2022-03-10 12:00:00", 60_000), ("A", "a", "2024-05-20 12:00:00", 60_000)],
    )
    stats = ListeningStats(db, user)
    assert stats._pieces(date(2022, 1, 1), date(2024, 12, 31)).covers_all
    assert stats._pieces(date(2022, 3, 10), date(2024, 5, 20)).parts == (("year", "2022", "2024"),)
    assert stats._pieces(date(2022, 4, 2), date(2024, 2, 10)).parts == (
        ("day", "2022-04-02", "2022-04-30"),
        ("month", "2022-05", "2022-12"),
        ("year", "2023", "2023"),
        ("month", "2024-01", "2024-01"),
        ("day", "2024-02-01", "2024-02-10"),
    )
    assert stats._pieces(date(2023, 6, 3), date(2023, 6, 9)).parts == (
        ("day", "2023-06-03", "2023-06-09"),
    )
    assert stats._pieces(date(2025, 1, 1), date(2025, 2, 1)).empty


def test_a_long_silence_is_not_counted_as_listening(db):
    user = create_user(db, "G", "UTC")
    add_plays(
        db,
        user,
        [
            ("A", "a", "2024-01-01 12:00:00", 60_000),
            ("A", "a", "2024-06-01 12:00:00", 60_000),
            ("B", "b", "2024-03-01 12:00:00", 60_000),
            ("C", "c", "2023-12-01 12:00:00", 60_000),
            ("C", "c", "2024-07-01 12:00:00", 10_000),
        ],
    )  # short: not a play
    stats = ListeningStats(db, user)
    assert stats.summary(date(2024, 1, 2), date(2024, 5, 31)).tracks == 1  # only b
    assert stats.summary(date(2024, 1, 1), date(2024, 5, 31)).tracks == 2
    assert stats.summary(date(2024, 1, 2), date(2024, 2, 27)).artists == 0
    assert stats.summary(date(2023, 12, 2), date(2024, 7, 1)).artists == 2  # A, B


def test_genres_count_each_genre_of_an_artist_and_report_unknown(db):
    user = create_user(db, "G", "UTC")
    add_plays(
        db,
        user,
        [
            ("Duo", "x", "2024-01-01 12:00:00", 60_000, {"genres": ["pop", "rock"]}),
            ("Duo", "y", "2024-01-01 13:00:00", 60_000, {"genres": ["pop", "rock"]}),
            ("Solo", "z", "2024-01-01 14:00:00", 60_000, {"genres": ["jazz"]}),
            ("Nobody", "n", "2024-01-01 15:00:00", 60_000),
            ("Empty", "e", "2024-01-01 16:00:00", 60_000, {"genres": []}),
            ("Solo", "z", "2024-01-01 17:00:00", 5_000, {"genres": ["jazz"]}),  # short
        ],
    )
    genres = ListeningStats(db, user).top_genres(date(2024, 1, 1), date(2024, 1, 1), 2)
    assert genres.items == [
        {"genre": "pop", "plays": 2, "share": 0.4},
        {"genre": "rock", "plays": 2, "share": 0.4},
    ]
    assert genres.other_share == 0.2  # jazz
    assert (genres.unknown_plays, genres.artist_plays, genres.unknown_share) == (2, 5, 0.4)


def test_volume_labels_weeks_by_monday_and_fills_gaps():
    assert period_labels(date(2024, 1, 3), date(2024, 1, 16), "week") == [
        "2024-01-01",
        "2024-01-08",
        "2024-01-15",
    ]
    assert period_labels(date(2023, 12, 31), date(2024, 2, 1), "month") == [
        "2023-12",
        "2024-01",
        "2024-02",
    ]


@pytest.mark.parametrize("bucket", ["day", "week", "month"])
def test_sqlite_labels_every_day_as_period_labels_does(db, bucket):
    """Volume is summed per period by SQLite: its label of each day of four years (leap
    day, year ends on every weekday) is the label period_labels gives that day."""
    days = [date(2022, 12, 20) + timedelta(days=n) for n in range(4 * 366)]
    labels = [
        r[0]
        for r in db.execute(
            f"WITH d(day) AS (SELECT value FROM json_each(?)) "
            f"SELECT {PERIOD_SQL[bucket].format(col='day')} FROM d",
            (json.dumps([d.isoformat() for d in days]),),
        )
    ]
    assert labels == [period_labels(d, d, bucket)[0] for d in days]


def test_empty_user_answers_zeros(db):
    user = create_user(db, "E", "UTC")
    stats = ListeningStats(db, user)
    day = date(2024, 1, 1)
    assert stats.summary(day, day).plays == 0
    assert stats.top_tracks(day, day, 10) == []
    assert stats.top_genres(day, day, 10).unknown_share == 0.0
    assert stats.heatmap(day, day) == [[0] * 24 for _ in range(7)]
    assert stats.volume(day, day, "day") == [{"period": "2024-01-01", "plays": 0, "minutes": 0.0}]


@pytest.mark.parametrize("rule", ["min_ms", "finished"])
@pytest.mark.parametrize("seed", range(4))
def test_out_of_order_batches_equal_a_full_rebuild(db, rule, seed):
    """Incremental upkeep (totals, first days, gaps split by older history arriving later,
    an item whose first counted play follows short streams) equals a full rebuild."""
    from music_time_machine.db.rollups import rebuild_rollups
    from music_time_machine.db.users import update_settings
    from music_time_machine.rules import PlayRule

    rnd = random.Random(seed)
    user = create_user(db, "R", "America/New_York")
    other = create_user(db, "O", "UTC")
    update_settings(db, user, play_rule=PlayRule(rule))
    start = datetime(2021, 1, 1, tzinfo=UTC)
    rows = []
    for _ in range(400):
        when = start + timedelta(days=rnd.randint(0, 900), minutes=rnd.randint(0, 1439))
        artist = rnd.choice(["A", "B", "C & D", "E", "F & A"])
        track = f"t{rnd.randint(0, 12)}"
        extra = {
            "reason_end": rnd.choice(["trackdone", "fwdbtn", None]),
            "skipped": rnd.choice([0, 1, None]),
        }
        if rnd.random() < 0.3:
            extra["duration_ms"] = 180_000
        rows.append(
            (
                artist,
                track,
                when.strftime("%Y-%m-%d %H:%M:%S"),
                rnd.choice([5_000, 29_999, 30_000, 170_000, 200_000]),
                extra,
            )
        )
    rnd.shuffle(rows)
    add_plays(db, other, [("A", "t1", "2022-01-01 10:00:00", 60_000)])
    for first in range(0, len(rows), 37):
        add_plays(db, user, [(*r[:4], dict(r[4])) for r in rows[first : first + 37]])
    # Every rollup table the schema has (today 6 daily, 9 monthly and the hours per track),
    # read from the database itself so that a rollup added later is held to the same rule.
    tables = [
        r[0]
        for r in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'rollup%'"
        )
    ]
    assert len(tables) >= 16 and set(MONTHLY_TABLES) < set(tables)
    incremental = {t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM {t}")) for t in tables}
    assert incremental["rollup_track_gap"]
    rebuild_rollups(db, user)
    assert {
        t: sorted(tuple(r) for r in db.execute(f"SELECT * FROM {t}")) for t in tables
    } == incremental


def test_best_rows_are_the_full_ranking_cut_short_ties_included():
    rng = random.Random(5)
    rows = [(i, rng.randint(0, 6), rng.randint(0, 3), "[]") for i in range(300)]
    full = sorted((r[:3] for r in rows), key=stats_module._rank)
    for limit in (0, 1, 10, 299, 300, 400):
        assert stats_module._best(rows, limit) == full[:limit]

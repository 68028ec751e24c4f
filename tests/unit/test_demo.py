"""The demo generator: deterministic, exact, and shaped like a real listener."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from conftest import open_fresh_db
from factories import scalar

from music_time_machine.demo import DemoStats, generate_demo
from music_time_machine.demo.taste import artist_count
from music_time_machine.sandbox.world import build_world

END = datetime(2026, 3, 14, 18, tzinfo=UTC)
PLAYS = 12_000

DUMP_QUERIES = (
    "SELECT spotify_id, name, genres FROM artists ORDER BY id",
    "SELECT spotify_id, name FROM albums ORDER BY id",
    "SELECT spotify_id, name, album_id, duration_ms, energy, valence, danceability, tempo,"
    " acousticness, instrumentalness, speechiness, features_source FROM tracks ORDER BY id",
    "SELECT * FROM track_artists ORDER BY track_id, artist_id",
    "SELECT track_id, played_at, ms_played, source, local_date, local_hour, skipped, shuffle,"
    " reason_start, reason_end, platform FROM plays ORDER BY id",
    "SELECT * FROM rollup_day ORDER BY day",
)


def _dump(conn: sqlite3.Connection) -> list[list[tuple]]:
    return [[tuple(row) for row in conn.execute(q)] for q in DUMP_QUERIES]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[sqlite3.Connection, DemoStats]:
    conn, uid = open_fresh_db(tmp_path_factory.mktemp("demo") / "demo.db", "Europe/Berlin")
    stats = generate_demo(conn, uid, plays=PLAYS, seed=7, end=END)
    yield conn, stats
    conn.close()


def test_same_seed_same_rows_and_other_seed_differs(fresh_db) -> None:
    dumps = []
    for name, seed in (("a", 3), ("b", 3), ("c", 4)):
        conn, uid = fresh_db(f"{name}.db", "Europe/Berlin")
        generate_demo(conn, uid, plays=4_000, seed=seed, end=END)
        dumps.append(_dump(conn))
    assert dumps[0] == dumps[1]
    assert dumps[0][0] != dumps[2][0]  # other artists
    assert dumps[0][4] != dumps[2][4]  # other plays


def test_exact_play_count_and_stats(demo) -> None:
    conn, stats = demo
    assert stats.plays == PLAYS == scalar(conn, "SELECT COUNT(*) FROM plays")
    assert scalar(conn, "SELECT COUNT(*) FROM plays WHERE source <> 'demo'") == 0
    assert stats.tracks == scalar(conn, "SELECT COUNT(*) FROM tracks")
    assert stats.artists == scalar(conn, "SELECT COUNT(*) FROM artists")
    assert stats.short_plays == scalar(conn, "SELECT COUNT(*) FROM plays WHERE ms_played < 30000")
    assert stats.first_play is not None and stats.last_play is not None
    assert stats.last_play <= END
    assert END - timedelta(days=3 * 366) <= stats.first_play < END - timedelta(days=3 * 360)
    assert END - stats.last_play < timedelta(days=2)  # the demo looks current


def test_small_and_tiny_counts_are_exact(fresh_db) -> None:
    conn, uid = fresh_db("tiny.db", "Europe/Berlin")
    calls: list[tuple[int, int]] = []
    stats = generate_demo(
        conn,
        uid,
        plays=1_000,
        years=0.5,
        end=END,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert stats.plays == 1_000 == scalar(conn, "SELECT COUNT(*) FROM plays")
    assert calls[0] == (0, 1_000) and calls[-1] == (1_000, 1_000)
    assert generate_demo(conn, uid, plays=0, end=END).plays == 0


def test_night_is_quiet_and_evenings_busy(demo) -> None:
    conn, _ = demo
    night = scalar(conn, "SELECT COUNT(*) FROM plays WHERE local_hour BETWEEN 3 AND 5")
    evening = scalar(conn, "SELECT COUNT(*) FROM plays WHERE local_hour BETWEEN 18 AND 21")
    assert night * 8 < evening


def test_weekends_differ_from_weekdays(demo) -> None:
    conn, _ = demo

    def profile(weekend: bool) -> list[float]:
        rows = dict(
            conn.execute(
                "SELECT local_hour, COUNT(*) FROM plays WHERE (strftime('%w', local_date) IN "
                "('0', '6')) = ? GROUP BY local_hour",
                (int(weekend),),
            ).fetchall()
        )
        total = sum(rows.values())
        return [rows.get(h, 0) / total for h in range(24)]

    weekday, weekend = profile(False), profile(True)
    morning = slice(7, 10)
    assert sum(weekday[morning]) > 1.8 * sum(weekend[morning])  # commute
    assert sum(weekend[12:17]) > 1.1 * sum(weekday[12:17])  # lazy afternoons
    assert sum(abs(a - b) for a, b in zip(weekday, weekend, strict=True)) > 0.25


def test_skips_are_short_and_labelled(demo) -> None:
    conn, _ = demo
    short = scalar(conn, "SELECT AVG(ms_played < 30000) FROM plays")
    assert 0.10 <= short <= 0.25
    assert (
        scalar(
            conn,
            "SELECT COUNT(*) FROM plays WHERE ms_played < 30000 AND "
            "(skipped <> 1 OR reason_end <> 'fwdbtn')",
        )
        == 0
    )
    full = scalar(
        conn,
        "SELECT AVG(p.ms_played = t.duration_ms) FROM plays p "
        "JOIN tracks t ON t.id = p.track_id WHERE p.ms_played >= 30000",
    )
    assert full > 0.85
    assert 0.2 < scalar(conn, "SELECT AVG(shuffle) FROM plays") < 0.8
    assert scalar(conn, "SELECT COUNT(DISTINCT platform) FROM plays") >= 3


def test_sessions_are_consecutive_streams(demo) -> None:
    conn, _ = demo
    rows = conn.execute(
        "SELECT p.played_at, p.ms_played FROM plays p ORDER BY p.played_at"
    ).fetchall()
    back_to_back = sum(
        1
        for (prev, _), (at, ms) in zip(rows, rows[1:], strict=False)
        if 0 <= at - ms - prev < 30_000
    )
    assert back_to_back / len(rows) > 0.75


def test_artist_popularity_is_zipf_like(demo) -> None:
    conn, _ = demo
    totals = [
        r[0]
        for r in conn.execute(
            "SELECT SUM(plays) FROM rollup_day_artist GROUP BY artist_id ORDER BY 1 DESC"
        )
    ]
    median = totals[len(totals) // 2]
    assert totals[0] > 20 * median
    assert sum(totals[:10]) > 0.3 * sum(totals)


def test_no_genres_from_spotify_they_come_from_enrichment(demo) -> None:
    """The demo's Spotify is a development-mode app: like a real user's, the demo's genres
    come from (the fake) MusicBrainz through enrichment, not from the generator."""
    conn, _ = demo
    assert scalar(conn, "SELECT COUNT(*) FROM artists") > 0
    assert scalar(conn, "SELECT COUNT(*) FROM artists WHERE genres IS NOT NULL") == 0
    assert scalar(conn, "SELECT COUNT(*) FROM track_artists WHERE position = 1") > 0  # features


def test_audio_features_follow_genre(demo) -> None:
    conn, _ = demo

    world = build_world(7, artist_count(PLAYS))
    first_genre = {a.spotify_id: a.genres[0] for a in world.artists if a.genres}

    def avg(feature: str, genre: str) -> float | None:
        values = [
            row[0]
            for row in conn.execute(
                f"SELECT t.{feature}, a.spotify_id FROM tracks t JOIN track_artists ta "
                "ON ta.track_id = t.id AND ta.position = 0 JOIN artists a ON a.id = ta.artist_id"
            )
            if first_genre.get(row[1]) == genre
        ]
        return sum(values) / len(values) if values else None

    assert (
        scalar(
            conn,
            "SELECT COUNT(*) FROM tracks WHERE features_source <> 'demo' "
            "OR energy IS NULL OR tempo IS NULL",
        )
        == 0
    )
    assert (
        scalar(
            conn,
            "SELECT COUNT(*) FROM tracks WHERE spotify_id NOT GLOB "
            "'spotify:track:[0-9A-Za-z]*' OR length(spotify_id) <> 36",
        )
        == 0
    )
    assert (
        scalar(conn, "SELECT MIN(duration_ms) >= 120000 AND MAX(duration_ms) <= 421000 FROM tracks")
        == 1
    )
    calm = [g for g in ("ambient", "classical", "lo-fi beats") if avg("energy", g) is not None]
    loud = [g for g in ("metal", "punk", "drum and bass", "techno") if avg("energy", g)]
    assert calm and loud
    assert max(avg("energy", g) for g in calm) < min(avg("energy", g) for g in loud)


def test_discoveries_and_forgotten_loves(demo) -> None:
    conn, _ = demo
    last_day = scalar(conn, "SELECT MAX(day) FROM rollup_day")
    assert (
        scalar(
            conn,
            "SELECT COUNT(*) FROM rollup_artist_first WHERE first_day > date(?, '-30 day')",
            last_day,
        )
        >= 2
    )
    assert (
        scalar(
            conn,
            "SELECT COUNT(*) FROM rollup_track_first WHERE first_day >= strftime('%Y-%m-01', ?)",
            last_day,
        )
        > 0
    )
    gems = scalar(
        conn,
        "SELECT COUNT(*) FROM (SELECT track_id FROM rollup_day_track "
        "WHERE day BETWEEN date(?, '-365 day') AND date(?, '-180 day') "
        "GROUP BY track_id HAVING SUM(plays) >= 3) WHERE track_id NOT IN "
        "(SELECT track_id FROM rollup_day_track WHERE day > date(?, '-90 day'))",
        last_day,
        last_day,
        last_day,
    )
    assert gems >= 5


def test_taste_drifts_across_years(demo) -> None:
    conn, _ = demo

    def top_artists(first: str, last: str) -> set[int]:
        return {
            r[0]
            for r in conn.execute(
                "SELECT artist_id FROM rollup_day_artist WHERE day BETWEEN ? AND ? "
                "GROUP BY artist_id ORDER BY SUM(plays) DESC LIMIT 10",
                (first, last),
            )
        }

    early, late = top_artists("2023-03-01", "2023-12-31"), top_artists("2025-06-01", "2026-03-31")
    assert len(early & late) <= 6
    assert scalar(conn, "SELECT COUNT(DISTINCT substr(local_date, 6)) FROM plays") > 300


def test_rollups_match_plays(demo) -> None:
    conn, _ = demo
    assert scalar(conn, "SELECT SUM(streams) FROM rollup_day") == PLAYS
    assert scalar(conn, "SELECT SUM(plays) FROM rollup_day") == scalar(
        conn, "SELECT COUNT(*) FROM plays WHERE ms_played >= 30000"
    )
    mismatched = scalar(
        conn,
        "SELECT COUNT(*) FROM rollup_day r WHERE streams <> "
        "(SELECT COUNT(*) FROM plays p WHERE p.local_date = r.day)",
    )
    assert mismatched == 0

"""The pages' heavy questions read work in proportion to the answer, not to the history:
measured in SQLite instructions (factories.vm_steps), which do not depend on the machine.
And the query planner has statistics: migration 0012 and large imports measure the tables.
"""

from __future__ import annotations

from datetime import date, timedelta

from factories import add_plays, vm_steps

from music_time_machine.db import transaction
from music_time_machine.db.catalogue import recount_uri_plays
from music_time_machine.db.migrate import migrate
from music_time_machine.db.stats import ListeningStats
from music_time_machine.db.userdata import data_overview
from music_time_machine.importers import run as run_module
from music_time_machine.importers.run import run_import


def _plays(days: list[date], artists: int, per_day: int, minute: int = 0) -> list[tuple]:
    return [
        (f"Artist {a}", f"Song {a}", f"{day} {10 + n % 10:02d}:{minute + n // 10:02d}:00", 200_000)
        for day in days
        for a in range(artists)
        for n in range(per_day)
    ]


def test_settings_overview_counts_streams_without_reading_every_play(fresh_db):
    conn, user = fresh_db()
    days = [date(2024, 5, d) for d in range(1, 11)]
    add_plays(conn, user, _plays(days, artists=4, per_day=5))
    add_plays(
        conn, user, [("A Show", "Episode 1", "2024-05-03 08:00:00", 900_000, {"kind": "podcast"})]
    )
    overview = data_overview(conn, user)
    assert overview["streams"] == conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 201
    assert overview["plays"] == 200
    before = vm_steps(conn, lambda: data_overview(conn, user))

    # Ten times the plays, on the same days and songs: the overview's work stays the same.
    add_plays(conn, user, _plays(days, artists=4, per_day=50, minute=5))
    overview = data_overview(conn, user)
    assert overview["streams"] == conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0]
    assert vm_steps(conn, lambda: data_overview(conn, user)) <= before * 1.2 + 500


def test_most_consistent_artist_reads_only_the_range(fresh_db):
    conn, user = fresh_db()
    today = date(2025, 6, 30)
    window = [today - timedelta(days=d) for d in range(0, 90, 3)]
    add_plays(conn, user, _plays(window, artists=3, per_day=1))
    add_plays(
        conn,
        user,
        _plays(
            [today - timedelta(days=d) for d in range(1, 90, 30)], artists=1, per_day=1, minute=30
        ),
    )
    stats = ListeningStats(conn, user)
    start = today - timedelta(days=89)
    expected = stats.most_consistent_artist(start, today)
    assert {k: v for k, v in expected.items() if k != "id"} == {
        "name": "Artist 0",
        "days": 33,
        "plays": 33,
    }
    before = vm_steps(conn, lambda: stats.most_consistent_artist(start, today))

    # Years of older history for many more artists leave the 90-day answer's work alone.
    old_days = [date(2020, 1, 1) + timedelta(days=d) for d in range(0, 1000, 2)]
    add_plays(conn, user, _plays(old_days, artists=6, per_day=1))
    stats = ListeningStats(conn, user)
    assert stats.most_consistent_artist(start, today) == expected
    assert vm_steps(conn, lambda: stats.most_consistent_artist(start, today)) <= before * 1.2 + 500


def _stat_rows(conn, table: str) -> int:
    """Rows of ``table`` according to the planner's statistics (0 without any)."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
    row = (
        exists
        and conn.execute(
            "SELECT stat FROM sqlite_stat1 WHERE tbl = ? ORDER BY idx IS NULL LIMIT 1", (table,)
        ).fetchone()
    )
    return int(row[0].split()[0]) if row else 0


def test_migration_0012_gives_the_planner_statistics(fresh_db):
    # Plays are written by today's code, then 0012 is made pending again (its statistics
    # and index removed) so that it runs over a database that has them.
    conn, user = fresh_db()
    add_plays(conn, user, _plays([date(2024, 1, d) for d in range(1, 21)], 5, 3))
    with transaction(conn):
        conn.execute("DELETE FROM sqlite_stat1")
        for index in ("plays_not_music", "rollup_track_gap_end", "rollup_artist_gap_end"):
            conn.execute(f"DROP INDEX {index}")
        conn.execute("DELETE FROM schema_migrations WHERE version = 12")
    assert _stat_rows(conn, "plays") == 0
    migrate(conn)
    assert _stat_rows(conn, "plays") == 300
    assert _stat_rows(conn, "rollup_day_artist") == 100
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "plays_not_music" in indexes
    conn.close()


def test_a_large_import_refreshes_the_statistics_and_a_small_one_does_not(
    fresh_db, tmp_path, monkeypatch
):
    from import_fixtures import EXTENDED_DIR

    conn, user = fresh_db()
    path = EXTENDED_DIR / "Streaming_History_Audio_2022.json"
    monkeypatch.setattr(run_module, "ANALYZE_AFTER_ROWS", 10**9)
    summary = run_import(conn, user, [path])
    assert summary.ok and summary.stored > 0
    assert _stat_rows(conn, "plays") == 0

    conn2, user2 = fresh_db("second.sqlite")
    monkeypatch.setattr(run_module, "ANALYZE_AFTER_ROWS", summary.stored)
    run_import(conn2, user2, [path])
    assert _stat_rows(conn2, "plays") == summary.stored


def _uri_plays(songs: int) -> list[tuple]:
    return [
        (
            f"Artist {s % 7}",
            f"Song {s}",
            f"2024-03-{1 + n:02d} 12:{s % 60:02d}:00",
            200_000,
            {"uri": f"spotify:track:{s:022d}"},
        )
        for s in range(songs)
        for n in range(10)
    ]


def test_recounting_uri_plays_reads_the_plays_once_not_once_per_uri(fresh_db):
    """Undoing a file recounts every URI's plays: twice the URIs and plays must cost about
    twice the work (it read every play once per URI: four times, and hours at 1M plays)."""
    steps = []
    for songs in (40, 80):
        conn, user = fresh_db(f"songs-{songs}.sqlite")
        add_plays(conn, user, _uri_plays(songs))
        conn.execute(
            "UPDATE plays SET uri_id = "
            "(SELECT id FROM track_uris u WHERE u.track_id = plays.track_id)"
        )
        conn.execute("UPDATE track_uris SET plays = 99")
        steps.append(vm_steps(conn, lambda c=conn, u=user: recount_uri_plays(c, u)))
        counts = conn.execute("SELECT plays, COUNT(*) FROM track_uris GROUP BY plays")
        assert [tuple(row) for row in counts] == [(10, songs)]
    assert steps[1] < 2.6 * steps[0]


def test_a_range_late_in_the_history_does_not_read_the_early_gaps(fresh_db):
    """Distinct tracks of a past year count the silent gaps from the nearer end: years of
    older history (each track with a gap long before the range) add no work."""
    conn, user = fresh_db()
    recent = [date(2025, 1, 1) + timedelta(days=d) for d in range(0, 500, 7)]
    add_plays(conn, user, _plays(recent, artists=5, per_day=1))
    start, end = date(2025, 3, 1), date(2025, 12, 31)
    stats = ListeningStats(conn, user)
    expected = stats.summary(start, end)
    before = vm_steps(conn, lambda: ListeningStats(conn, user).summary(start, end))

    early = [date(2019, 1, 1) + timedelta(days=d) for d in range(0, 700, 10)]
    add_plays(
        conn,
        user,
        [
            (f"Old {n}", f"Old song {n}", f"{day} 09:00:00", 200_000)
            for n in range(600)
            for day in early[n % 7 :: 7]
        ],
    )
    assert ListeningStats(conn, user).summary(start, end) == expected
    assert (
        vm_steps(conn, lambda: ListeningStats(conn, user).summary(start, end)) <= before * 1.2 + 500
    )


def _gappy_songs(first: int, songs: int) -> list[tuple]:
    """Songs ``first`` .. ``first + songs - 1``, each played every 90 days for two years
    (from 2021-01-01 to 2022-09-23): seven long gaps each."""
    return [
        (f"Gap artist {s}", f"Gap song {s}", f"{date(2021, 1, 1) + timedelta(days=d)} 09:00:00", 1)
        for s in range(first, first + songs)
        for d in range(0, 720, 90)
    ]


def test_new_plays_recompute_the_gaps_of_their_songs_not_every_gap(fresh_db):
    """A new play re-derives its song's and artist's gaps around it: how many gaps other
    songs have adds no work (a plan that walked a by-day gap index once per new song read
    every earlier gap of the user: 9 s per import slice at 100k plays)."""
    conn, user = fresh_db()
    add_plays(conn, user, [(n, s, t, 200_000) for n, s, t, _ in _gappy_songs(0, 20)])

    def one_new_play(song: int, minute: int):
        return lambda: add_plays(
            conn,
            user,
            [(f"Gap artist {song}", f"Gap song {song}", f"2022-02-10 10:{minute}:00", 200_000)],
        )

    before = vm_steps(conn, one_new_play(1, 10))
    add_plays(conn, user, [(n, s, t, 200_000) for n, s, t, _ in _gappy_songs(20, 600)])
    after = vm_steps(conn, one_new_play(2, 11))
    assert after <= before * 1.2 + 500
    gaps = conn.execute(
        "SELECT COUNT(*) FROM rollup_track_gap WHERE track_id IN "
        "(SELECT id FROM tracks WHERE name IN ('Gap song 1', 'Gap song 2'))"
    )
    assert gaps.fetchone()[0] == 2 * 8  # the new play splits one gap of each song in two

"""Counted plays per artist and local hour (migration 0018, the artist page's hours) equal
a plain count over the plays: kept by every import, rebuilt by a play-rule or time-zone
change, filled by the migration for an existing history."""

from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

from factories import add_plays, database_before

from music_time_machine.db.explore import artist_hours
from music_time_machine.db.migrate import migrate
from music_time_machine.db.recount import rebucket_user
from music_time_machine.db.rollups import rebuild_rollups
from music_time_machine.db.users import create_user, ensure_local_user, update_settings
from music_time_machine.rules import PlayRule

ROWS = [
    ("Ana", "One", "2024-06-01 10:00:00", 100_000),
    ("Ana", "One", "2024-06-01 10:30:00", 100_000),
    ("Ana", "Two", "2024-06-02 23:10:00", 40_000),
    ("Ana & Ben", "Duet", "2024-06-03 04:00:00", 200_000),
    ("Ben", "Solo", "2024-06-03 04:20:00", 10_000),  # short: a stream, not a play
    ("Ben", "Solo", "2024-10-27 00:30:00", 240_000),  # the night Berlin's clocks go back
]


def expected(conn, user_id, zone, min_ms):
    """{artist name: {local hour: counted plays}} straight from the plays and credits."""
    counts: dict[str, Counter] = {}
    for artist, played_at, ms in conn.execute(
        "SELECT a.name, p.played_at, p.ms_played FROM plays p "
        "JOIN track_artists ta ON ta.track_id = p.track_id JOIN artists a ON a.id = ta.artist_id "
        "WHERE p.user_id = ? AND p.kind = 'music'",
        (user_id,),
    ):
        hour = datetime.fromtimestamp(played_at / 1000, ZoneInfo(zone)).hour
        counts.setdefault(artist, Counter())[hour] += ms >= min_ms
    return {a: {h: n for h, n in c.items() if n} for a, c in counts.items()}


def stored(conn, user_id):
    found = {}
    for artist_id, name in conn.execute(
        "SELECT id, name FROM artists WHERE user_id = ?", (user_id,)
    ).fetchall():
        hours = artist_hours(conn, user_id, artist_id)
        found[name] = {h: n for h, n in enumerate(hours) if n}
    return found


def test_imports_keep_the_artists_hours(fresh_db):
    conn, user = fresh_db(timezone="Europe/Berlin")
    add_plays(conn, user, ROWS[:3])
    add_plays(conn, user, ROWS[3:])  # a second import adds into the same rows
    assert stored(conn, user) == expected(conn, user, "Europe/Berlin", 30_000)
    assert stored(conn, user)["Ana"][12] == 2  # 10:00 and 10:30 UTC are 12 h in Berlin
    assert stored(conn, user)["Ben"][6] == 1  # the duet counts for both artists


def test_a_play_rule_and_a_time_zone_change_rebuild_them(fresh_db):
    conn, user = fresh_db(timezone="Europe/Berlin")
    add_plays(conn, user, ROWS)
    update_settings(conn, user, play_rule=PlayRule("min_ms", 60_000))
    rebuild_rollups(conn, user)
    assert stored(conn, user) == expected(conn, user, "Europe/Berlin", 60_000)
    update_settings(conn, user, timezone="America/New_York")
    rebucket_user(conn, user)
    assert stored(conn, user) == expected(conn, user, "America/New_York", 60_000)


def test_users_do_not_share_them(fresh_db):
    conn, user = fresh_db()
    other = create_user(conn, "other")
    add_plays(conn, other, ROWS)
    assert stored(conn, user) == {}
    ana = conn.execute("SELECT id FROM artists WHERE user_id = ? AND name = 'Ana'", (other,))
    assert artist_hours(conn, user, ana.fetchone()[0]) == [0] * 24


def test_migration_0018_fills_them_for_an_existing_history(tmp_path, monkeypatch):
    conn = database_before(tmp_path / "old.sqlite", monkeypatch, 18)
    user = ensure_local_user(conn, "Europe/Berlin")
    add_plays(conn, user, ROWS)
    assert conn.execute("SELECT COUNT(*) FROM rollup_track_hour").fetchone()[0] > 0
    migrate(conn)
    assert stored(conn, user) == expected(conn, user, "Europe/Berlin", 30_000)
    conn.close()

import sqlite3

import pytest

from music_time_machine.db import connect
from music_time_machine.db import migrate as migrate_module
from music_time_machine.db.migrate import current_version, latest_version, migrate


def tables(conn):
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_migrates_an_empty_database_to_the_latest_version(tmp_path):
    conn = connect(tmp_path / "a.sqlite")
    applied = migrate(conn)
    assert applied and applied[-1] == latest_version()
    assert current_version(conn) == latest_version()
    assert {
        "users",
        "user_settings",
        "spotify_accounts",
        "artists",
        "albums",
        "tracks",
        "track_artists",
        "plays",
        "top_snapshots",
        "rollup_day",
        "rollup_day_track",
        "rollup_day_artist",
        "rollup_day_hour",
    } <= tables(conn)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_rerunning_migrations_is_a_no_op(tmp_path):
    conn = connect(tmp_path / "a.sqlite")
    migrate(conn)
    before = conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall()
    assert migrate(conn) == []
    assert conn.execute("SELECT sql FROM sqlite_master ORDER BY name").fetchall() == before


def test_a_failing_migration_leaves_the_previous_version(tmp_path, monkeypatch):
    conn = connect(tmp_path / "a.sqlite")
    migrate(conn)
    good, latest = migrate_module.available(), latest_version()
    broken = (latest + 1, "broken", "CREATE TABLE half_done (x);\nNOT SQL AT ALL;")
    monkeypatch.setattr(migrate_module, "available", lambda: [*good, broken])
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn)
    assert current_version(conn) == latest
    assert "half_done" not in tables(conn)


def test_play_uniqueness_rule(db):
    db.execute("INSERT INTO users (id, display_name) VALUES (1, 'a')")
    db.execute("INSERT INTO tracks (id, user_id, name, match_key) VALUES (1, 1, 't', 'a\x1ft')")
    row = (1, 1, 1_700_000_000_000, 200_000, "api", "2023-11-14", 22)
    sql = (
        "INSERT OR IGNORE INTO plays (user_id, track_id, played_at, ms_played, source,"
        " local_date, local_hour) VALUES (?, ?, ?, ?, ?, ?, ?)"
    )
    db.execute(sql, row)
    db.execute(sql, row)
    assert db.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 1


def test_a_missing_lower_version_is_still_applied(tmp_path):
    conn = connect(tmp_path / "a.sqlite")
    migrate(conn)
    conn.execute("DROP TABLE sync_runs")
    conn.execute("DROP TABLE sync_state")
    conn.execute("DELETE FROM schema_migrations WHERE version = 3")
    assert migrate(conn) == [3]
    assert "sync_runs" in tables(conn)

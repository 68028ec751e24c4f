"""Restore reads rows only from a schema that is exactly ours: no views, triggers, virtual
tables, extra tables or changed columns (a recursive view as ``plays`` once ran for 26
minutes)."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from factories import demo_backup

from music_time_machine.importers.restore import restore_backup

RECURSIVE_PLAYS = (
    "CREATE VIEW plays AS WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) "
    "SELECT x AS id, 1 AS user_id, 1 AS track_id, x AS played_at, 1000 AS ms_played, "
    "'music' AS kind, 'extended' AS source FROM r"
)


@pytest.fixture
def backup(app, conn, local_user, tmp_path) -> Path:
    return demo_backup(app, conn, local_user, tmp_path / "backup.sqlite", plays=300, years=0.2)


def _tamper(path: Path, *statements: str) -> None:
    with sqlite3.connect(path) as b:
        for statement in statements:
            b.execute(statement)
    sqlite3.connect(path).close()


def _plays(conn) -> int:
    return conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0]


@pytest.mark.parametrize(
    "statements, expected",
    [
        (["DROP TABLE plays", RECURSIVE_PLAYS], "contains a view (plays)"),
        (["CREATE VIEW extra AS SELECT 1"], "contains a view (extra)"),
        (["CREATE TRIGGER t AFTER INSERT ON users BEGIN SELECT 1; END"], "contains a trigger (t)"),
        (["CREATE VIRTUAL TABLE notes USING fts5(body)"], "contains a virtual table (notes)"),
        (["CREATE TABLE notes (body TEXT)"], "has a table 'notes' that the schema of version"),
        (["ALTER TABLE plays ADD COLUMN evil TEXT"], "has a column plays.evil that"),
        (["ALTER TABLE plays DROP COLUMN incognito"], "lacks the column plays.incognito"),
        (["DROP TABLE top_snapshots"], "lacks the table 'top_snapshots'"),
        (["DROP INDEX import_jobs_user"], "has indexes that differ"),
    ],
)
def test_a_backup_whose_schema_is_not_ours_is_refused_before_any_row_is_read(
    conn, local_user, backup, tmp_path, statements, expected
):
    copy = tmp_path / "tampered.sqlite"
    copy.write_bytes(backup.read_bytes())
    _tamper(copy, *statements)
    before = _plays(conn)
    summary = restore_backup(conn, local_user, copy)
    assert not summary.ok
    assert expected in summary.files[0].error
    assert _plays(conn) == before


def test_a_column_of_another_type_is_refused(conn, local_user, backup, tmp_path):
    """``plays`` rebuilt with ``played_at TEXT``: same names, other types."""
    copy = tmp_path / "retyped.sqlite"
    copy.write_bytes(backup.read_bytes())
    with sqlite3.connect(copy) as b:
        sql = b.execute("SELECT sql FROM sqlite_master WHERE name = 'plays'").fetchone()[0]
        b.execute("PRAGMA writable_schema = ON")
        b.execute(
            "UPDATE sqlite_master SET sql = ? WHERE name = 'plays'",
            (re.sub(r"played_at(\s+)INTEGER", r"played_at\1TEXT", sql),),
        )
    summary = restore_backup(conn, local_user, copy)
    assert not summary.ok
    assert "has the column plays.played_at as TEXT" in summary.files[0].error


def test_an_untouched_backup_still_restores(conn, local_user, backup):
    summary = restore_backup(conn, local_user, backup)
    assert summary.ok, summary.headline()

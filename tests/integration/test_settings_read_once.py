"""The play rule and the time zone are read once per job and passed down (issue #14): an
import committed in many slices and a restore written in many batches read the user's
settings once each, not again at every insert and every rollup update."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from factories import demo_backup

from music_time_machine.db.users import create_user
from music_time_machine.importers import restore as restore_module
from music_time_machine.importers import run as run_module
from music_time_machine.importers import run_import


def _trace(conn) -> list[str]:
    """Every statement the connection runs from now on."""
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    return statements


def _settings_reads(statements: list[str]) -> int:
    return sum("FROM user_settings" in s for s in statements)


def _extended_file(path: Path, first: int, rows: int) -> Path:
    path.write_text(
        json.dumps(
            [
                {
                    "ts": datetime.fromtimestamp(1_600_000_000 + i * 300, UTC).strftime(
                        "%Y-%m-%dT%H:%M:%SZ"
                    ),
                    "ms_played": 20_000 + (i % 5) * 30_000,
                    "master_metadata_track_name": f"Song {i % 30}",
                    "master_metadata_album_artist_name": f"Artist {i % 7}",
                    "master_metadata_album_album_name": "Album",
                    "spotify_track_uri": f"spotify:track:{i % 30:022d}",
                    "reason_end": "trackdone",
                }
                for i in range(first, first + rows)
            ]
        ),
        encoding="utf-8",
    )
    return path


def test_an_import_in_many_slices_reads_the_settings_once(conn, local_user, tmp_path, monkeypatch):
    monkeypatch.setattr(run_module, "SLICE_SECONDS", 0)  # every batch commits
    monkeypatch.setattr(run_module, "BATCH_ROWS", 100)
    files = [
        _extended_file(tmp_path / f"Streaming_History_Audio_{n}.json", n * 400, 400)
        for n in range(3)
    ]
    statements = _trace(conn)
    summary = run_import(conn, local_user, files)
    conn.set_trace_callback(None)
    assert summary.plays_added + summary.short_plays == 1_200
    assert sum(s == "COMMIT" for s in statements) >= 10  # many slices, each with rollups
    assert _settings_reads(statements) == 1


def test_a_restore_in_many_batches_reads_the_settings_once(
    app, conn, local_user, tmp_path, monkeypatch
):
    backup = demo_backup(app, conn, local_user, tmp_path / "backup.sqlite", plays=400, years=0.2)
    restorer = create_user(conn, "Restorer")
    monkeypatch.setattr(restore_module, "BATCH_ROWS", 50)
    statements = _trace(conn)
    summary = restore_module.restore_backup(conn, restorer, backup)
    conn.set_trace_callback(None)
    assert summary.errors == [] and summary.plays_added + summary.short_plays >= 300
    assert sum("INSERT INTO temp.new_track_days" in s for s in statements) >= 6  # batches
    assert _settings_reads(statements) == 1

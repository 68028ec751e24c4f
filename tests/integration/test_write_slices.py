"""Long writes commit in slices so that other users' writes go in between (issue #13):
one large file is imported over several transactions yet stays all or nothing (a failure,
a cancel or a crash in the middle leaves exactly what was there before), and a time-zone
re-count stages its new dates in slices, showing its progress in the job row, before one
short swap."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from factories import add_plays
from import_fixtures import dump, extended_play, write_history
from web_client import csrf

from music_time_machine import create_app
from music_time_machine.cli import _undo_abandoned_writes
from music_time_machine.db import connect
from music_time_machine.db.users import create_user, get_settings
from music_time_machine.importers import run as run_module
from music_time_machine.importers import run_import
from music_time_machine.jobcontrol import JobControl, JobStopped

ROWS = 3_000


def _history(path: Path, rows: int, first: int = 0, tail: str = "", catalogue: int = 1) -> Path:
    """One extended-history file of ``rows`` distinct plays of 40 tracks by 9 artists on 5
    albums (after the first batch no new track is written); ``catalogue`` picks which 40
    (files with another number bring tracks, artists and albums not stored yet); ``tail``
    is appended to the JSON text."""
    c = catalogue
    data = [
        extended_play(
            1_600_000_000 + i * 300,
            20_000 + (i % 7) * 30_000,
            f"Song {c}-{i % 40}",
            f"Artist {c}-{i % 9}",
            f"Album {c}-{i % 5}",
            f"spotify:track:{c:02d}{i % 40:020d}",
        )
        for i in range(first, first + rows)
    ]
    return write_history(path, data, tail)


@pytest.fixture
def history_before(app, conn, local_user, tmp_path) -> int:
    """Plays, rollups and catalogue rows already stored (another user's too): a failed file
    must leave them exactly as they are."""
    run_import(
        conn,
        local_user,
        [_history(tmp_path / "Streaming_History_Audio_2019.json", 500, first=-40_000)],
    )
    add_plays(
        conn, create_user(conn, "Someone else"), [("Band", "Tune", "2024-05-01 10:00:00", 200_000)]
    )
    return local_user


def _plays_seen_by_another_connection(conn: sqlite3.Connection) -> int:
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    other = sqlite3.connect(path)
    try:
        return other.execute("SELECT COUNT(*) FROM plays").fetchone()[0]
    finally:
        other.close()


def test_a_file_commits_in_slices_and_a_cancel_half_way_leaves_the_database_as_before(
    conn, history_before, tmp_path, small_slices
):
    path = _history(tmp_path / "Streaming_History_Audio_2020.json", ROWS, catalogue=2)
    before = dump(conn)
    stored = _plays_seen_by_another_connection(conn)
    control = JobControl(3600)
    seen = []

    def progress(p) -> None:
        if p.rows_done >= 2_000 and not control.cancelled:
            # Slices of this file are committed: other connections already see its rows.
            seen.append(_plays_seen_by_another_connection(conn))
            control.cancel()
        control.check()

    with pytest.raises(JobStopped, match="Cancelled"):
        run_import(conn, history_before, [path], progress=progress)
    assert seen and seen[0] > stored + 1_000
    assert dump(conn) == before


def test_a_file_that_fails_after_committed_slices_leaves_nothing_and_others_stay(
    conn, history_before, tmp_path, small_slices
):
    good = _history(tmp_path / "Streaming_History_Audio_2020.json", 400, first=10_000)
    broken = _history(tmp_path / "Streaming_History_Audio_2021.json", ROWS, tail=", {", catalogue=2)
    run_import(conn, history_before, [good])
    before = dump(conn)
    stored = _plays_seen_by_another_connection(conn)
    seen = []

    def progress(p) -> None:
        if p.current_file == broken.name:
            seen.append(_plays_seen_by_another_connection(conn))

    summary = run_import(conn, history_before, [good, broken], progress=progress)
    assert summary.files[0].error is None and summary.files[0].duplicates == 400
    assert "JSON" in summary.files[1].error  # the truncation, found after 3,000 rows
    assert max(seen) > stored + 1_000  # slices of the broken file had committed
    assert dump(conn) == before  # none of them is left, rollups included
    # Importing the fixed file later adds it whole (nothing was half-counted).
    fixed = _history(tmp_path / "Streaming_History_Audio_2021.json", ROWS, catalogue=2)
    report = run_import(conn, history_before, [fixed]).files[0]
    assert report.plays_added + report.short_plays == ROWS


def test_a_cancel_as_the_next_file_starts_keeps_the_finished_multi_slice_file_whole(
    conn, history_before, tmp_path, small_slices, monkeypatch
):
    first = _history(
        tmp_path / "Streaming_History_Audio_2020.json", ROWS, first=10_000, catalogue=2
    )
    second = _history(tmp_path / "Streaming_History_Audio_2021.json", 400, catalogue=3)
    stored = len(dump(conn)["plays"])
    control = JobControl(3600)
    # The importer's clock moves a "second" per progress report of the first file but its
    # last, so its last rows stay in the slice that is open when the second file starts.
    now = [0.0]
    monkeypatch.setattr(run_module, "SLICE_SECONDS", 0.5)
    monkeypatch.setattr(
        run_module,
        "time",
        SimpleNamespace(monotonic=lambda: now[0], perf_counter=time.perf_counter),
    )

    def progress(p) -> None:
        if p.current_file == first.name and p.rows_done < ROWS:
            now[0] += 1
        if p.current_file == second.name:
            assert conn.in_transaction  # (the situation this test is about)
            control.cancel()
        control.check()

    with pytest.raises(JobStopped):
        run_import(conn, history_before, [first, second], progress=progress)
    after = dump(conn)
    assert len(after["plays"]) == stored + ROWS  # the first file, all of it
    assert after["import_file_slices"] == []


CRASH = """
import os, sys
from music_time_machine.db import connect
from music_time_machine.importers import feed, parse
from music_time_machine.importers import feed, run as run_module
run_module.SLICE_SECONDS, run_module.BATCH_ROWS, run_module.PROGRESS_EVERY_S = 0, 200, 0
feed.ITEM_BATCH = 500
conn = connect(sys.argv[1])
def progress(p):
    if p.rows_done >= 2000:
        os._exit(9)  # the process dies: no rollback, no clean-up
run_module.run_import(conn, int(sys.argv[2]), [sys.argv[3]], progress=progress)
"""


def test_a_crash_half_way_through_a_file_is_undone_when_the_server_starts(
    app, app_config, conn, history_before, tmp_path
):
    path = _history(tmp_path / "Streaming_History_Audio_2020.json", ROWS, catalogue=2)
    before = dump(conn)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, "-c", CRASH, app.config["DATABASE"], str(history_before), str(path)],
        env=env,
        timeout=120,
    )
    assert done.returncode == 9
    after_crash = dump(conn)
    assert len(after_crash["plays"]) > len(before["plays"]) + 1_000  # committed slices
    assert after_crash["import_file_slices"]
    _undo_abandoned_writes(create_app(app_config))  # what `mtm serve` does when it starts
    assert dump(conn) == before


def test_another_users_preferences_go_through_while_a_large_file_imports(
    app_config, tmp_path, small_slices
):
    app = create_app({**app_config, "MTM_BUSY_TIMEOUT_S": 1})
    client = app.test_client()
    conn = connect(app.config["DATABASE"])
    importer = create_user(conn, "Importer")
    path = _history(tmp_path / "Streaming_History_Audio_2020.json", ROWS)
    token = csrf(client)  # the local user, another user
    reached, resume = threading.Event(), threading.Event()
    result = {}

    def progress(p) -> None:
        if p.rows_done >= 2_000 and not reached.is_set():
            reached.set()
            resume.wait(60)

    def work() -> None:
        own = connect(app.config["DATABASE"])
        try:
            result["summary"] = run_import(own, importer, [path], progress=progress)
        finally:
            own.close()

    thread = threading.Thread(target=work)
    thread.start()
    try:
        assert reached.wait(60)
        response = client.post(
            "/settings/preferences",
            data={"csrf_token": token, "timezone": "Asia/Tokyo", "play_rule": "30s"},
        )
    finally:
        resume.set()
        thread.join(120)
    assert response.status_code == 302  # the re-count job started; not a 503
    assert result["summary"].ok and result["summary"].files[0].rows_read == ROWS
    for other in threading.enumerate():
        if other.name.startswith("rebucket-"):
            other.join(60)
    assert get_settings(conn, importer).timezone == "UTC"
    conn.close()

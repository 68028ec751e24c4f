"""Uploads and jobs left behind by a crash are cleaned at start-up, never those of a live
job in another process (the folder's lock tells them apart; see uploads.py); a stop request
left in a live job's folder stops it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import music_time_machine
from music_time_machine import create_app
from music_time_machine.db import connect, jobs
from music_time_machine.db.users import ensure_local_user
from music_time_machine.jobcontrol import JobControl, JobStopped
from music_time_machine.uploads import (
    LOCK_NAME,
    STOP_NAME,
    claim_upload_folder,
    remove_upload_folder,
    request_stop,
    uploads_root,
)

#: A second process that claims an upload folder like a web upload does, says so, and
#: holds it until its stdin closes; then it dies without cleaning up, like a crash.
HOLDER = """
import os, sys
from music_time_machine.uploads import claim_upload_folder
folder = claim_upload_folder(sys.argv[1], sys.argv[2])
(folder.path / "endsong_0.json").write_text("[]")
print("ready", flush=True)
sys.stdin.read()
os._exit(0)
"""


@pytest.fixture
def data(app_config):
    create_app(app_config)  # the database exists
    conn = connect(app_config["DATABASE"])
    user_id = ensure_local_user(conn, "UTC")
    yield conn, user_id, Path(app_config["MTM_DATA_DIR"])
    conn.close()


def running_job(conn, user_id: int, job_id: str | None = None) -> str:
    job_id = jobs.create_job(conn, user_id, "export", job_id)
    jobs.update_progress(conn, job_id, 0.4, "Importing…")
    return job_id


def test_start_up_removes_a_crashed_jobs_upload_and_says_why(app_config, data):
    conn, user_id, data_dir = data
    crashed_id = jobs.new_job_id()
    folder = claim_upload_folder(data_dir, crashed_id)
    (folder.path / "my_spotify_data.zip").write_bytes(b"\0" * 1_000_000)
    crashed = running_job(conn, user_id, crashed_id)
    folder._lock.close()  # the process died: the kernel dropped its lock, the files stayed
    no_folder = running_job(conn, user_id)  # died before its files were saved
    done = jobs.create_job(conn, user_id)
    jobs.finish_job(conn, done, True, "Imported.", None)
    leftover = uploads_root(data_dir) / done  # from a version without locks
    leftover.mkdir()
    (leftover / "endsong_0.json").write_text("[]")
    orphan = uploads_root(data_dir) / "no-such-job"
    orphan.mkdir()

    create_app(app_config)

    assert list(uploads_root(data_dir).iterdir()) == []
    for job_id in (crashed, no_folder):
        job = jobs.get_job(conn, user_id, job_id)
        assert job["status"] == "failed"
        assert job["message"].startswith("Stopped by a restart: the server stopped")
        assert job["finished_at"] is not None
    assert jobs.get_job(conn, user_id, done)["status"] == "done"
    assert jobs.get_job(conn, user_id, done)["message"] == "Imported."


def test_a_live_job_in_another_process_keeps_its_upload_until_that_process_dies(app_config, data):
    conn, user_id, data_dir = data
    job_id = jobs.new_job_id()
    env = {**os.environ, "PYTHONPATH": str(Path(music_time_machine.__file__).resolve().parents[1])}
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(data_dir), job_id],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        running_job(conn, user_id, job_id)  # the row follows the claimed folder

        create_app(app_config)  # e.g. cron's `mtm sync`, or a second server, starting

        assert (uploads_root(data_dir) / job_id / "endsong_0.json").is_file()
        assert jobs.get_job(conn, user_id, job_id)["status"] == "running"
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)

    create_app(app_config)  # the holder died without cleaning up: now it is stale

    assert not (uploads_root(data_dir) / job_id).exists()
    assert jobs.get_job(conn, user_id, job_id)["status"] == "failed"


def test_a_stop_request_reaches_the_job_of_a_live_folder_only(tmp_path):
    """Another process's Cancel (uploads.request_stop) is seen at the job's next check;
    a folder nobody holds, a missing one or a name that is not a job's asks nothing."""
    folder = claim_upload_folder(tmp_path, "job-a")
    clock = iter(range(10_000))  # one second per check: every check looks
    control = JobControl(3600, clock=lambda: next(clock), stop_requested=folder.stop_requested)
    control.check()
    assert request_stop(tmp_path, "job-a")
    with pytest.raises(JobStopped, match="Cancelled"):
        control.check()
    assert not request_stop(tmp_path, "job-b") and not request_stop(tmp_path, "../job-a")
    abandoned = uploads_root(tmp_path) / "job-c"
    abandoned.mkdir()
    (abandoned / LOCK_NAME).touch()  # its process died: the lock is free
    assert not request_stop(tmp_path, "job-c")
    assert not (abandoned / STOP_NAME).exists()
    remove_upload_folder(folder)
    assert not request_stop(tmp_path, "job-a")

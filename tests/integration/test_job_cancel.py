"""Every background job stops on Cancel or at its time bound (MTM_JOB_MAX_SECONDS), rolls
back the unit it was writing, and says so; a cancelled import or restore leaves the
database exactly as before."""

from __future__ import annotations

from pathlib import Path

import pytest
from factories import demo_backup
from import_fixtures import dump, extended_play, write_history
from web_client import page_csrf

from music_time_machine import background
from music_time_machine.db import jobs
from music_time_machine.db.users import create_user
from music_time_machine.importers import restore as restore_module
from music_time_machine.importers import run as run_module
from music_time_machine.importers import run_import
from music_time_machine.importers.restore import restore_backup
from music_time_machine.jobcontrol import JobControl, JobStopped
from music_time_machine.uploads import claim_upload_folder


def _history(path: Path, rows: int) -> Path:
    """One extended-history file of ``rows`` distinct plays (several insert batches)."""
    data = [
        extended_play(
            1_600_000_000 + i * 300,
            200_000,
            f"Song {i % 997}",
            f"Artist {i % 89}",
            "Album",
            f"spotify:track:{i % 997:022d}",
        )
        for i in range(rows)
    ]
    return write_history(path, data)


def _stop_after(control: JobControl, rows: int):
    """A progress callback that cancels once ``rows`` rows were read, then checks."""

    def progress(p) -> None:
        if p.rows_done >= rows:
            control.cancel()
        control.check()

    return progress


@pytest.fixture
def backup(app, conn, local_user, tmp_path) -> Path:
    """A backup of a demo history, and an account to restore it into (empty of plays)."""
    return demo_backup(app, conn, local_user, tmp_path / "backup.sqlite", plays=5000, years=1.0)


def test_cancelling_an_import_half_way_through_a_file_leaves_nothing(
    conn, local_user, tmp_path, monkeypatch
):
    monkeypatch.setattr(run_module, "PROGRESS_EVERY_S", 0)  # report every batch
    path = _history(tmp_path / "Streaming_History_Audio_2020.json", 50_000)
    before = dump(conn)
    control = JobControl(3600)
    with pytest.raises(JobStopped, match="Cancelled"):
        run_import(conn, local_user, [path], progress=_stop_after(control, 25_000))
    assert dump(conn) == before  # the first 20,000 rows were written, then rolled back


def test_cancelling_a_restore_half_way_leaves_nothing(conn, backup, tmp_path, monkeypatch):
    monkeypatch.setattr(restore_module, "PROGRESS_EVERY_S", 0)
    other = create_user(conn, "Restorer")
    before = dump(conn)
    control = JobControl(3600)
    with pytest.raises(JobStopped):
        restore_backup(conn, other, backup, progress=_stop_after(control, 2048))
    assert dump(conn) == before


def test_a_job_past_its_time_bound_stops_and_says_so(conn, backup, monkeypatch):
    monkeypatch.setattr(restore_module, "PROGRESS_EVERY_S", 0)
    other = create_user(conn, "Restorer")
    before = dump(conn)
    ticks = iter(range(10_000))
    control = JobControl(3, clock=lambda: next(ticks))  # one "second" per check
    with pytest.raises(JobStopped, match="took longer than 3 seconds"):
        restore_backup(conn, other, backup, progress=lambda p: control.check())
    assert dump(conn) == before


def test_the_cancel_button_stops_the_users_job_and_the_page_says_cancelled(
    app, client, conn, local_user, backup
):
    other = create_user(conn, "Restorer")
    job_id = jobs.create_job(conn, local_user, "restore")
    control = JobControl(3600)
    background._controls[job_id] = control
    html = client.get(f"/settings/import/{job_id}").get_data(as_text=True)
    assert 'class="js-cancel-job"' in html and f"/settings/import/{job_id}/cancel" in html
    token = page_csrf(html)
    assert client.post(f"/settings/import/{job_id}/cancel").status_code == 400  # no CSRF
    assert not control.cancelled
    response = client.post(f"/settings/import/{job_id}/cancel", data={"csrf_token": token})
    assert response.status_code == 302 and control.cancelled
    before = dump(conn)

    def work(conn, user_id, paths, progress):
        return restore_backup(conn, other, paths[0], progress=progress)

    folder = claim_upload_folder(app.config["MTM_DATA_DIR"], job_id)
    background.run_job(app, local_user, job_id, folder, [backup], work, control)
    job = client.get(f"/api/import/{job_id}").get_json()
    assert job["status"] == "cancelled"
    assert job["message"] == "Cancelled. Nothing was changed."
    assert "Restore cancelled" in job["html"]
    after = dump(conn)
    assert {t: rows for t, rows in after.items() if t != "import_jobs"} == {
        t: rows for t, rows in before.items() if t != "import_jobs"
    }
    # A finished job cannot be cancelled, and another user's job does not exist for them.
    response = client.post(
        f"/settings/import/{job_id}/cancel", data={"csrf_token": token}, follow_redirects=True
    )
    assert "already finished" in response.get_data(as_text=True)
    theirs = jobs.create_job(conn, other, "export")
    background._controls[theirs] = JobControl(3600)
    assert (
        client.post(f"/settings/import/{theirs}/cancel", data={"csrf_token": token}).status_code
        == 404
    )
    assert not background._controls.pop(theirs).cancelled

"""A time-zone re-count stages its new local dates in slices (other users' writes go in
between), shows its progress in the job row, and changes nothing anyone sees until one
short swap; a cancel while staging leaves settings, charts and the stage as they were
(issue #13)."""

from __future__ import annotations

import threading

from factories import add_plays
from import_fixtures import dump
from web_client import csrf

from music_time_machine import background
from music_time_machine.cli import _undo_abandoned_writes
from music_time_machine.db import connect, jobs, recount
from music_time_machine.db.users import get_settings


def ten_late_evening_plays(conn, user_id: int) -> None:
    """Ten plays at 23:30 UTC: every one moves to the next day in Tokyo."""
    add_plays(
        conn,
        user_id,
        [("A", f"Song {i}", f"2024-06-0{1 + i % 9} 23:30:00", 60_000) for i in range(10)],
    )


def stage_in_slices_of_three(monkeypatch) -> None:
    """Small slices and progress written at every slice, so ten plays take four steps."""
    monkeypatch.setattr(recount, "STAGE_SLICE", 3)
    monkeypatch.setattr(background, "PROGRESS_EVERY_S", 0)


def recount_to_tokyo(client) -> str:
    """Saves Asia/Tokyo on Settings (which starts a re-count) and waits for the re-count's
    thread to end; returns its job id."""
    token = csrf(client)
    response = client.post(
        "/settings/preferences",
        data={"csrf_token": token, "timezone": "Asia/Tokyo", "play_rule": "30s"},
    )
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    for thread in threading.enumerate():
        if thread.name.startswith("rebucket-"):
            thread.join(60)
    return job_id


def test_a_recount_shows_its_progress_in_the_job_row_and_is_labelled(
    app, client, conn, local_user, monkeypatch
):
    ten_late_evening_plays(conn, local_user)
    charts = dump(conn)
    stage_in_slices_of_three(monkeypatch)
    seen = []
    update = jobs.update_progress

    def watch(c, job_id, fraction, message):
        update(c, job_id, fraction, message)
        other = connect(app.config["DATABASE"])  # what any other process's page reads
        try:
            row = other.execute(
                "SELECT message FROM import_jobs WHERE id = ?", (job_id,)
            ).fetchone()
            if row[0].startswith("Re-bucketed"):
                settings, rollups = get_settings(other, local_user), dump(other)
                seen.append((row[0], settings.timezone, rollups["rollup_day"]))
        finally:
            other.close()

    monkeypatch.setattr(jobs, "update_progress", watch)
    job_id = recount_to_tokyo(client)
    assert [m for m, _, _ in seen] == [f"Re-bucketed {n} of 10 plays" for n in (0, 3, 6, 9, 10)]
    # While staging, nobody sees a half re-count: settings and charts are as before.
    assert all(tz == "UTC" and days == charts["rollup_day"] for _, tz, days in seen)
    assert jobs.get_job(conn, local_user, job_id)["status"] == "done"
    assert get_settings(conn, local_user).timezone == "Asia/Tokyo"
    assert not conn.execute("SELECT COUNT(*) FROM recount_stage").fetchone()[0]
    page = client.get("/settings").get_data(as_text=True)
    assert "— re-count, done: Preferences saved: 10 plays re-bucketed" in page


def test_a_recount_cancelled_while_staging_leaves_settings_charts_and_stage_as_before(
    app, client, conn, local_user, monkeypatch
):
    ten_late_evening_plays(conn, local_user)
    before = dump(conn)
    stage_in_slices_of_three(monkeypatch)
    update = jobs.update_progress

    def cancel_when_staged(c, job_id, fraction, message):
        update(c, job_id, fraction, message)
        if message.startswith("Re-bucketed 6 of"):
            background.cancel_job(job_id)

    monkeypatch.setattr(jobs, "update_progress", cancel_when_staged)
    job_id = recount_to_tokyo(client)
    assert jobs.get_job(conn, local_user, job_id)["status"] == "cancelled"
    after = dump(conn)
    assert {t: r for t, r in after.items() if t != "import_jobs"} == {
        t: r for t, r in before.items() if t != "import_jobs"
    }


def test_a_stage_left_by_a_crash_is_emptied_when_the_server_starts(app, conn, local_user):
    add_plays(conn, local_user, [("A", "x", "2024-06-01 23:30:00", 60_000)])
    before = dump(conn)
    recount.stage_local_times(conn, local_user, "Asia/Tokyo", lambda done, total: None)
    assert conn.execute("SELECT COUNT(*) FROM recount_stage").fetchone()[0] == 1
    _undo_abandoned_writes(app)  # what `mtm serve` does when it starts
    assert dump(conn) == before

"""Background work (jobs and syncs) starts in one place, and a shutdown waits for all of it."""

from __future__ import annotations

import threading

from music_time_machine import background
from music_time_machine.db import jobs
from music_time_machine.importers import ImportSummary


def test_a_shutdown_waits_for_every_kind_of_job_and_names_the_unfinished(app, conn, local_user):
    """Every job kind is waited for (the old name list missed re-count jobs and listed an
    "import-" prefix no thread had)."""
    release = threading.Event()

    def work(_conn, _user_id, _paths, progress):
        release.wait(30)
        return ImportSummary()

    job_id = background.start_job(app, conn, local_user, "rebucket", [], work)
    other = background.start_thread("sync-0", release.wait, 30)
    try:
        unfinished = background.wait_for_background(0)
        assert f"rebucket-{job_id[:6]}" in unfinished and "sync-0" in unfinished
        assert background.cancel_job(job_id)  # it runs here, so it can be cancelled
    finally:
        release.set()
    assert background.wait_for_background(30) == []
    assert not other.is_alive()
    job = jobs.get_job(conn, local_user, job_id)
    assert job["status"] == "done"  # the work returned without reporting progress
    assert not background.cancel_job(job_id)  # finished: nothing left to cancel

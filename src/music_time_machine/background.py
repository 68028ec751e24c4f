"""Background work off the request thread: one place that starts, runs, follows, cancels
and (at shutdown) waits for it.

Jobs (importing an export, restoring a backup, re-counting after a settings change) all go
the same way: the files (if any) are saved, a job row is created, a thread does the work
with its own connection and reports progress, and the page follows the job until its
report is ready. Every job can be cancelled and stops by itself after
``MTM_JOB_MAX_SECONDS`` (``jobcontrol.py``): the unit it was writing is rolled back.

Progress is kept in memory as well as in the job row: the work runs inside long
transactions (a group of files, a whole restore), and a row written inside one is invisible to
the page's requests until it commits. The row still gets the progress whenever the work is
between transactions, and always gets the final report.

``mtm enrich`` runs its job the same way in the foreground (``run_job_here``): the same row,
progress and ending, so the server sees it running, refuses to start a second for that user
and can cancel it (a stop request in its upload folder: see ``uploads.request_stop``).

Spotify syncs keep their own run log and lease (``spotify/background.py``, ``db/sync_state``)
but start their threads here too, so a shutdown waits for every kind of work alike.
"""

from __future__ import annotations

import math
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from .db import connect, jobs
from .jobcontrol import JobControl, JobStopped
from .uploads import UploadFolder, claim_upload_folder, remove_upload_folder, request_stop

#: Seconds between progress updates written for the page.
PROGRESS_EVERY_S = 0.25


class JobProgress(Protocol):
    """What a job reports as it goes (``importers.ImportProgress`` or the like)."""

    @property
    def fraction(self) -> float: ...

    def describe(self) -> str: ...


class JobSummary(Protocol):
    """What a job ends with (``importers.ImportSummary`` or the like)."""

    @property
    def ok(self) -> bool: ...

    def headline(self) -> str: ...

    def to_dict(self) -> dict: ...


#: What a job does: (connection, user id, saved files, progress callback) -> summary.
JobWork = Callable[[sqlite3.Connection, int, list[Path], Callable[[Any], None]], JobSummary]

#: What a stopped job of each kind leaves behind.
_KEPT = {
    "export": "Files finished before it stopped were kept; the file being written was rolled "
    "back (upload again to import the rest: nothing is counted twice).",
    "restore": "Nothing was changed.",
    "rebucket": "Your preferences and charts were left as they were.",
    "enrich": "Artists looked up so far are kept; Find genres and artwork (Settings) "
    "continues where it stopped.",
}

_lock = threading.Lock()
_live: dict[str, tuple[float, str]] = {}  # job id -> (progress, message) while running
_controls: dict[str, JobControl] = {}  # job id -> its stop signals while running
_threads: set[threading.Thread] = set()  # every background thread still running


def start_thread(name: str, target: Callable[..., Any], *args: Any) -> threading.Thread:
    """Run ``target(*args)`` on a daemon thread that ``wait_for_background`` waits for."""

    def run() -> None:
        try:
            target(*args)
        finally:
            with _lock:
                _threads.discard(threading.current_thread())

    thread = threading.Thread(target=run, name=name, daemon=True)
    with _lock:
        _threads.add(thread)
    try:
        thread.start()
    except BaseException:
        with _lock:
            _threads.discard(thread)
        raise
    return thread


def wait_for_background(timeout: float) -> list[str]:
    """Give running jobs and syncs up to ``timeout`` seconds to finish; returns the names
    of those still running (their open transaction is rolled back when the process ends)."""
    deadline = time.monotonic() + timeout
    with _lock:
        running = list(_threads)
    for thread in running:
        thread.join(max(0.0, deadline - time.monotonic()))
    return sorted(t.name for t in running if t.is_alive())


class JobRunning(Exception):
    """The user already has a job of this kind queued or running (in some process)."""

    def __init__(self, job_id: str) -> None:
        super().__init__(job_id)
        self.job_id = job_id


def start_job(
    app: Flask,
    conn: sqlite3.Connection,
    user_id: int,
    kind: str,
    files: list[FileStorage],
    work: JobWork,
    *,
    exclusive: bool = False,
) -> str:
    """Create the job, save the files, start ``work`` on a thread; returns the job id.

    With ``exclusive``, a job of ``kind`` the user already has queued or running (in any
    process) is returned instead, and nothing is started. On any failure before the thread
    starts (a full disk, say) nothing is left behind: the job row says why, the folder is
    removed, and the error is raised again.
    """
    try:
        job_id, folder = _open_job(app, conn, user_id, kind, exclusive)
    except JobRunning as running:
        return running.job_id
    control = JobControl(app.config["MTM_JOB_MAX_SECONDS"], stop_requested=folder.stop_requested)
    try:
        paths = [_save(storage, index, folder) for index, storage in enumerate(files)]
        with _lock:
            _controls[job_id] = control
        start_thread(
            f"{kind}-{job_id[:6]}", run_job, app, user_id, job_id, folder, paths, work, control
        )
    except BaseException:
        with _lock:
            _controls.pop(job_id, None)
        jobs.fail_unfinished_job(conn, job_id, "The upload could not be saved on the server.")
        remove_upload_folder(folder)
        raise
    return job_id


def run_job_here(
    app: Flask, conn: sqlite3.Connection, user_id: int, kind: str, work: JobWork
) -> str:
    """Run ``work`` as a job of ``kind`` in this thread (``mtm enrich``); returns its id.

    Raises ``JobRunning`` when the user already has one (the server's, or another
    command's). The job has no time bound (someone is watching it); it stops at a progress
    report after a Cancel from any process (``cancel_job`` with the data folder), and at
    Ctrl+C (marked cancelled; the ``KeyboardInterrupt`` goes on).
    """
    job_id, folder = _open_job(app, conn, user_id, kind, exclusive=True)
    control = JobControl(math.inf, stop_requested=folder.stop_requested)
    run_job(app, user_id, job_id, folder, [], work, control)
    return job_id


def _open_job(
    app: Flask, conn: sqlite3.Connection, user_id: int, kind: str, exclusive: bool
) -> tuple[str, UploadFolder]:
    """The new job's id and its folder, claimed (and locked) before the job row exists:
    see uploads.py. With ``exclusive``, raises ``JobRunning`` instead of a second job."""
    job_id = jobs.new_job_id()
    folder = claim_upload_folder(app.config["MTM_DATA_DIR"], job_id)
    try:
        if not exclusive:
            jobs.create_job(conn, user_id, kind, job_id)
            return job_id, folder
        running = jobs.create_job_unless_running(conn, user_id, kind, job_id)
    except BaseException:
        remove_upload_folder(folder)
        raise
    if running != job_id:
        remove_upload_folder(folder)
        raise JobRunning(running)
    return job_id, folder


def _save(storage: FileStorage, index: int, folder: UploadFolder) -> Path:
    # The file name tells the importer what a file is, so it is kept (made safe).
    name = secure_filename(storage.filename or "") or f"upload-{index}.json"
    target = folder.path / name
    if target.exists():
        target = folder.path / f"{target.stem}-{index}{target.suffix}"
    storage.save(target)
    return target


def run_job(
    app: Flask,
    user_id: int,
    job_id: str,
    folder: UploadFolder,
    paths: list[Path],
    work: JobWork,
    control: JobControl,
) -> None:
    """The background half: run ``work`` with its own connection, report, clean up (the
    folder's lock is held until its files are gone).

    ``control`` is checked at every progress report: a cancel or the time bound raises
    ``JobStopped`` inside the work, which rolls back what it was writing.
    """
    conn = connect(app.config["DATABASE"])
    last = [0.0]

    def progress(p: JobProgress) -> None:
        control.check()
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = now
        with _lock:
            _live[job_id] = (p.fraction, p.describe())
        if not conn.in_transaction:  # inside one, the row would only show at commit
            jobs.update_progress(conn, job_id, p.fraction, p.describe())

    try:
        jobs.update_progress(conn, job_id, 0.0, "Reading your files…")
        summary = work(conn, user_id, paths, progress)
        jobs.finish_job(conn, job_id, summary.ok, summary.headline(), summary.to_dict())
        app.logger.info("job=%s user=%s ok=%s: %s", job_id, user_id, summary.ok, summary.headline())
    except (JobStopped, KeyboardInterrupt) as stop:  # Ctrl+C: a job run by a command
        message = stop.message if isinstance(stop, JobStopped) else "Cancelled (Ctrl+C)."
        app.logger.info("job=%s user=%s stopped: %s", job_id, user_id, message)
        kept = _KEPT[jobs.job_kind(conn, job_id) or "export"]
        jobs.finish_job(conn, job_id, False, f"{message} {kept}", None, cancelled=True)
        if isinstance(stop, KeyboardInterrupt):
            raise
    except Exception as error:  # the job row tells the user; details go to the log
        app.logger.exception("job %s failed", job_id)
        jobs.finish_job(
            conn,
            job_id,
            False,
            f"The job stopped unexpectedly ({error.__class__.__name__}). "
            "Work not finished was rolled back.",
            None,
        )
    finally:
        with _lock:
            _live.pop(job_id, None)
            _controls.pop(job_id, None)
        conn.close()
        remove_upload_folder(folder)


def live_progress(job_id: str) -> tuple[float, str] | None:
    """(fraction, message) of a job running in this process, newer than its row."""
    with _lock:
        return _live.get(job_id)


def cancel_job(job_id: str, data_dir: str | Path | None = None) -> bool:
    """Ask a job to stop: one running here at once; given the ``data_dir``, one running in
    another process at its next look (``uploads.request_stop``). False when none runs."""
    with _lock:
        control = _controls.get(job_id)
    if control is None:
        return data_dir is not None and request_stop(data_dir, job_id)
    control.cancel()
    return True

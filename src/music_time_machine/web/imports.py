"""Background jobs: importing a Spotify data export, restoring a backup, re-bucketing.

All go the same way: the files (if any) are saved, a job row is created, a thread does the
work with its own connection and reports progress, and the page (a progress bar with
JavaScript, a self-refreshing page without) follows the job until its report is ready.
Every job can be cancelled from that page and stops by itself after
``MTM_JOB_MAX_SECONDS`` (``jobcontrol.py``): the unit it was writing is rolled back.

Progress is kept in memory as well as in the job row: the work runs inside transactions
(an import's slices of about a second, a whole restore), and a row written inside one is
invisible to the page's requests until it commits. The row gets the progress whenever the
work is between transactions (an import between slices, a re-count between the slices of
its stage), and always gets the final report.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from werkzeug.datastructures import FileStorage
from werkzeug.utils import secure_filename

from ..db import connect, get_db, jobs
from ..importers import ImportProgress, ImportSummary, run_import
from ..importers.backup import restore_backup
from ..jobcontrol import JobControl, JobStopped
from ..uploads import UploadFolder, claim_upload_folder, remove_upload_folder
from .current_user import login_required

bp = Blueprint("imports", __name__)

#: The most files one upload may carry (an export has a few dozen at most).
MAX_FILES = 200
#: Seconds between progress updates written for the page.
PROGRESS_EVERY_S = 0.25

#: What a job does: (connection, user id, saved files, progress callback) -> summary
#: (``ok``, ``headline()``, ``to_dict()``: an ``ImportSummary`` or the like).
JobWork = Callable[[sqlite3.Connection, int, list[Path], Callable[[ImportProgress], None]],
                   ImportSummary]

_live_lock = threading.Lock()
_live: dict[str, tuple[float, str]] = {}  # job id -> (progress, message) while running
_controls: dict[str, JobControl] = {}  # job id -> its stop signals while running


def _refuse(message: str, anchor: str) -> ResponseReturnValue:
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=message), 400
    flash(message, "error")
    return redirect(url_for("settings.index") + anchor)


@bp.post("/settings/import")
@login_required
def upload() -> ResponseReturnValue:
    """Save the uploaded export files and import them in the background."""
    files = [f for f in request.files.getlist("files") if f and f.filename]
    if not files or len(files) > MAX_FILES:
        return _refuse("Choose my_spotify_data.zip or the JSON files from your export."
                       if not files else f"At most {MAX_FILES} files per upload.", "#import")
    app = current_app._get_current_object()

    def work(conn: sqlite3.Connection, user_id: int, paths: list[Path],
             progress: Callable[[ImportProgress], None]) -> ImportSummary:
        return run_import(conn, user_id, paths, max_file_bytes=app.config["MAX_CONTENT_LENGTH"],
                          progress=progress)

    return start_job("export", files, work)


@bp.post("/settings/restore")
@login_required
def restore() -> ResponseReturnValue:
    """Save an uploaded backup and merge it into this account in the background."""
    files = [f for f in request.files.getlist("backup") if f and f.filename]
    if len(files) != 1:
        return _refuse("Choose one backup file (.sqlite) made in Settings › Export.",
                       "#restore")

    def work(conn: sqlite3.Connection, user_id: int, paths: list[Path],
             progress: Callable[[ImportProgress], None]) -> ImportSummary:
        return restore_backup(conn, user_id, paths[0], progress=progress)

    return start_job("restore", files, work)


def start_job(kind: str, files: list[FileStorage], work: JobWork) -> ResponseReturnValue:
    """Create the job, save the files, start ``work`` in a thread; answer like the form asked
    (JSON with the status URL for the page's script, else a redirect to the job page)."""
    conn, user_id = get_db(), g.user["id"]
    app = current_app._get_current_object()
    job_id = jobs.new_job_id()
    control = JobControl(app.config["MTM_JOB_MAX_SECONDS"])
    # The folder is claimed (and locked) before the job row exists: see uploads.py.
    folder = claim_upload_folder(app.config["MTM_DATA_DIR"], job_id)
    try:
        jobs.create_job(conn, user_id, kind, job_id)
        paths = []
        for index, storage in enumerate(files):
            # The file name tells the importer what a file is, so it is kept (made safe).
            name = secure_filename(storage.filename or "") or f"upload-{index}.json"
            target = folder.path / name
            if target.exists():
                target = folder.path / f"{target.stem}-{index}{target.suffix}"
            storage.save(target)
            paths.append(target)
        with _live_lock:
            _controls[job_id] = control
        threading.Thread(target=run_job,
                         args=(app, user_id, job_id, folder, paths, work, control),
                         name=f"{kind}-{job_id[:6]}", daemon=True).start()
    except BaseException:  # e.g. the disk is full: nothing is left behind
        with _live_lock:
            _controls.pop(job_id, None)
        jobs.fail_unfinished_job(conn, job_id, "The upload could not be saved on the server.")
        remove_upload_folder(folder)
        raise
    page_url = url_for("imports.job_page", job_id=job_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(job_id=job_id, status_url=url_for("imports.job_status", job_id=job_id),
                       cancel_url=url_for("imports.cancel", job_id=job_id),
                       page_url=page_url), 202
    return redirect(page_url)


def run_job(app: Flask, user_id: int, job_id: str, folder: UploadFolder, paths: list[Path],
            work: JobWork, control: JobControl) -> None:
    """The background half: run ``work`` with its own connection, report, clean up (the
    folder's lock is held until its files are gone).

    ``control`` is checked at every progress report: a cancel or the time bound raises
    ``JobStopped`` inside the work, which rolls back what it was writing.
    """
    conn = connect(app.config["DATABASE"])
    last = [0.0]

    def progress(p: ImportProgress) -> None:
        control.check()
        now = time.monotonic()
        if now - last[0] < PROGRESS_EVERY_S:
            return
        last[0] = now
        with _live_lock:
            _live[job_id] = (p.fraction, p.describe())
        if not conn.in_transaction:  # inside one, the row would only show at commit
            jobs.update_progress(conn, job_id, p.fraction, p.describe())

    try:
        jobs.update_progress(conn, job_id, 0.0, "Reading your files…")
        summary = work(conn, user_id, paths, progress)
        jobs.finish_job(conn, job_id, summary.ok, summary.headline(), summary.to_dict())
        app.logger.info("job=%s user=%s ok=%s: %s", job_id, user_id, summary.ok,
                        summary.headline())
    except JobStopped as stop:
        app.logger.info("job=%s user=%s stopped: %s", job_id, user_id, stop.message)
        jobs.finish_job(conn, job_id, False, f"{stop.message} {_KEPT[kind_of(conn, job_id)]}",
                        None, cancelled=True)
    except Exception as error:  # the job row tells the user; details go to the log
        app.logger.exception("job %s failed", job_id)
        jobs.finish_job(conn, job_id, False,
                        f"The job stopped unexpectedly ({error.__class__.__name__}). "
                        "Work not finished was rolled back.", None)
    finally:
        with _live_lock:
            _live.pop(job_id, None)
            _controls.pop(job_id, None)
        conn.close()
        remove_upload_folder(folder)


#: What a stopped job of each kind leaves behind.
_KEPT = {
    "export": "Files finished before it stopped were kept; the file being written was rolled "
              "back (upload again to import the rest: nothing is counted twice).",
    "restore": "Nothing was changed.",
    "rebucket": "Your preferences and charts were left as they were.",
}


def kind_of(conn: sqlite3.Connection, job_id: str) -> str:
    return jobs.job_kind(conn, job_id) or "export"


def _job_or_404(job_id: str) -> dict:
    job = jobs.get_job(get_db(), g.user["id"], job_id)
    if job is None:
        abort(404)
    if job["status"] in ("queued", "running"):
        with _live_lock:
            live = _live.get(job_id)
        if live is not None:
            job["status"] = "running"
            job["progress"], job["message"] = live
    return job


@bp.get("/settings/import/<job_id>")
@login_required
def job_page(job_id: str) -> ResponseReturnValue:
    return render_template("imports/job.html", job=_job_or_404(job_id))


@bp.post("/settings/import/<job_id>/cancel")
@login_required
def cancel(job_id: str) -> ResponseReturnValue:
    """Ask a running job of this user to stop; it rolls back what it was writing and its page
    then says "Cancelled". A finished job is left as it is."""
    job = _job_or_404(job_id)
    with _live_lock:
        control = _controls.get(job_id)
    running = job["status"] in ("queued", "running") and control is not None
    if running:
        control.cancel()
    message = "Cancelling…" if running else "This job has already finished."
    if request.accept_mimetypes.best == "application/json":
        return jsonify(cancelling=running, message=message)
    flash(message, "success" if running else "error")
    return redirect(url_for("imports.job_page", job_id=job_id))


@bp.get("/api/import/<job_id>")
@login_required
def job_status(job_id: str) -> ResponseReturnValue:
    """Progress for the page's progress bar; the finished report comes as ready HTML."""
    job = _job_or_404(job_id)
    data = {k: job[k] for k in ("id", "kind", "status", "progress", "message", "summary")}
    if job["status"] in ("done", "failed", "cancelled"):
        data["html"] = render_template("imports/_summary.html", job=job)
    return jsonify(data)

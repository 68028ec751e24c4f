"""Pages for background jobs: upload an export or a backup, follow a job, cancel it.

The job machinery (saving the files, the thread, progress, the cancel registry) is in
``background.py``; these views only read the form and answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

from flask import (
    Blueprint,
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

from .. import background
from ..db import get_db, jobs
from ..importers import ImportProgress, ImportSummary, run_import
from ..importers.restore import restore_backup
from ..metadata import jobs as enrich_jobs
from .current_user import login_required

bp = Blueprint("imports", __name__)

#: The most files one upload may carry (an export has a few dozen at most).
MAX_FILES = 200


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
        return _refuse(
            "Choose my_spotify_data.zip or the JSON files from your export."
            if not files
            else f"At most {MAX_FILES} files per upload.",
            "#import",
        )
    app = current_app._get_current_object()

    def work(
        conn: sqlite3.Connection,
        user_id: int,
        paths: list[Path],
        progress: Callable[[ImportProgress], None],
    ) -> ImportSummary:
        summary = run_import(
            conn, user_id, paths, max_file_bytes=app.config["MAX_CONTENT_LENGTH"], progress=progress
        )
        if summary.ok:  # new artists get their genres in the background (DESIGN §4a)
            enrich_jobs.enrich_new_artists(app, conn, user_id, "import")
        return summary

    return start_job("export", files, work)


@bp.post("/settings/restore")
@login_required
def restore() -> ResponseReturnValue:
    """Save an uploaded backup and merge it into this account in the background."""
    files = [f for f in request.files.getlist("backup") if f and f.filename]
    if len(files) != 1:
        return _refuse("Choose one backup file (.sqlite) made in Settings › Export.", "#restore")

    return start_job(
        "restore",
        files,
        lambda conn, user_id, paths, progress: restore_backup(
            conn, user_id, paths[0], progress=progress
        ),
    )


def start_job(kind: str, files: list[FileStorage], work: background.JobWork) -> ResponseReturnValue:
    """Start ``work`` as the signed-in user's job; answer like the form asked (JSON with the
    status URL for the page's script, else a redirect to the job page)."""
    job_id = background.start_job(
        current_app._get_current_object(), get_db(), g.user["id"], kind, files, work
    )
    page_url = url_for("imports.job_page", job_id=job_id)
    if request.accept_mimetypes.best == "application/json":
        return jsonify(
            job_id=job_id,
            status_url=url_for("imports.job_status", job_id=job_id),
            cancel_url=url_for("imports.cancel", job_id=job_id),
            page_url=page_url,
        ), 202
    return redirect(page_url)


def _job_or_404(job_id: str) -> dict:
    job = jobs.get_job(get_db(), g.user["id"], job_id)
    if job is None:
        abort(404)
    if job["status"] in ("queued", "running"):
        live = background.live_progress(job_id)
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
    running = job["status"] in ("queued", "running") and background.cancel_job(job_id)
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

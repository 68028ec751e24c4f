"""Importing a Spotify data export from the browser: upload, background job, progress."""

from __future__ import annotations

import shutil
import threading
import time
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
from werkzeug.utils import secure_filename

from ..db import connect, get_db, jobs
from ..importers import ImportProgress, run_import
from .current_user import login_required

bp = Blueprint("imports", __name__)

#: The most files one upload may carry (an export has a few dozen at most).
MAX_FILES = 200


def upload_dir(app: Flask, job_id: str) -> Path:
    return Path(app.config["MTM_DATA_DIR"]) / "uploads" / job_id


@bp.post("/settings/import")
@login_required
def upload() -> ResponseReturnValue:
    """Save the uploaded files and start the import in the background."""
    files = [f for f in request.files.getlist("files") if f and f.filename]
    wants_json = request.accept_mimetypes.best == "application/json"
    if not files or len(files) > MAX_FILES:
        message = ("Choose my_spotify_data.zip or the JSON files from your export."
                   if not files else f"At most {MAX_FILES} files per upload.")
        if wants_json:
            return jsonify(error=message), 400
        flash(message, "error")
        return redirect(url_for("settings.index") + "#import")
    conn, user_id = get_db(), g.user["id"]
    job_id = jobs.create_job(conn, user_id)
    app = current_app._get_current_object()
    folder = upload_dir(app, job_id)
    folder.mkdir(parents=True)
    paths = []
    for index, storage in enumerate(files):
        # The file name tells the importer what a file is, so it is kept (made safe).
        name = secure_filename(storage.filename) or f"upload-{index}.json"
        target = folder / name
        if target.exists():
            target = folder / f"{target.stem}-{index}{target.suffix}"
        storage.save(target)
        paths.append(target)
    threading.Thread(target=run_import_job, args=(app, user_id, job_id, paths),
                     name=f"import-{job_id[:6]}", daemon=True).start()
    status_url = url_for("imports.job_page", job_id=job_id)
    if wants_json:
        return jsonify(job_id=job_id, status_url=url_for("imports.job_status", job_id=job_id),
                       page_url=status_url), 202
    return redirect(status_url)


def run_import_job(app: Flask, user_id: int, job_id: str, paths: list[Path]) -> None:
    """The background half: import with its own connection, report progress, clean up."""
    conn = connect(app.config["DATABASE"])
    last = [0.0]

    def progress(p: ImportProgress) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.25:
            last[0] = now
            jobs.update_progress(conn, job_id, p.fraction, p.describe())

    try:
        jobs.update_progress(conn, job_id, 0.0, "Reading your files…")
        summary = run_import(conn, user_id, paths,
                             max_file_bytes=app.config["MAX_CONTENT_LENGTH"],
                             progress=progress)
        jobs.finish_job(conn, job_id, summary.ok, summary.headline(), summary.to_dict())
        app.logger.info("import job=%s user=%s files=%s plays_added=%s", job_id, user_id,
                        len(summary.files), summary.plays_added)
    except Exception as error:  # the job row tells the user; details go to the log
        app.logger.exception("import job %s failed", job_id)
        jobs.finish_job(conn, job_id, False,
                        f"The import stopped unexpectedly ({error.__class__.__name__}). "
                        "Files not finished were rolled back.", None)
    finally:
        conn.close()
        shutil.rmtree(upload_dir(app, job_id), ignore_errors=True)


def _job_or_404(job_id: str) -> dict:
    job = jobs.get_job(get_db(), g.user["id"], job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/settings/import/<job_id>")
@login_required
def job_page(job_id: str) -> ResponseReturnValue:
    return render_template("imports/job.html", job=_job_or_404(job_id))


@bp.get("/api/import/<job_id>")
@login_required
def job_status(job_id: str) -> ResponseReturnValue:
    """Progress for the page's progress bar; the finished report comes as ready HTML."""
    job = _job_or_404(job_id)
    data = {k: job[k] for k in ("id", "status", "progress", "message", "summary")}
    if job["status"] in ("done", "failed"):
        data["html"] = render_template("imports/_summary.html", job=job)
    return jsonify(data)

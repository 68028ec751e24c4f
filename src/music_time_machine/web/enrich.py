"""Settings › Genres and artwork: start, follow and cancel the user's enrichment run.

The run is a background job (``metadata/jobs.py``); these views only start or cancel it and
report where it stands, so no request ever waits for MusicBrainz.
"""

from __future__ import annotations

import sqlite3

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from .. import background
from ..db import enrichment as store
from ..db import get_db, jobs
from ..db.artwork import artwork_counts
from ..metadata import jobs as enrich_jobs
from .current_user import login_required

bp = Blueprint("enrich", __name__)


def enrichment_status(conn: sqlite3.Connection, user_id: int) -> dict:
    """Where the user's enrichment stands, for the Settings section and its script."""
    settings = enrich_jobs.settings_of(current_app)
    job = jobs.latest_job_of(conn, user_id, enrich_jobs.KIND)
    running = job is not None and job["status"] in ("queued", "running")
    progress, message = (job["progress"], job["message"]) if job else (0.0, "")
    if running:
        live = background.live_progress(job["id"])
        if live is not None:
            progress, message = live
    return {
        "running": running,
        "progress": round(progress, 4),
        "message": message,
        "last_status": job["status"] if job else None,
        "counts": store.counts(conn, user_id).to_dict(),
        "artwork": artwork_counts(conn, user_id),
        "disabled_reason": settings.disabled_reason(),
        "service": settings.musicbrainz_url,
    }


def _answer(message: str, level: str, status: int = 200) -> ResponseReturnValue:
    conn, user_id = get_db(), g.user["id"]
    if request.accept_mimetypes.best == "application/json":
        body = enrichment_status(conn, user_id) | {"notice": message}
        return jsonify(body), status
    flash(message, level)
    return redirect(url_for("settings.index") + "#genres")


@bp.post("/settings/enrich")
@login_required
def start() -> ResponseReturnValue:
    """Start (or continue) looking the user's artists up; answers at once."""
    app = current_app._get_current_object()
    reason = enrich_jobs.settings_of(app).disabled_reason()
    if reason is not None:
        return _answer(reason, "error", 409)
    enrich_jobs.request_enrichment(app, get_db(), g.user["id"], "settings")
    return _answer("Looking up your artists on MusicBrainz…", "success", 202)


@bp.post("/settings/enrich/cancel")
@login_required
def cancel() -> ResponseReturnValue:
    """Stop the run; what was found stays, and the button continues from there."""
    app = current_app._get_current_object()
    stopping = enrich_jobs.cancel_enrichment(app, get_db(), g.user["id"])
    return _answer(
        "Stopping… artists looked up so far are kept." if stopping else "Nothing is running.",
        "success",
    )


@bp.get("/api/enrich")
@login_required
def status() -> ResponseReturnValue:
    return jsonify(enrichment_status(get_db(), g.user["id"]))

"""``GET /healthz``: is the database reachable, are migrations current, are syncs running?

For uptime monitors and reverse proxies, so it is public and carries no personal data:
accounts are numbered 1..n in a stable order, never named or identified. It answers 503
when the database cannot be opened or its schema is behind the code (a failed upgrade),
and ``"status": "degraded"`` (still 200) when a connected account has not synced for
three sync intervals or needs to be reconnected.

The probe is answered before the per-request user loading and the password gate run
(``short_circuit``), so it neither writes to the database nor needs a session.
"""

from __future__ import annotations

import sqlite3
import time
from datetime import datetime

from flask import Blueprint, Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from ..db import open_existing
from ..db.migrate import applied_version, latest_version
from ..db.sync_state import account_sync_ages

bp = Blueprint("health", __name__)

#: An account whose last success is older than this many sync intervals is "stale".
STALE_INTERVALS = 3


def _epoch(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(datetime.fromisoformat(text).timestamp())
    except ValueError:
        return None


def health_report(
    database: str, sync_interval_s: int, now: float | None = None
) -> tuple[dict, int]:
    """The health body and HTTP status for the database at ``database``."""
    now = int(now if now is not None else time.time())
    latest = latest_version()
    try:
        conn = open_existing(database, busy_timeout_s=5)
        try:
            current = applied_version(conn)
            rows = account_sync_ages(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return {
            "status": "degraded",
            "database": "unreachable",
            "migrations": {"current": None, "latest": latest},
            "sync": [],
        }, 503
    stale_after = STALE_INTERVALS * sync_interval_s
    sync, degraded = [], False
    for index, (status, connected_at, last_success) in enumerate(rows, start=1):
        age = now - last_success if last_success is not None else None
        since = _epoch(connected_at)
        if status == "needs_reconnect":
            state = "needs_reconnect"
        elif age is not None and age <= stale_after:
            state = "ok"
        elif age is None and since is not None and now - since <= stale_after:
            state = "waiting"  # connected recently, first sync not finished yet
        else:
            state = "stale"
        degraded |= state in ("needs_reconnect", "stale")
        sync.append({"account": index, "state": state, "last_success_age_s": age})
    behind = current < latest
    body = {
        "status": "degraded" if degraded or behind else "ok",
        "database": "ok",
        "migrations": {"current": current, "latest": latest},
        "sync": sync,
    }
    return body, 503 if behind else 200


def _respond() -> ResponseReturnValue:
    body, status = health_report(
        current_app.config["DATABASE"], int(current_app.config.get("MTM_SYNC_INTERVAL", 1800))
    )
    response = jsonify(body)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    return _respond()


def short_circuit() -> ResponseReturnValue | None:
    """Answer the probe before user loading (which would write, and fail without a DB)."""
    if request.endpoint == "health.healthz":
        return _respond()
    return None


def init_app(app: Flask) -> None:
    """Register the probe; call before the password gate and ``init_current_user``."""
    app.before_request(short_circuit)
    app.register_blueprint(bp)

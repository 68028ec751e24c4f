"""Settings › your data: backups and exports (downloads), and clearing data in two steps."""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
import sqlite3
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..db import connect, get_db
from ..db.exports import CSV_COLUMNS, csv_row, extended_history_record, iter_plays
from ..db.userdata import backup_user, count_user_rows, delete_account, delete_listening_data
from ..metadata.image_pruning import prune_unshown_images
from .clear_summary import recognisable_losses
from .current_user import login_required
from .images import image_store

bp = Blueprint("data", __name__)

#: What the user types to confirm, per kind of clearing.
PHRASES = {"data": "delete my listening history", "account": "delete my account"}
CONFIRM_MAX_AGE_S = 600


def _file_stem() -> str:
    name = re.sub(r"[^a-z0-9]+", "-", g.user["display_name"].lower()).strip("-") or "user"
    return f"music-time-machine-{name[:40]}-{datetime.now(UTC):%Y-%m-%d}"


def _download(body, filename: str, mimetype: str) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/settings/export/backup.sqlite")
@login_required
def backup() -> ResponseReturnValue:
    """A SQLite file with only this user's data, streamed; the temporary file is removed."""
    folder = Path(tempfile.mkdtemp(prefix="mtm-backup-", dir=current_app.config["MTM_DATA_DIR"]))
    path = folder / "backup.sqlite"
    backup_user(current_app.config["DATABASE"], g.user["id"], path)

    def stream() -> Iterator[bytes]:
        try:
            with path.open("rb") as handle:
                while chunk := handle.read(1 << 16):
                    yield chunk
        finally:
            path.unlink(missing_ok=True)
            folder.rmdir()

    response = _download(stream(), f"{_file_stem()}.sqlite", "application/vnd.sqlite3")
    response.headers["Content-Length"] = str(path.stat().st_size)
    return response


def _stream_plays(user_id: int) -> Iterator[sqlite3.Row]:
    """Rows from a connection of the download's own: the response outlives the request's."""
    conn = connect(current_app.config["DATABASE"])
    return _rows_then_close(conn, user_id)


def _rows_then_close(conn: sqlite3.Connection, user_id: int) -> Iterator[sqlite3.Row]:
    try:
        yield from iter_plays(conn, user_id)
    finally:
        conn.close()


@bp.get("/settings/export/plays.csv")
@login_required
def export_csv() -> ResponseReturnValue:
    rows = _stream_plays(g.user["id"])

    def stream() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in rows:
            writer.writerow(csv_row(row))
            if buffer.tell() > 1 << 16:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return _download(stream(), f"{_file_stem()}.csv", "text/csv")


@bp.get("/settings/export/plays.json")
@login_required
def export_json() -> ResponseReturnValue:
    """Spotify's "Extended streaming history" schema: the importer reads it back."""
    rows = _stream_plays(g.user["id"])

    def stream() -> Iterator[str]:
        yield "["
        for index, row in enumerate(rows):
            yield ("," if index else "") + "\n" + json.dumps(extended_history_record(row))
        yield "\n]\n"

    filename = f"Streaming_History_Audio_{_file_stem()}.json"
    return _download(stream(), filename, "application/json")


# -- clearing data: step 1 issues a token, step 2 spends it ---------------------------------
def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="clear-data")


@bp.get("/settings/clear")
@login_required
def clear_confirm() -> ResponseReturnValue:
    """Step 1: show what would be deleted and issue a single-use confirmation token.

    The token is signed (user, kind, a nonce) and the nonce is also kept in this session,
    so it is bound to this user and session, expires after 10 minutes and works once.
    """
    kind = request.args.get("what", "data")
    if kind not in PHRASES:
        kind = "data"
    nonce = secrets.token_urlsafe(16)
    session["clear_nonce"] = nonce
    token = _serializer().dumps({"user": g.user["id"], "kind": kind, "nonce": nonce})
    counts = count_user_rows(get_db(), g.user["id"])
    return render_template(
        "settings/clear.html",
        kind=kind,
        phrase=PHRASES[kind],
        token=token,
        counts=counts,
        losses=recognisable_losses(counts, kind == "account"),
    )


@bp.post("/settings/clear")
@login_required
def clear() -> ResponseReturnValue:
    """Step 2: check the token and the phrase, then delete in one transaction; after it,
    the pictures nobody shows any more (``metadata.image_pruning``: a failure there is
    logged, and the clear still succeeded)."""
    try:
        claims = _serializer().loads(
            request.form.get("confirm_token", ""), max_age=CONFIRM_MAX_AGE_S
        )
    except SignatureExpired:
        return _refuse("This confirmation expired (it lasts 10 minutes). Nothing was deleted.")
    except BadSignature:
        return _refuse("This confirmation is not valid. Nothing was deleted.")
    nonce = session.get("clear_nonce")
    if (
        claims.get("user") != g.user["id"]
        or not nonce
        or not secrets.compare_digest(str(claims.get("nonce")), nonce)
    ):
        return _refuse(
            "This confirmation was already used or belongs to another session. Nothing was deleted."
        )
    kind = claims.get("kind")
    if request.form.get("phrase", "").strip().lower() != PHRASES.get(kind):
        return _refuse(
            f"The phrase did not match “{PHRASES.get(kind)}”. Nothing was deleted.", kind
        )
    session.pop("clear_nonce", None)
    conn = get_db()
    if kind == "account":
        deleted = delete_account(conn, g.user["id"])
        prune_unshown_images(conn, image_store())
        session.clear()
        flash(
            f"Your account and all its data were deleted ({deleted.get('plays', 0):,} streams).",
            "success",
        )
        return redirect(url_for("dashboard.index"))
    deleted = delete_listening_data(conn, g.user["id"])
    prune_unshown_images(conn, image_store())
    flash(
        f"Deleted {deleted.get('plays', 0):,} streams and everything computed from them. "
        "Your account, settings and Spotify connection remain.",
        "success",
    )
    return redirect(url_for("settings.index"))


def _refuse(message: str, kind: str = "data") -> ResponseReturnValue:
    flash(message, "error")
    return redirect(url_for("data.clear_confirm", what=kind)), 303

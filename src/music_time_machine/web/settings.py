"""Settings: Spotify connection, sync, preferences and the user's data."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from flask import (
    Blueprint,
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

from ..db import accounts, get_db, jobs, sync_state
from ..db.recount import discard_stage, stage_local_times, swap_in
from ..db.userdata import data_overview, database_size_bytes
from ..db.users import get_settings
from ..importers.summary import ImportProgress
from ..rules import PlayRule
from ..spotify.background import start_manual_sync
from ..timezones import is_valid_timezone, timezone_names
from .current_user import login_required
from .enrich import enrichment_status
from .imports import start_job
from .sessions import end_other_sessions
from .sync_status import OUTCOME_TEXT, describe_run, next_sync_at, run_reason, sync_status

bp = Blueprint("settings", __name__)


@dataclass(frozen=True)
class TokenState:
    """The access token's state for the page: ``valid``, ``refreshing`` or ``reconnect``."""

    key: str
    label: str
    detail: str


def token_state(account: Mapping | None, now: int) -> TokenState | None:
    """Say in plain words whether the stored tokens work, from what is stored (no request).

    An expired access token is normal (it lasts an hour) and is refreshed on the next call
    to Spotify, as long as there is a refresh token and Spotify has not refused it.
    """
    if account is None or account["status"] == "disconnected":
        return None
    if account["status"] == "needs_reconnect" or account["refresh_token_enc"] is None:
        return TokenState(
            "reconnect",
            "Needs reconnect",
            "Spotify no longer accepts this app's access (it lapses six months "
            "after connecting, or when access is removed). Reconnect to resume "
            "syncing; your history is safe.",
        )
    expires = account["access_expires_at"]
    if account["access_token_enc"] is None or not expires or expires <= now:
        return TokenState(
            "refreshing",
            "Refreshing",
            "The hour-long access token has expired; it is renewed "
            "automatically on the next call to Spotify.",
        )
    return TokenState("valid", "Valid", "")


@bp.get("/settings")
@login_required
def index() -> ResponseReturnValue:
    conn, user_id = get_db(), g.user["id"]
    account = accounts.get_account(conn, user_id)
    now = int(time.time())
    context = _sync_context(conn, user_id, account, now)
    runs = context["runs"]
    return render_template(
        "settings/index.html",
        **context,
        capabilities=accounts.capabilities(conn, user_id) if account else {},
        spotify_configured=bool(current_app.config.get("SPOTIFY_CLIENT_ID")),
        sync=describe_run(runs[0] if runs else None, context["state"], context["next_sync"], now),
        now=now,
        overview=data_overview(conn, user_id),
        db_size=database_size_bytes(current_app.config["DATABASE"]),
        settings=get_settings(conn, user_id),
        timezones=timezone_names(),
        recent_imports=jobs.recent_jobs(conn, user_id, 5),
        enrichment=enrichment_status(conn, user_id),
    )


@bp.post("/settings/sync")
@login_required
def sync_now() -> ResponseReturnValue:
    """Start a sync and answer at once: the fetching runs on a thread (Spotify may be slow
    or down), and the page follows the run (``GET /api/sync``) until it ends."""
    conn, user_id = get_db(), g.user["id"]
    started = start_manual_sync(current_app._get_current_object(), conn, user_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if started.outcome != "running":
        message = f"Sync not started: {started.error}"
        if wants_json:
            status = 429 if started.resume_after else 409
            return jsonify(
                outcome="skipped",
                level="warn",
                title="Sync not started",
                message=message,
                running=False,
            ), status
        flash(message, "error")
        return redirect(url_for("settings.index") + "#sync")
    if wants_json:
        return jsonify(_status(conn, user_id)), 202
    return redirect(url_for("settings.index") + "#sync")


@bp.get("/api/sync")
@login_required
def sync_status_json() -> ResponseReturnValue:
    """The latest run in plain words, for the Settings page's script to poll."""
    return jsonify(_status(get_db(), g.user["id"]))


def _status(conn: sqlite3.Connection, user_id: int) -> dict:
    """The latest run, with the Sync section's facts and history rendered by the same
    templates as the page, so the script can swap them in: after "Sync now" the last
    successful sync and the history say what just happened, not what was true before."""
    account = accounts.get_account(conn, user_id)
    status = sync_status(
        conn, user_id, current_app.config["MTM_SYNC_INTERVAL"], _connected(account)
    )
    return {**status, **sync_parts(conn, user_id, account)}


def _connected(account: Mapping | None) -> bool:
    return account is not None and account["status"] == "connected"


def _sync_context(
    conn: sqlite3.Connection, user_id: int, account: Mapping | None, now: int
) -> dict:
    """What the Sync section's templates show, for the page and for ``sync_parts`` alike:
    the account and its token, the sync state, recent runs and the next automatic sync."""
    state = sync_state.get_state(conn, user_id)
    runs = sync_state.recent_runs(conn, user_id, 20)
    interval_s = current_app.config["MTM_SYNC_INTERVAL"]
    return {
        "account": account,
        "token": token_state(account, now),
        "state": state,
        "runs": runs,
        "interval_s": interval_s,
        "next_sync": next_sync_at(state, runs, interval_s, now) if _connected(account) else None,
        "outcome_text": OUTCOME_TEXT,
        "run_reason": run_reason,
    }


def sync_parts(conn: sqlite3.Connection, user_id: int, account: Mapping | None) -> dict:
    """``facts_html`` (last and next sync) and ``history_html`` (recent runs)."""
    context = _sync_context(conn, user_id, account, int(time.time()))
    return {
        "facts_html": render_template("settings/_sync_facts.html", **context),
        "history_html": render_template("settings/_sync_history.html", **context),
    }


@bp.post("/settings/preferences")
@login_required
def preferences() -> ResponseReturnValue:
    """Change time zone and play rule. Both re-count the charts (over every play), which
    can take a minute: that runs as a background job with a progress page, never in the
    request."""
    conn, user_id = get_db(), g.user["id"]
    current = get_settings(conn, user_id)
    timezone = request.form.get("timezone", "").strip()
    if not is_valid_timezone(timezone):
        flash(f"“{timezone[:64]}” is not a time zone we know. Pick one from the list.", "error")
        return redirect(url_for("settings.index") + "#preferences")
    try:
        rule = _play_rule(request.form)
    except ValueError as error:
        flash(str(error), "error")
        return redirect(url_for("settings.index") + "#preferences")
    if timezone == current.timezone and rule == current.play_rule:
        flash("Nothing changed.", "success")
        return redirect(url_for("settings.index") + "#preferences")
    rebucket = timezone != current.timezone

    def work(
        conn: sqlite3.Connection,
        user_id: int,
        _paths: list[Path],
        progress: Callable[[ImportProgress], None],
    ) -> RecountSummary:
        """The new local dates are staged in slices (other users' writes go in between, the
        job row shows the count); the settings, the dates and the rebuilt charts then land
        together in one transaction. A cancel or a failure leaves all of it as it was."""
        started = time.perf_counter()
        plays = attempt = None
        try:
            if rebucket:
                attempt, plays = stage_local_times(
                    conn,
                    user_id,
                    timezone,
                    lambda done, total: progress(RecountProgress.staging(done, total)),
                )
            progress(RecountProgress.swapping(plays or 0))
            swap_in(conn, user_id, attempt, timezone, rule)
        except BaseException:
            if attempt is not None:
                discard_stage(conn, attempt)
            raise
        return RecountSummary(plays, time.perf_counter() - started)

    return start_job("rebucket", [], work)


@dataclass(frozen=True)
class RecountProgress(ImportProgress):
    """Progress of a re-count: plays re-bucketed into the stage (``bytes_*`` carry play
    counts), then (``files_done`` = 1) the swap that stores them and recounts the charts."""

    #: Share of the bar for the staging; the swap (a rebuild of the charts) takes the rest.
    STAGING_SHARE = 0.9

    @classmethod
    def staging(cls, done: int, total: int) -> RecountProgress:
        return cls(0, 1, done, total, done, None)

    @classmethod
    def swapping(cls, plays: int) -> RecountProgress:
        return cls(1, 1, plays, plays, plays, None)

    @property
    def fraction(self) -> float:
        if self.files_done:
            return self.STAGING_SHARE
        return self.STAGING_SHARE * (
            self.bytes_done / self.bytes_total if self.bytes_total else 0.0
        )

    def describe(self) -> str:
        if self.files_done:
            return "Saving your preferences and recounting the charts…"
        return f"Re-bucketed {self.bytes_done:,} of {self.bytes_total:,} plays"


@dataclass(frozen=True)
class RecountSummary:
    """What a preferences change re-counted, for the job page (``plays`` is None when only
    the play rule changed: the plays keep their days, the charts are recounted)."""

    plays: int | None
    seconds: float
    ok: bool = True

    def headline(self) -> str:
        what = (
            f"{self.plays:,} play{'s' if self.plays != 1 else ''} re-bucketed"
            if self.plays is not None
            else "charts recounted"
        )
        return f"Preferences saved: {what} in {self.seconds:.1f} s."

    def to_dict(self) -> dict:
        return {"kind": "rebucket", "plays": self.plays, "seconds": round(self.seconds, 2)}


def _play_rule(form) -> PlayRule:
    choice = form.get("play_rule", "30s")
    if choice == "30s":
        return PlayRule("min_ms")  # the default threshold (rules.DEFAULT_PLAY_MIN_MS)
    if choice == "finished":
        return PlayRule("finished")
    if choice == "custom":
        try:
            seconds = int(form.get("play_seconds", ""))
        except ValueError:
            raise ValueError("The custom play rule needs a whole number of seconds.") from None
        if not 1 <= seconds <= 600:
            raise ValueError("The custom play rule must be between 1 and 600 seconds.")
        return PlayRule("min_ms", seconds * 1000)
    raise ValueError("Unknown play rule.")


@bp.post("/settings/disconnect")
@login_required
def disconnect() -> ResponseReturnValue:
    """Delete the stored tokens (stops scheduled syncs); the history stays."""
    if request.form.get("confirm") != "yes":
        flash("Tick the box to confirm that you want to disconnect Spotify.", "error")
        return redirect(url_for("settings.index") + "#disconnect")
    if accounts.disconnect(get_db(), g.user["id"]):
        end_other_sessions(g.user["id"])  # a copied cookie must not reconnect it
        flash(
            "Spotify disconnected. The tokens are deleted and syncing has stopped; your "
            "history stays here. To remove this app's access on Spotify's side too, open "
            "spotify.com › Account › Apps and choose Remove access.",
            "success",
        )
    return redirect(url_for("settings.index") + "#spotify")

"""The state of a user's sync in plain words: one description for the Settings page's HTML
and for the JSON its script polls, so both always say the same thing.

A failed sync must read as a failure: what went wrong (from the cause the client recorded,
never a parsed message), whether anything was saved, and when the next automatic try is.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Mapping, Sequence
from typing import Any

from ..db import sync_state
from .formatting import localtime

OUTCOME_TEXT = {
    "ok": "Sync finished",
    "partial": "Sync stopped part-way",
    "rate_limited": "Spotify asked us to slow down",
    "needs_reconnect": "Spotify needs to be reconnected",
    "failed": "Sync failed",
    "skipped": "Sync not started",
    "running": "Sync running",
}

#: How the page colours each outcome: ``ok`` green, ``warn`` amber, ``error`` red.
OUTCOME_LEVEL = {
    "ok": "ok",
    "partial": "warn",
    "rate_limited": "warn",
    "needs_reconnect": "error",
    "failed": "error",
    "skipped": "warn",
    "running": "running",
}

#: Outcomes after which the scheduler simply tries again later.
RETRIED = ("partial", "rate_limited", "failed")


def next_sync_at(state: Mapping | None, runs: Sequence[Mapping], interval_s: int, now: int) -> int:
    """When the scheduler should sync next: its last run (or the last success) plus the
    interval, never before a rate-limit pause ends, and never in the past."""
    scheduled = [r["started_at"] for r in runs if r["trigger"] == "schedule"]
    last_success = state["last_success_at"] if state else None
    base = (
        max(scheduled) if scheduled else (last_success or (runs[0]["started_at"] if runs else now))
    )
    due = base + interval_s
    if state and state["resume_after"]:
        due = max(due, state["resume_after"])
    return max(due, now)


#: Each failure cause in plain words; ``{http}`` becomes " (HTTP 503)" when the status is known.
#: ``rate_limited`` is worded in :func:`explain_failure` (it names the wait).
FAILURE_WORDS: dict[str, str] = {
    "server_error": "Spotify's servers answered with errors{http}",
    "timeout": "Spotify's servers did not answer in time",
    "unreachable": "Spotify could not be reached (no network connection to it)",
    "token_server_error": (
        "Spotify's sign-in service answered with errors{http} when the access token was renewed"
    ),
    "token_unreachable": (
        "Spotify's sign-in service did not answer when the access token was renewed"
    ),
    "token_refused": "Spotify's sign-in service refused to renew the access token{http}",
    "forbidden": "Spotify refused this app access to that data{http}",
    "not_connected": "Spotify is not connected for this account",
    "needs_reconnect": "Spotify no longer accepts this app's access",
    "interrupted": "The sync stopped unexpectedly: the server was stopped or restarted",
    "crash": "An unexpected error stopped the sync (the details are in the server log)",
}
_REFUSED = "Spotify refused a request{http}"


def explain_failure(failure: Mapping[str, Any]) -> str:
    """Why a run stopped, as a sentence part a person understands (no exception names)."""
    cause, status = failure.get("cause"), failure.get("status")
    http = f" (HTTP {status})" if status else ""
    if cause == "rate_limited":
        wait = failure.get("retry_after")
        asked = f" and asked us to wait {_duration(wait)}" if wait else ""
        return f"Spotify limits how often apps may ask (rate limit){asked}"
    return FAILURE_WORDS.get(cause, _REFUSED).format(http=http)


def run_reason(run: Mapping) -> str | None:
    """Why one run of the history table stopped, or ``None`` if it did not fail."""
    failure = json.loads(run["details"] or "{}").get("failure")
    if not failure and not run["error"]:
        return None
    return _reason(failure, run["error"], run["outcome"] == "partial") + "."


def _reason(failure: Mapping | None, error: str | None, with_step: bool) -> str:
    """The cause in words; after a partial run it starts with the step it stopped at (the
    earlier steps are what was saved, so the step tells what is still missing)."""
    if not failure:  # runs recorded before causes were kept
        return (error or "The sync stopped").rstrip(".")
    reason = explain_failure(failure)
    if with_step and failure.get("step"):
        return f"Stopped while {failure['step']}: {reason}"
    return reason


def _duration(seconds: int) -> str:
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"


def _plays(count: int) -> str:
    return f"{count:,} new play{'s' if count != 1 else ''}"


def _at(epoch_s: int, now: int) -> str:
    return localtime(epoch_s, "%H:%M" if epoch_s - now < 20 * 3600 else "%Y-%m-%d %H:%M")


def describe_run(
    run: Mapping | None, state: Mapping | None, next_try: int | None, now: int
) -> dict[str, Any]:
    """The latest run as ``outcome``, ``level``, ``title`` and ``message`` (plain words),
    with ``next_try_at`` (epoch s) when the scheduler will try again after a failure.

    A run still marked ``running`` whose lease is gone (or expired) was cut off by a stopped
    server: it is reported as failed, not as running for ever.
    """
    if run is None:
        return {
            "outcome": "none",
            "level": "none",
            "title": "No sync yet",
            "message": "Nothing has been synced yet.",
            "plays_added": 0,
            "run_id": None,
            "running": False,
            "next_try_at": None,
        }
    outcome = run["outcome"]
    details = json.loads(run["details"] or "{}")
    failure = details.get("failure")
    if outcome == "running" and not _lease_live(state, now):
        outcome, failure = "failed", {"cause": "interrupted"}
    description = {
        "outcome": outcome,
        "level": OUTCOME_LEVEL.get(outcome, "error"),
        "title": OUTCOME_TEXT.get(outcome, outcome),
        "plays_added": run["plays_added"],
        "run_id": run["id"],
        "running": outcome == "running",
        "next_try_at": next_try if outcome in RETRIED else None,
    }
    description["message"] = _message(outcome, run, failure, description["next_try_at"], now)
    return description


def _lease_live(state: Mapping | None, now: int) -> bool:
    return bool(state and state["lease_owner"] and (state["lease_until"] or 0) >= now)


def _message(
    outcome: str, run: Mapping, failure: Mapping | None, next_try: int | None, now: int
) -> str:
    plays = run["plays_added"]
    if outcome == "running":
        return (
            f"Fetching your plays from Spotify (started at {_at(run['started_at'], now)})."
            " The result shows here when it is done."
        )
    if outcome == "ok":
        return (
            f"{_plays(plays)} saved." if plays else "Up to date: no new plays since the last sync."
        )
    reason = _reason(failure, run["error"], outcome == "partial")
    if outcome == "needs_reconnect":
        return (
            f"{reason} — nothing more can be fetched until you reconnect Spotify (above). "
            "Your history is safe."
        )
    if outcome == "partial" or plays:
        saved = (
            f"{_plays(plays)} saved" if plays else "Your recent plays are up to date (no new ones)"
        )
        text = f"{saved}. {reason}."
    else:
        text = f"{reason} — nothing new was saved."
    if next_try is not None:
        text += f" Next automatic try at {_at(next_try, now)}."
    return text


def sync_status(
    conn: sqlite3.Connection, user_id: int, interval_s: int, connected: bool, now: int | None = None
) -> dict[str, Any]:
    """The description of ``user_id``'s latest sync run, read from the database."""
    now = int(now or time.time())
    state = sync_state.get_state(conn, user_id)
    runs = sync_state.recent_runs(conn, user_id, 20)
    next_try = next_sync_at(state, runs, interval_s, now) if connected else None
    return describe_run(runs[0] if runs else None, state, next_try, now)

"""Syncs off the request thread: a periodic scheduler for every connected user, and
one-off runs started by a page (after connecting, or "Sync now").

Their threads start through ``background.start_thread``, so a shutdown waits for them like
for any other job (the scheduler's loop is first asked to stop by ``SyncScheduler.stop``).
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from dataclasses import replace

from flask import Flask

from ..background import start_thread
from ..db import accounts, connect
from ..metadata import jobs as enrich_jobs
from .client import NotConnected, SpotifyClient, SpotifyError
from .sync import SyncResult, begin_sync, finish_sync, sync_user

log = logging.getLogger(__name__)


def run_sync(app: Flask, user_id: int, trigger: str) -> SyncResult:
    """One sync with its own connection (safe to call from any thread)."""
    conn = connect(app.config["DATABASE"])
    try:
        try:
            client = SpotifyClient.from_config(conn, user_id, app.config)
        except NotConnected as error:
            return SyncResult("skipped", error=str(error))
        return _enrich_after(
            app, conn, user_id, _logged(sync_user(conn, user_id, client, trigger), user_id, trigger)
        )
    except SpotifyError as error:
        log.warning("sync user=%s failed: %s", user_id, error)
        return SyncResult("failed", error=str(error))
    finally:
        conn.close()


def start_manual_sync(app: Flask, conn: sqlite3.Connection, user_id: int) -> SyncResult:
    """ "Sync now": record the run on the caller's connection, then fetch on a thread.

    Returns at once with outcome ``running`` (the page follows the run) or ``skipped`` with
    the reason (a sync already running, or Spotify's rate-limit pause). A web request never
    waits for Spotify, however slow it answers.
    """
    account = accounts.get_account(conn, user_id)
    if account is None or account["status"] == "disconnected":
        return SyncResult("skipped", error="Spotify is not connected for this account.")
    started = begin_sync(conn, user_id, "manual")
    if started.outcome == "running":
        # The thread fills in its own copy: the caller reads ``started`` after this returns.
        start_thread(f"sync-{user_id}", _finish_started, app, user_id, replace(started, details={}))
    return started


def _finish_started(app: Flask, user_id: int, started: SyncResult) -> None:
    conn = connect(app.config["DATABASE"])
    try:
        _enrich_after(
            app,
            conn,
            user_id,
            _logged(
                finish_sync(
                    conn,
                    user_id,
                    lambda: SpotifyClient.from_config(conn, user_id, app.config),
                    started,
                ),
                user_id,
                "manual",
            ),
        )
    except Exception:  # the run row says "failed"; the details belong in the log
        log.exception("sync user=%s stopped unexpectedly", user_id)
    finally:
        conn.close()


def _enrich_after(
    app: Flask, conn: sqlite3.Connection, user_id: int, result: SyncResult
) -> SyncResult:
    """A sync that brought artists never looked up starts the user's enrichment run (in
    the background); trouble starting it is logged, never the sync's failure."""
    if result.outcome in ("ok", "partial"):
        try:
            enrich_jobs.enrich_new_artists(app, conn, user_id, "sync")
        except Exception:
            log.exception("enrichment after the sync of user=%s could not start", user_id)
    return result


def _logged(result: SyncResult, user_id: int, trigger: str) -> SyncResult:
    log.info(
        "sync user=%s trigger=%s outcome=%s plays_added=%s",
        user_id,
        trigger,
        result.outcome,
        result.plays_added,
    )
    return result


def start_sync_thread(app: Flask, user_id: int, trigger: str) -> threading.Thread:
    return start_thread(f"sync-{user_id}", run_sync, app, user_id, trigger)


class SyncScheduler:
    """Every ``MTM_SYNC_INTERVAL`` seconds, sync every connected account in turn."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = app.config["MTM_SYNC_INTERVAL"]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> SyncScheduler:
        # Through start_thread: a shutdown also waits for the scheduler's sync in flight.
        self._thread = start_thread("sync-scheduler", self._loop)
        return self

    def stop(self, timeout: float = 30) -> None:
        """Ask the loop to stop and wait for an in-flight sync to finish its step."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> list[SyncResult]:
        conn = connect(self.app.config["DATABASE"])
        try:
            user_ids = accounts.connected_user_ids(conn)
        finally:
            conn.close()
        results = []
        for user_id in user_ids:
            if self._stop.is_set():
                break
            results.append(run_sync(self.app, user_id, "schedule"))
        return results

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # keep the scheduler alive; the run log has the details
                log.exception("scheduled sync failed")
            self._stop.wait(self.interval)

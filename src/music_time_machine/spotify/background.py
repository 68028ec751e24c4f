"""Syncs off the request thread: a periodic scheduler for every connected user, and
one-off runs started by a page (after connecting, or "Sync now")."""

from __future__ import annotations

import logging
import threading

from flask import Flask

from ..db import accounts, connect
from .client import NotConnected, SpotifyClient, SpotifyError
from .sync import SyncResult, sync_user

log = logging.getLogger(__name__)


def run_sync(app: Flask, user_id: int, trigger: str) -> SyncResult:
    """One sync with its own connection (safe to call from any thread)."""
    conn = connect(app.config["DATABASE"])
    try:
        try:
            client = SpotifyClient.from_config(conn, user_id, app.config)
        except NotConnected as error:
            return SyncResult("skipped", error=str(error))
        result = sync_user(conn, user_id, client, trigger)
        log.info("sync user=%s trigger=%s outcome=%s plays_added=%s", user_id, trigger,
                 result.outcome, result.plays_added)
        return result
    except SpotifyError as error:
        log.warning("sync user=%s failed: %s", user_id, error)
        return SyncResult("failed", error=str(error))
    finally:
        conn.close()


def start_sync_thread(app: Flask, user_id: int, trigger: str) -> threading.Thread:
    thread = threading.Thread(target=run_sync, args=(app, user_id, trigger),
                              name=f"sync-{user_id}", daemon=True)
    thread.start()
    return thread


class SyncScheduler:
    """Every ``MTM_SYNC_INTERVAL`` seconds, sync every connected account in turn."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.interval = app.config["MTM_SYNC_INTERVAL"]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="sync-scheduler", daemon=True)

    def start(self) -> SyncScheduler:
        self._thread.start()
        return self

    def stop(self, timeout: float = 30) -> None:
        """Ask the loop to stop and wait for an in-flight sync to finish its step."""
        self._stop.set()
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

"""Starting, resuming and pausing a user's enrichment run as a background job.

Runs are asked for (``db.enrichment.want``) by an import, by a sync that brought artists
never looked up, and by Settings' "Find genres and artwork" button; the wish stays stored
until a run finishes or the user cancels, so a server stopped mid-run (or the job's time
bound) leaves it, and ``resume_wanted`` at ``mtm serve`` start picks the work up where it
stopped (done artists are stored, only the rest is asked for). One run per user at a time,
across processes: a second request while one runs returns the running job, and ``mtm
enrich`` runs the same job in the foreground (``run_enrichment_here``), so the server sees
it, starts no second one and its Cancel stops it. Nothing in the server waits for
MusicBrainz: the run is on its own thread (``background.start_job``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import Flask

from .. import background
from ..db import connect, jobs
from ..db import enrichment as store
from .enrichment import EnrichSummary, run_enrichment
from .settings import MetadataSettings

log = logging.getLogger(__name__)
KIND = "enrich"


def settings_of(app: Flask) -> MetadataSettings:
    return MetadataSettings.from_config(app.config)


def enrichment_work(
    settings: MetadataSettings, show: Callable[[Any], None] | None = None
) -> background.JobWork:
    """The job's work, wherever it runs: look the user's artists up, and forget the wish
    once the run finished. ``show`` also gets every progress report (``mtm enrich``'s bar),
    after the job's own (which may stop it)."""
    client, artwork = settings.musicbrainz(), settings.artwork_tools()

    def work(
        job_conn: sqlite3.Connection,
        uid: int,
        _paths: list[Path],
        progress: Callable[[Any], None],
    ) -> EnrichSummary:
        def report(where: Any) -> None:
            progress(where)
            if show is not None:
                show(where)

        summary = run_enrichment(job_conn, uid, client, report, artwork=artwork)
        if summary.ok:
            store.unwant(job_conn, uid)
        return summary

    return work


def request_enrichment(
    app: Flask, conn: sqlite3.Connection, user_id: int, reason: str
) -> str | None:
    """Ask for a run and start it unless one is running (here, or ``mtm enrich``); returns
    the job id (the running one if any), or None when enrichment may not run (the Settings
    page says why)."""
    settings = settings_of(app)
    if not settings.enabled:
        return None
    store.want(conn, user_id, reason)
    running = jobs.unfinished_job_of(conn, user_id, KIND)
    if running is not None:
        return running
    work = enrichment_work(settings)
    return background.start_job(app, conn, user_id, KIND, [], work, exclusive=True)


def run_enrichment_here(
    app: Flask, conn: sqlite3.Connection, user_id: int, show: Callable[[Any], None]
) -> tuple[dict | None, EnrichSummary | None]:
    """``mtm enrich``: the run as a job in this process (Settings shows it, the server
    starts no second one, its Cancel stops it); returns the finished job row (None if the
    user was deleted meanwhile) and the summary (None when it was stopped or failed).
    Raises ``background.JobRunning`` when the user already has a run going."""
    summaries: list[EnrichSummary] = []
    work = enrichment_work(settings_of(app), show)

    def kept(*args: Any) -> EnrichSummary:
        summaries.append(work(*args))
        return summaries[-1]

    job_id = background.run_job_here(app, conn, user_id, KIND, kept)
    return jobs.get_job(conn, user_id, job_id), (summaries[-1] if summaries else None)


def enrich_new_artists(
    app: Flask, conn: sqlite3.Connection, user_id: int, reason: str
) -> str | None:
    """``request_enrichment`` if the user has artists never looked up (after a sync)."""
    if not settings_of(app).enabled or store.counts(conn, user_id).pending == 0:
        return None
    return request_enrichment(app, conn, user_id, reason)


def cancel_enrichment(app: Flask, conn: sqlite3.Connection, user_id: int) -> bool:
    """The user's Cancel: forget the wish (no automatic resume) and stop the running job,
    in this process or another (``mtm enrich``). What was stored stays; the button
    continues from there."""
    store.unwant(conn, user_id)
    job_id = jobs.unfinished_job_of(conn, user_id, KIND)
    return job_id is not None and background.cancel_job(job_id, app.config["MTM_DATA_DIR"])


def pause_all(conn: sqlite3.Connection) -> int:
    """Stop every running enrichment job of this process, keeping the wish (for a
    shutdown: the next ``mtm serve`` resumes them)."""
    stopped = 0
    for user_id in store.wanted_user_ids(conn):
        job_id = jobs.unfinished_job_of(conn, user_id, KIND)
        if job_id is not None and background.cancel_job(job_id):
            stopped += 1
    return stopped


def resume_wanted(app: Flask) -> list[str]:
    """Start a run for every user whose enrichment a stopped process left unfinished."""
    if not settings_of(app).enabled:
        return []
    conn = connect(app.config["DATABASE"])
    try:
        started = [
            request_enrichment(app, conn, uid, "resumed after a restart")
            for uid in store.wanted_user_ids(conn)
        ]
    finally:
        conn.close()
    found = [s for s in started if s]
    if found:
        log.info("resumed enrichment for %s user(s)", len(found))
    return found

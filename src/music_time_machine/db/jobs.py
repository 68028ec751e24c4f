"""Background jobs (import, restore, re-bucketing): a row each, polled by the page for its
progress bar."""

from __future__ import annotations

import json
import secrets
import sqlite3
import time

from . import transaction


def new_job_id() -> str:
    """Random and unguessable; also the name of the job's upload folder."""
    return secrets.token_urlsafe(16)


#: A queued job's message, until its work reports.
QUEUED_MESSAGE = "Waiting to start…"
_UNFINISHED = "status IN ('queued', 'running')"


def create_job(
    conn: sqlite3.Connection, user_id: int, kind: str = "export", job_id: str | None = None
) -> str:
    """Record a queued job; pass ``job_id`` when its upload folder was claimed first."""
    job_id = job_id or new_job_id()
    with transaction(conn):
        conn.execute(
            "INSERT INTO import_jobs (id, user_id, kind, created_at, message) "
            "VALUES (?, ?, ?, ?, ?)",
            (job_id, user_id, kind, int(time.time()), QUEUED_MESSAGE),
        )
    return job_id


def create_job_unless_running(
    conn: sqlite3.Connection, user_id: int, kind: str, job_id: str
) -> str:
    """Record a queued job unless the user has one of ``kind`` queued or running; returns
    the id of the job that runs (``job_id``, or the one found).

    The check and the insert are one statement in one write transaction, so two processes
    (the server and ``mtm enrich``) can never both start one for the same user.
    """
    with transaction(conn):
        conn.execute(
            "INSERT INTO import_jobs (id, user_id, kind, created_at, message) "
            "SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM import_jobs "
            f"WHERE user_id = ? AND kind = ? AND {_UNFINISHED})",
            (job_id, user_id, kind, int(time.time()), QUEUED_MESSAGE, user_id, kind),
        )
        return _newest_job_id(conn, user_id, kind, unfinished=True) or job_id


def get_job(conn: sqlite3.Connection, user_id: int, job_id: str) -> dict | None:
    """The job, only if it belongs to ``user_id`` (others' jobs do not exist for them)."""
    row = conn.execute(
        "SELECT * FROM import_jobs WHERE id = ? AND user_id = ?", (job_id, user_id)
    ).fetchone()
    if row is None:
        return None
    job = dict(row)
    job["summary"] = json.loads(job["summary"]) if job["summary"] else None
    return job


def job_kind(conn: sqlite3.Connection, job_id: str) -> str | None:
    row = conn.execute("SELECT kind FROM import_jobs WHERE id = ?", (job_id,)).fetchone()
    return row[0] if row else None


def update_progress(conn: sqlite3.Connection, job_id: str, progress: float, message: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE import_jobs SET status = 'running', progress = ?, message = ? WHERE id = ?",
            (max(0.0, min(1.0, progress)), message, job_id),
        )


def finish_job(
    conn: sqlite3.Connection,
    job_id: str,
    ok: bool,
    message: str,
    summary: dict | None,
    cancelled: bool = False,
) -> None:
    """Record the job's end: done, failed, or cancelled (by the user or the time bound)."""
    status = "cancelled" if cancelled else "done" if ok else "failed"
    with transaction(conn):
        conn.execute(
            "UPDATE import_jobs SET status = ?, progress = 1, message = ?, summary = ?, "
            "finished_at = ? WHERE id = ?",
            (status, message, json.dumps(summary) if summary else None, int(time.time()), job_id),
        )


def unfinished_job_ids(conn: sqlite3.Connection) -> list[str]:
    """Jobs queued or running, in any process (uploads.py tells the live from the dead)."""
    return [
        r[0]
        for r in conn.execute(f"SELECT id FROM import_jobs WHERE {_UNFINISHED} ORDER BY created_at")
    ]


def fail_unfinished_job(conn: sqlite3.Connection, job_id: str, message: str) -> int:
    """Mark a job whose process is gone as failed; a job that finished meanwhile is kept."""
    with transaction(conn):
        return conn.execute(
            "UPDATE import_jobs SET status = 'failed', finished_at = ?, message = ? "
            f"WHERE id = ? AND {_UNFINISHED}",
            (int(time.time()), message, job_id),
        ).rowcount


def recent_jobs(conn: sqlite3.Connection, user_id: int, limit: int = 5) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, kind, status, message, created_at FROM import_jobs "
        "WHERE user_id = ? ORDER BY created_at DESC LIMIT ?",
        (user_id, limit),
    ).fetchall()


def unfinished_job_of(conn: sqlite3.Connection, user_id: int, kind: str) -> str | None:
    """The id of this user's queued or running job of ``kind``, if any."""
    return _newest_job_id(conn, user_id, kind, unfinished=True)


def latest_job_of(conn: sqlite3.Connection, user_id: int, kind: str) -> dict | None:
    """This user's newest job of ``kind`` (for Settings' progress bar and last summary)."""
    job_id = _newest_job_id(conn, user_id, kind, unfinished=False)
    return get_job(conn, user_id, job_id) if job_id else None


def _newest_job_id(
    conn: sqlite3.Connection, user_id: int, kind: str, *, unfinished: bool
) -> str | None:
    """The newest of the user's jobs of ``kind`` (of the queued or running ones only, if
    ``unfinished``); jobs created in the same second are ordered as they were inserted."""
    row = conn.execute(
        "SELECT id FROM import_jobs WHERE user_id = ? AND kind = ?"
        + (f" AND {_UNFINISHED}" if unfinished else "")
        + " ORDER BY created_at DESC, rowid DESC LIMIT 1",
        (user_id, kind),
    ).fetchone()
    return row[0] if row else None

"""Sync bookkeeping: the per-user lease, rate-limit pauses, and the run log."""

from __future__ import annotations

import json
import sqlite3
import time

from . import transaction

#: A lease not renewed within this many seconds is considered abandoned (crashed process).
LEASE_S = 600


def _ensure_row(conn: sqlite3.Connection, user_id: int) -> None:
    conn.execute("INSERT OR IGNORE INTO sync_state (user_id) VALUES (?)", (user_id,))


def acquire_lease(
    conn: sqlite3.Connection, user_id: int, owner: str, now: float | None = None
) -> bool:
    """Take the user's sync lease unless someone else holds a live one.

    One conditional UPDATE under SQLite's write lock, so two threads or processes can never
    both succeed.
    """
    now = int(now or time.time())
    with transaction(conn):
        _ensure_row(conn, user_id)
        cur = conn.execute(
            "UPDATE sync_state SET lease_owner = ?, lease_until = ? WHERE user_id = ? "
            "AND (lease_owner IS NULL OR lease_until < ?)",
            (owner, now + LEASE_S, user_id, now),
        )
    return cur.rowcount == 1


def release_lease(conn: sqlite3.Connection, user_id: int, owner: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE sync_state SET lease_owner = NULL, lease_until = NULL "
            "WHERE user_id = ? AND lease_owner = ?",
            (user_id, owner),
        )


def get_state(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM sync_state WHERE user_id = ?", (user_id,)).fetchone()


def pause_until(conn: sqlite3.Connection, user_id: int, resume_after: int) -> None:
    with transaction(conn):
        _ensure_row(conn, user_id)
        conn.execute(
            "UPDATE sync_state SET resume_after = ? WHERE user_id = ?", (resume_after, user_id)
        )


def mark_success(
    conn: sqlite3.Connection, user_id: int, when: int, snapshot_on: str | None = None
) -> None:
    with transaction(conn):
        _ensure_row(conn, user_id)
        conn.execute(
            "UPDATE sync_state SET last_success_at = ?, resume_after = NULL, "
            "snapshot_taken_on = COALESCE(?, snapshot_taken_on) WHERE user_id = ?",
            (when, snapshot_on, user_id),
        )


def start_run(conn: sqlite3.Connection, user_id: int, trigger: str) -> int:
    with transaction(conn):
        return conn.execute(
            "INSERT INTO sync_runs (user_id, trigger, started_at) VALUES (?, ?, ?) RETURNING id",
            (user_id, trigger, int(time.time())),
        ).fetchone()[0]


def finish_run(
    conn: sqlite3.Connection,
    run_id: int,
    outcome: str,
    plays_added: int,
    details: dict,
    error: str | None = None,
) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE sync_runs SET finished_at = ?, outcome = ?, plays_added = ?, details = ?,"
            " error = ? WHERE id = ?",
            (
                int(time.time()),
                outcome,
                plays_added,
                json.dumps(details, sort_keys=True),
                error,
                run_id,
            ),
        )


def recent_runs(conn: sqlite3.Connection, user_id: int, limit: int = 20) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT * FROM sync_runs WHERE user_id = ? ORDER BY id DESC LIMIT ?", (user_id, limit)
    ).fetchall()


def newest_play_ms(conn: sqlite3.Connection, user_id: int, source: str) -> int | None:
    return conn.execute(
        "SELECT MAX(played_at) FROM plays WHERE user_id = ? AND source = ?", (user_id, source)
    ).fetchone()[0]


def account_sync_ages(conn: sqlite3.Connection) -> list[tuple[str, str | None, int | None]]:
    """(status, connected_at, last_success_at) of every Spotify account not disconnected,
    in a stable order (by user): what the health probe reports, without naming anyone."""
    return [
        tuple(r)
        for r in conn.execute(
            "SELECT a.status, a.connected_at, s.last_success_at FROM spotify_accounts a "
            "LEFT JOIN sync_state s ON s.user_id = a.user_id "
            "WHERE a.status != 'disconnected' ORDER BY a.user_id"
        )
    ]

"""Re-counting a user's charts after a time-zone or play-rule change, without holding the
write lock for the whole re-count.

A time-zone change moves every play to a new local date and hour. Those are computed
outside any transaction and written to ``recount_stage`` in slices of ``STAGE_SLICE``
plays, each its own short transaction (other users' writes go in between; progress is
reported between slices, where the job row can be updated). Nothing anyone sees changes
until ``swap_in``: one transaction that stores the new settings, copies the staged dates
into the plays (re-computing the few plays stored since staging began), rebuilds the
user's rollups and empties the stage. So the charts are never half re-bucketed, and a
cancel or a failure before the swap leaves settings and charts as they were
(``discard_stage``; a crash leaves only stage rows, emptied at the next server start).

The swap still holds the lock while the rollups are rebuilt (a few seconds per 300k plays,
measured by ``bench/bench_write_slices.py --recount``); a play-rule change is only that
rebuild.
"""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable

from ..rules import PlayRule
from ..timezones import LocalClock
from . import transaction
from .rollups import rebuild_rollups
from .users import get_settings, update_settings

#: Plays staged per transaction (about half a second of writing).
STAGE_SLICE = 20_000

_SET_FROM_STAGE = (
    "UPDATE plays SET local_date = s.local_date, local_hour = s.local_hour "
    "FROM recount_stage s WHERE s.attempt = ? AND plays.id = s.play_id "
    "AND plays.played_at = s.played_at"
)
#: Plays of the user that the stage does not cover (stored since staging began).
_NOT_STAGED = (
    "SELECT p.id, p.played_at FROM plays p WHERE p.user_id = ? AND NOT EXISTS ("
    "SELECT 1 FROM recount_stage s WHERE s.attempt = ? AND s.play_id = p.id "
    "AND s.played_at = p.played_at)"
)


def stage_local_times(
    conn: sqlite3.Connection, user_id: int, timezone: str, progress: Callable[[int, int], None]
) -> tuple[str, int]:
    """Compute every play's local date and hour in ``timezone`` into the stage, a slice per
    transaction; returns the stage's name (for ``swap_in``/``discard_stage``) and the number
    of plays. ``progress(done, total)`` runs between slices, outside any transaction; it may
    raise to stop (the stage is then dropped)."""
    attempt = secrets.token_hex(8)
    clock = LocalClock(timezone)
    plays = conn.execute("SELECT id, played_at FROM plays WHERE user_id = ?", (user_id,)).fetchall()
    total = len(plays)
    try:
        for start in range(0, total, STAGE_SLICE):
            progress(start, total)
            rows = [
                (attempt, play_id, user_id, played_at, *clock.local(played_at))
                for play_id, played_at in plays[start : start + STAGE_SLICE]
            ]
            with transaction(conn):
                conn.executemany(
                    "INSERT INTO recount_stage (attempt, play_id, user_id, "
                    "played_at, local_date, local_hour) VALUES (?, ?, ?, ?, ?, ?)",
                    rows,
                )
        progress(total, total)
    except BaseException:
        discard_stage(conn, attempt)
        raise
    return attempt, total


def swap_in(
    conn: sqlite3.Connection, user_id: int, attempt: str | None, timezone: str, rule: PlayRule
) -> None:
    """Store the new settings and, in the same transaction, the staged local dates (if a
    stage is given) and the user's rebuilt rollups; then empty the stage."""
    with transaction(conn):
        update_settings(conn, user_id, timezone=timezone, play_rule=rule)
        if attempt is not None:
            conn.execute(_SET_FROM_STAGE, (attempt,))
            clock = LocalClock(timezone)
            late = [
                (*clock.local(played_at), play_id)
                for play_id, played_at in conn.execute(_NOT_STAGED, (user_id, attempt))
            ]
            conn.executemany("UPDATE plays SET local_date = ?, local_hour = ? WHERE id = ?", late)
            discard_stage(conn, attempt)
        rebuild_rollups(conn, user_id, rule)


def discard_stage(conn: sqlite3.Connection, attempt: str) -> None:
    """Drop a stage (the re-count stopped, or its swap is done)."""
    with transaction(conn):
        conn.execute("DELETE FROM recount_stage WHERE attempt = ?", (attempt,))


def discard_abandoned_stages(conn: sqlite3.Connection) -> int:
    """Empty the stage of re-counts a stopped process left (at server start, when none can
    be running); returns the number of staged plays dropped. Their settings and charts were
    never changed."""
    with transaction(conn):
        return conn.execute("DELETE FROM recount_stage").rowcount


def rebucket_user(conn: sqlite3.Connection, user_id: int) -> int:
    """Re-count a user's plays in the time zone and play rule already stored for them, the
    way a preferences change does (stage, then swap); returns the number of plays."""
    settings = get_settings(conn, user_id)
    attempt, plays = stage_local_times(conn, user_id, settings.timezone, lambda _d, _t: None)
    swap_in(conn, user_id, attempt, settings.timezone, settings.play_rule)
    return plays

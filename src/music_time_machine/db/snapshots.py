"""Top-item snapshots: the "Currently Obsessed" archive, one list per day and time range."""

from __future__ import annotations

import sqlite3

from . import transaction


def save_snapshot(
    conn: sqlite3.Connection,
    user_id: int,
    taken_on: str,
    item_type: str,
    time_range: str,
    ids: list[int],
) -> None:
    """Replace the day's list for (item_type, time_range): idempotent per day."""
    column = "track_id" if item_type == "track" else "artist_id"
    with transaction(conn):
        conn.execute(
            "DELETE FROM top_snapshots WHERE user_id = ? AND taken_on = ? "
            "AND item_type = ? AND time_range = ?",
            (user_id, taken_on, item_type, time_range),
        )
        conn.executemany(
            f"INSERT INTO top_snapshots (user_id, taken_on, item_type, time_range, rank, "
            f"{column}) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (user_id, taken_on, item_type, time_range, rank, item_id)
                for rank, item_id in enumerate(ids, start=1)
            ],
        )


def latest_snapshot(
    conn: sqlite3.Connection, user_id: int, item_type: str, time_range: str
) -> list[int]:
    """Ids in rank order from the newest snapshot (empty when none was taken)."""
    column = "track_id" if item_type == "track" else "artist_id"
    return [
        r[0]
        for r in conn.execute(
            f"SELECT {column} FROM top_snapshots WHERE user_id = ? AND item_type = ? "
            "AND time_range = ? AND taken_on = (SELECT MAX(taken_on) FROM top_snapshots "
            "WHERE user_id = ? AND item_type = ? AND time_range = ?) ORDER BY rank",
            (user_id, item_type, time_range, user_id, item_type, time_range),
        )
    ]


def snapshot_lists(conn: sqlite3.Connection, user_id: int) -> set[tuple[str, str, str]]:
    """The (day, item type, time range) lists the user has, whatever their length."""
    return {
        tuple(r)
        for r in conn.execute(
            "SELECT DISTINCT taken_on, item_type, time_range FROM top_snapshots WHERE user_id = ?",
            (user_id,),
        )
    }


def add_snapshot_entry(
    conn: sqlite3.Connection,
    user_id: int,
    taken_on: str,
    item_type: str,
    time_range: str,
    rank: int,
    *,
    track_id: int | None = None,
    artist_id: int | None = None,
) -> int:
    """Add one entry at its own ``rank`` unless that place is taken; returns 1 if added.

    For a restore, which takes a list whole but keeps its ranks (entries it cannot map
    leave gaps), unlike ``save_snapshot``, which writes a fresh list ranked 1..n."""
    return conn.execute(
        "INSERT OR IGNORE INTO top_snapshots (user_id, taken_on, item_type, time_range,"
        " rank, track_id, artist_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (user_id, taken_on, item_type, time_range, rank, track_id, artist_id),
    ).rowcount

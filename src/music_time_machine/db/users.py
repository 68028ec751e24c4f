"""Users and their settings."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import cached_property

from ..rules import PlayRule
from ..timezones import LocalClock
from . import transaction


@dataclass(frozen=True)
class UserSettings:
    """A user's counting settings, read once per request or job (``get_settings``) and
    passed down to every write and rollup that needs them."""

    user_id: int
    timezone: str  # IANA name: local dates and hours
    play_rule: PlayRule
    #: Whether imports and restores keep streams played in a private session.
    include_incognito: bool

    @cached_property
    def clock(self) -> LocalClock:
        """The user's local clock, made once: it caches offsets per day as it is used."""
        return LocalClock(self.timezone)


def get_user(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()


def create_user(
    conn: sqlite3.Connection, display_name: str, timezone: str = "UTC", is_local: bool = False
) -> int:
    with transaction(conn):
        cur = conn.execute(
            "INSERT INTO users (display_name, is_local) VALUES (?, ?)",
            (display_name, int(is_local)),
        )
        user_id = cur.lastrowid
        conn.execute(
            "INSERT INTO user_settings (user_id, timezone) VALUES (?, ?)", (user_id, timezone)
        )
    return user_id


def session_generation(conn: sqlite3.Connection, user_id: int) -> int | None:
    """The user's current session generation (None when there is no such user)."""
    row = conn.execute("SELECT session_generation FROM users WHERE id = ?", (user_id,)).fetchone()
    return row[0] if row else None


def end_sessions(conn: sqlite3.Connection, user_id: int) -> None:
    """Invalidate every session of the user (web/sessions.py compares the generation)."""
    with transaction(conn):
        conn.execute(
            "UPDATE users SET session_generation = session_generation + 1 WHERE id = ?", (user_id,)
        )


def local_user_id(conn: sqlite3.Connection) -> int | None:
    row = conn.execute("SELECT id FROM users WHERE is_local = 1 ORDER BY id LIMIT 1").fetchone()
    return row[0] if row else None


def ensure_local_user(
    conn: sqlite3.Connection, timezone: str = "UTC", display_name: str = "You"
) -> int:
    """The single user of local and demo mode, created on first use."""
    user_id = local_user_id(conn)
    if user_id is None:
        user_id = create_user(conn, display_name, timezone, is_local=True)
    return user_id


def get_settings(conn: sqlite3.Connection, user_id: int) -> UserSettings:
    row = conn.execute("SELECT * FROM user_settings WHERE user_id = ?", (user_id,)).fetchone()
    if row is None:
        return UserSettings(user_id, "UTC", PlayRule(), False)
    return UserSettings(
        user_id=user_id,
        timezone=row["timezone"],
        play_rule=PlayRule(row["play_rule"], row["play_min_ms"]),
        include_incognito=bool(row["include_incognito"]),
    )


def update_settings(
    conn: sqlite3.Connection,
    user_id: int,
    *,
    timezone: str | None = None,
    play_rule: PlayRule | None = None,
) -> None:
    """Store new preferences. Callers then recount in the same transaction: a new time zone
    with ``recount.rebucket_user``, a new play rule with ``rollups.rebuild_rollups``."""
    with transaction(conn):
        if timezone is not None:
            conn.execute(
                "UPDATE user_settings SET timezone = ? WHERE user_id = ?", (timezone, user_id)
            )
        if play_rule is not None:
            conn.execute(
                "UPDATE user_settings SET play_rule = ?, play_min_ms = ? WHERE user_id = ?",
                (play_rule.kind, play_rule.min_ms, user_id),
            )

"""Spotify accounts: identity, encrypted tokens, status and detected capabilities."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass

from ..crypto import TokenCipher
from . import transaction


@dataclass
class Tokens:
    access_token: str
    refresh_token: str | None
    expires_at: int  # epoch s
    scope: str = ""


def get_account(conn: sqlite3.Connection, user_id: int) -> sqlite3.Row | None:
    return conn.execute("SELECT * FROM spotify_accounts WHERE user_id = ?", (user_id,)).fetchone()


def user_for_spotify_id(conn: sqlite3.Connection, spotify_id: str) -> int | None:
    row = conn.execute(
        "SELECT user_id FROM spotify_accounts WHERE spotify_id = ?", (spotify_id,)
    ).fetchone()
    return row[0] if row else None


def connected_user_ids(conn: sqlite3.Connection) -> list[int]:
    """Users whose account can be synced (tokens present, not waiting for a reconnect)."""
    return [
        r[0]
        for r in conn.execute(
            "SELECT user_id FROM spotify_accounts WHERE status = 'connected' "
            "AND refresh_token_enc IS NOT NULL ORDER BY user_id"
        )
    ]


def save_account(
    conn: sqlite3.Connection, cipher: TokenCipher, user_id: int, profile: dict, tokens: Tokens
) -> None:
    """Link a Spotify profile to ``user_id`` and store its tokens encrypted."""
    images = profile.get("images") or []
    with transaction(conn):
        conn.execute(
            "INSERT INTO spotify_accounts (user_id, spotify_id, display_name, image_url, scopes,"
            " access_token_enc, refresh_token_enc, access_expires_at, status)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'connected')"
            " ON CONFLICT(user_id) DO UPDATE SET spotify_id = excluded.spotify_id,"
            " display_name = excluded.display_name, image_url = excluded.image_url,"
            " scopes = excluded.scopes, access_token_enc = excluded.access_token_enc,"
            " refresh_token_enc = excluded.refresh_token_enc,"
            " access_expires_at = excluded.access_expires_at, status = 'connected',"
            " connected_at = CASE WHEN spotify_accounts.status = 'disconnected'"
            "   THEN strftime('%Y-%m-%dT%H:%M:%SZ', 'now') ELSE spotify_accounts.connected_at END,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (
                user_id,
                profile["id"],
                profile.get("display_name") or profile["id"],
                images[0]["url"] if images else None,
                tokens.scope,
                cipher.encrypt(tokens.access_token),
                cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None,
                tokens.expires_at,
            ),
        )


def load_tokens(conn: sqlite3.Connection, cipher: TokenCipher, user_id: int) -> Tokens | None:
    """The user's tokens, or None when there are none or none that can be read.

    Tokens stored under a retired key (see crypto.py) are re-encrypted under the current
    one here, once. Tokens no key can read (``SECRET_KEY`` was changed) mark the account
    ``needs_reconnect``, so the pages ask the user to reconnect instead of failing.
    """
    row = get_account(conn, user_id)
    if row is None or row["access_token_enc"] is None:
        return None
    blobs = [blob for blob in (row["access_token_enc"], row["refresh_token_enc"]) if blob]
    access = cipher.decrypt(row["access_token_enc"])
    refresh = cipher.decrypt(row["refresh_token_enc"]) if row["refresh_token_enc"] else None
    if access is None or (row["refresh_token_enc"] and refresh is None):
        if row["status"] == "connected":
            set_status(conn, user_id, "needs_reconnect")
        return None
    tokens = Tokens(access, refresh, row["access_expires_at"] or 0, row["scopes"])
    if not all(cipher.is_current(blob) for blob in blobs):
        with transaction(conn):
            conn.execute(
                "UPDATE spotify_accounts SET access_token_enc = ?, refresh_token_enc = ?"
                " WHERE user_id = ?",
                (cipher.encrypt(access), cipher.encrypt(refresh) if refresh else None, user_id),
            )
    return tokens


def update_tokens(
    conn: sqlite3.Connection, cipher: TokenCipher, user_id: int, tokens: Tokens
) -> None:
    """Store refreshed tokens; a refresh answer without a refresh token keeps the old one."""
    with transaction(conn):
        conn.execute(
            "UPDATE spotify_accounts SET access_token_enc = ?, access_expires_at = ?,"
            " refresh_token_enc = COALESCE(?, refresh_token_enc),"
            " scopes = CASE WHEN ? != '' THEN ? ELSE scopes END, status = 'connected',"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE user_id = ?",
            (
                cipher.encrypt(tokens.access_token),
                tokens.expires_at,
                cipher.encrypt(tokens.refresh_token) if tokens.refresh_token else None,
                tokens.scope,
                tokens.scope,
                user_id,
            ),
        )


def set_status(conn: sqlite3.Connection, user_id: int, status: str) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE spotify_accounts SET status = ?, updated_at ="
            " strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE user_id = ?",
            (status, user_id),
        )


def disconnect(conn: sqlite3.Connection, user_id: int) -> bool:
    """Forget the tokens (history stays); returns whether there was an account."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE spotify_accounts SET access_token_enc = NULL, refresh_token_enc = NULL,"
            " access_expires_at = NULL, status = 'disconnected',"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE user_id = ?",
            (user_id,),
        )
    return cur.rowcount > 0


def capabilities(conn: sqlite3.Connection, user_id: int) -> dict[str, bool]:
    row = get_account(conn, user_id)
    return json.loads(row["capabilities"]) if row else {}


def save_capabilities(conn: sqlite3.Connection, user_id: int, found: dict[str, bool]) -> None:
    with transaction(conn):
        conn.execute(
            "UPDATE spotify_accounts SET capabilities = ?, capabilities_checked_at ="
            " strftime('%Y-%m-%dT%H:%M:%SZ', 'now') WHERE user_id = ?",
            (json.dumps(found, sort_keys=True), user_id),
        )


def capabilities_age_s(conn: sqlite3.Connection, user_id: int) -> float | None:
    row = conn.execute(
        "SELECT strftime('%s', capabilities_checked_at) FROM spotify_accounts WHERE user_id = ?",
        (user_id,),
    ).fetchone()
    if row is None or row[0] is None:
        return None
    return time.time() - int(row[0])

"""How long a session lasts, and how every session of a user is ended at once.

Sessions are signed cookies, so the server cannot delete one: a cookie copied before
``/logout`` would otherwise keep working. Instead each user has a *session generation*
(``users.session_generation``). A session that signs someone in (``user_id``) or unlocks
the password gate (``unlocked``) carries its owner's generation and when it was last seen;
it is refused when

* the generation is no longer current: signing out, ``/lock`` and disconnecting Spotify
  call ``end_other_sessions`` (changing ``MTM_PASSWORD`` already invalidates unlocks), or
* it has been idle longer than ``MTM_SESSION_IDLE_DAYS``.

The owner is the signed-in user, or in local mode the local user (whose sessions are the
unlocked browsers). An unlocked-only session in multi-user mode has no owner: ``/lock``
ends it alone. "Last seen" is rewritten at most once per ``SEEN_REFRESH_S``, so a busy page
does not send a new cookie with every request (``SESSION_REFRESH_EACH_REQUEST`` is off).
"""

from __future__ import annotations

import sqlite3
import time

from flask import Flask, current_app, request, session

from ..db import get_db
from ..db.users import end_sessions, local_user_id, session_generation
from .current_user import local_mode

#: Session keys that grant access; a session without them needs no checking.
ACCESS_KEYS = ("user_id", "unlocked")
GENERATION_KEY = "gen"
SEEN_KEY = "seen"
#: "Last seen" is refreshed at most this often (seconds).
SEEN_REFRESH_S = 3600


def _owner(conn: sqlite3.Connection) -> int | None:
    user_id = session.get("user_id")
    if isinstance(user_id, int):
        return user_id
    return local_user_id(conn) if local_mode() else None


def _current_generation(conn: sqlite3.Connection) -> int | None:
    owner = _owner(conn)
    return 0 if owner is None else session_generation(conn, owner)


def stamp_session() -> None:
    """Mark the session as current for its owner: after sign-in, unlock, or ending others."""
    session[GENERATION_KEY] = _current_generation(get_db())
    session[SEEN_KEY] = int(time.time())


def end_other_sessions(user_id: int) -> None:
    """End every session of ``user_id``; this one stays if it belongs to them."""
    conn = get_db()
    end_sessions(conn, user_id)
    if any(key in session for key in ACCESS_KEYS) and _owner(conn) == user_id:
        stamp_session()


def end_all_sessions() -> None:
    """Sign out or lock everywhere: end every session of this session's owner, this one too."""
    conn = get_db()
    owner = _owner(conn)
    if owner is not None:
        end_sessions(conn, owner)
    session.clear()


def _check_session() -> None:
    """Before every request: forget a session that was ended elsewhere or left idle."""
    if request.endpoint == "static" or not any(key in session for key in ACCESS_KEYS):
        return
    now = int(time.time())
    seen = session.get(SEEN_KEY)
    idle_s = current_app.permanent_session_lifetime.total_seconds()
    generation = session.get(GENERATION_KEY)
    if (
        not isinstance(seen, int)
        or now - seen > idle_s
        or generation is None
        or generation != _current_generation(get_db())
    ):
        session.clear()
        return
    if now - seen >= SEEN_REFRESH_S:
        session[SEEN_KEY] = now


def init_app(app: Flask) -> None:
    """Register the check; call before the password gate and the user loading."""
    app.before_request(_check_session)

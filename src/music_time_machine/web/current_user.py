"""Who is asking: the session holds only a user id; ``g.user`` is loaded per request.

In local mode (no Spotify sign-in configured, and in the demo) there is one user and no
login: requests run as the local user. Spotify sign-in (auth blueprint) puts its own user
id in the session, which then takes precedence.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from datetime import date

from flask import Flask, abort, current_app, g, redirect, request, session, url_for
from flask.typing import ResponseReturnValue

from ..db import get_db
from ..db.accounts import get_account
from ..db.users import ensure_local_user, get_settings, get_user
from ..timezones import LocalClock


def local_mode() -> bool:
    """True when the app has a single local user instead of Spotify sign-in."""
    return bool(
        current_app.config.get("MTM_LOCAL_MODE", not current_app.config.get("SPOTIFY_CLIENT_ID"))
    )


def _load_user() -> None:
    g.user = None
    conn = get_db()
    user_id = session.get("user_id")
    user: sqlite3.Row | None = get_user(conn, user_id) if isinstance(user_id, int) else None
    if user is None and user_id is not None:
        session.pop("user_id", None)
    if user is None and local_mode():
        user = get_user(conn, ensure_local_user(conn, current_app.config["MTM_TIMEZONE"]))
    g.user = user


def user_timezone() -> str:
    """The signed-in user's IANA time zone (UTC without a user), read once per request."""
    if "user_timezone" not in g:
        user = g.get("user")
        g.user_timezone = get_settings(get_db(), user["id"]).timezone if user is not None else "UTC"
    return g.user_timezone


def local_today() -> date:
    """Today's date where the signed-in user is: the one "today" of every page."""
    return LocalClock(user_timezone()).today()


def _template_context() -> dict:
    """The signed-in user's Spotify account for the layout (reconnect banner, sign out)."""
    user = g.get("user")
    account = get_account(get_db(), user["id"]) if user is not None else None
    return {"current_user": user, "spotify_account": account, "local_mode": local_mode()}


def init_current_user(app: Flask) -> None:
    app.context_processor(_template_context)

    @app.before_request
    def load_user() -> None:
        if request.endpoint == "static":
            return
        _load_user()


def login_required(view: Callable[..., ResponseReturnValue]) -> Callable[..., ResponseReturnValue]:
    """Pages need a user: without one, send the visitor to sign in."""

    @functools.wraps(view)
    def wrapped(*args: object, **kwargs: object) -> ResponseReturnValue:
        if g.get("user") is None:
            if "auth.login_page" in current_app.view_functions:
                return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")))
            abort(401)
        return view(*args, **kwargs)

    return wrapped


def refuse_anonymous() -> None:
    """API answers need a user: without one, a JSON client gets 401, not the sign-in page
    (a ``before_request`` hook for a blueprint of API views, or under ``api_login_required``)."""
    if g.get("user") is None:
        abort(401)


def api_login_required(
    view: Callable[..., ResponseReturnValue],
) -> Callable[..., ResponseReturnValue]:
    """``refuse_anonymous`` for one API view."""

    @functools.wraps(view)
    def wrapped(*args: object, **kwargs: object) -> ResponseReturnValue:
        refuse_anonymous()
        return view(*args, **kwargs)

    return wrapped


def safe_next(target: str | None) -> str | None:
    """Only same-site paths are followed after sign-in (no open redirects)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 0x20 for ch in target):
        return None
    return target

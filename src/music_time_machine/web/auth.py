"""Signing in with Spotify (authorization code + PKCE), connecting, and signing out."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from ..crypto import token_cipher
from ..db import accounts, get_db
from ..db.users import create_user
from ..spotify import oauth
from ..spotify.background import start_sync_thread
from ..spotify.client import SpotifyError, fetch_profile
from .current_user import local_mode, safe_next
from .sessions import end_all_sessions, stamp_session

bp = Blueprint("auth", __name__)


def spotify_configured() -> bool:
    return bool(current_app.config.get("SPOTIFY_CLIENT_ID"))


@bp.get("/signin")
def login_page() -> ResponseReturnValue:
    if g.user is not None:
        return redirect(url_for("dashboard.index"))
    return render_template(
        "auth/signin.html",
        configured=spotify_configured(),
        next=safe_next(request.args.get("next")),
    )


@bp.get("/login")
def login() -> ResponseReturnValue:
    """Send the browser to Spotify's consent page with a fresh state and PKCE verifier."""
    if not spotify_configured():
        return render_template("auth/not_configured.html"), 503
    state, verifier = oauth.new_state(), oauth.new_code_verifier()
    session["oauth"] = {
        "state": state,
        "verifier": verifier,
        "next": safe_next(request.args.get("next")),
    }
    settings = oauth.OAuthSettings.from_config(current_app.config)
    return redirect(
        oauth.authorize_url(
            settings, state, verifier, show_dialog=request.args.get("reconnect") == "1"
        )
    )


def _problem(title: str, message: str, status: int) -> ResponseReturnValue:
    return render_template("auth/problem.html", title=title, message=message), status


@bp.get("/callback")
def callback() -> ResponseReturnValue:
    pending = session.pop("oauth", None)
    state = request.args.get("state")
    if not pending or not state or state != pending.get("state"):
        return _problem(
            "This sign-in link is not valid",
            "The sign-in did not start here, or it was already used (the state "
            "parameter is missing or does not match). Please start again.",
            400,
        )
    if request.args.get("error"):
        if request.args["error"] == "access_denied":
            return _problem(
                "Spotify was not connected",
                "You chose not to give Music Time Machine access. Nothing was "
                "stored. You can connect any time from Settings.",
                200,
            )
        return _problem(
            "Spotify refused the sign-in", f"Spotify answered: {request.args['error'][:100]}.", 400
        )
    code = request.args.get("code")
    if not code:
        return _problem("Spotify sent no authorisation code", "Please start again.", 400)
    settings = oauth.OAuthSettings.from_config(current_app.config)
    conn = get_db()
    try:
        tokens = oauth.exchange_code(settings, code, pending["verifier"])
        profile = fetch_profile(
            current_app.config["MTM_SPOTIFY_API_URL"], tokens.access_token, settings.timeout_s
        )
    except (oauth.OAuthError, SpotifyError) as error:
        current_app.logger.warning("Spotify sign-in failed: %s", error.__class__.__name__)
        return _problem(
            "Spotify sign-in failed",
            "Spotify did not accept the sign-in. Please try again in a moment.",
            502,
        )
    allowed = current_app.config.get("MTM_ALLOWED_SPOTIFY_IDS")
    if allowed and profile["id"] not in allowed:
        return _problem(
            "This Spotify account may not sign in here",
            "The owner of this Music Time Machine allows only listed accounts "
            "(MTM_ALLOWED_SPOTIFY_IDS).",
            403,
        )
    user_id = _user_for(conn, profile)
    if user_id is None:
        return _problem(
            "This Spotify account belongs to another user",
            "It is already connected to a different user of this app.",
            409,
        )
    accounts.save_account(conn, token_cipher(current_app.config), user_id, profile, tokens)
    next_url = pending.get("next")
    session.clear()  # a new session on every sign-in (no fixation)
    session["user_id"] = user_id
    session.permanent = True
    stamp_session()
    if not current_app.config.get("MTM_SYNC_ON_CONNECT_DISABLED"):
        start_sync_thread(current_app._get_current_object(), user_id, "login")
    flash(
        f"Spotify connected as {profile.get('display_name') or profile['id']}. "
        "Your recent plays are being collected now.",
        "success",
    )
    return redirect(next_url or url_for("settings.index"))


def _user_for(conn, profile: dict) -> int | None:
    """Link to the signed-in (or local) user, or find/create the user of this account."""
    owner = accounts.user_for_spotify_id(conn, profile["id"])
    if g.user is not None:
        if owner is not None and owner != g.user["id"]:
            return None
        return g.user["id"]
    if owner is not None:
        return owner
    return create_user(
        conn, profile.get("display_name") or profile["id"], current_app.config["MTM_TIMEZONE"]
    )


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """Sign out everywhere: copies of this session's cookie stop working too."""
    end_all_sessions()
    if local_mode():
        flash("Signed out.", "success")
        return redirect(url_for("dashboard.index"))
    return redirect(url_for("auth.login_page"))

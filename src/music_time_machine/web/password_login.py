"""A password in front of every page when ``MTM_PASSWORD`` is set.

Local mode has no sign-in (one person, one archive), which is fine on 127.0.0.1 but not on
a network address: ``mtm serve`` refuses a non-loopback address in local mode unless a
password is set, and this module then asks for it before anything else is shown.

The session holds an *unlock fingerprint* (an HMAC of the password under the secret key),
not a bare flag, so changing ``MTM_PASSWORD`` locks every browser out again. Signing out
(``/logout``) or ``/lock`` ends every session of the owner (web/sessions.py), so a copied
cookie is locked out too. The Spotify callback starts a fresh session (no
fixation); the fingerprint is carried over to it, since it is the same browser.
"""

from __future__ import annotations

import hashlib
import hmac

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue

from .current_user import safe_next
from .sessions import GENERATION_KEY, end_all_sessions, stamp_session

bp = Blueprint("password_login", __name__)

SESSION_KEY = "unlocked"
#: Reachable while locked: the form itself, static files and the health probe.
PUBLIC_ENDPOINTS = frozenset(
    {"static", "password_login.unlock_form", "password_login.unlock", "health.healthz"}
)
#: Requests after which the fingerprint must stay cleared.
_LOCKING_ENDPOINTS = frozenset({"auth.logout", "password_login.lock"})


def password_required() -> bool:
    return bool(current_app.config.get("MTM_PASSWORD"))


def _fingerprint() -> str:
    key = str(current_app.config["SECRET_KEY"]).encode()
    message = b"unlock:" + current_app.config["MTM_PASSWORD"].encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def is_unlocked() -> bool:
    value = session.get(SESSION_KEY)
    return isinstance(value, str) and hmac.compare_digest(value, _fingerprint())


def password_matches(given: str) -> bool:
    """Constant-time comparison (of digests, so the length does not leak either)."""
    expected = hashlib.sha256(current_app.config["MTM_PASSWORD"].encode()).digest()
    return hmac.compare_digest(hashlib.sha256(given.encode()).digest(), expected)


def _gate() -> ResponseReturnValue | None:
    """Before every request: let it through, or send the visitor to the unlock form."""
    g.unlocked = False
    if not password_required():
        return None
    if is_unlocked():
        g.unlocked = True
        return None
    if request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return None  # unknown URLs simply 404
    if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
        return jsonify(error="This Music Time Machine is locked. Unlock it at /unlock."), 401
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("password_login.unlock_form", next=safe_next(target)), 303)


def _keep_unlocked(response: Response) -> Response:
    """Carry the fingerprint over when a view starts a fresh session (e.g. after sign-in)."""
    if (
        g.get("unlocked")
        and request.endpoint not in _LOCKING_ENDPOINTS
        and SESSION_KEY not in session
    ):
        session[SESSION_KEY] = _fingerprint()
        if GENERATION_KEY not in session:
            stamp_session()
    return response


@bp.get("/unlock")
def unlock_form() -> ResponseReturnValue:
    next_url = safe_next(request.args.get("next"))
    if not password_required() or is_unlocked():
        return redirect(next_url or url_for("dashboard.index"))
    g.user = None  # nothing about the archive's owner on the locked page
    return render_template("auth/unlock.html", next=next_url, failed=False)


@bp.post("/unlock")
def unlock() -> ResponseReturnValue:
    """Check the password; on success start a fresh session that carries the fingerprint."""
    next_url = safe_next(request.form.get("next"))
    if not password_required():
        return redirect(next_url or url_for("dashboard.index"))
    if not password_matches(request.form.get("password", "")):
        current_app.logger.warning("unlock: wrong password from %s", request.remote_addr)
        g.user = None
        return render_template("auth/unlock.html", next=next_url, failed=True), 401
    session.clear()
    session[SESSION_KEY] = _fingerprint()
    session.permanent = True
    stamp_session()
    return redirect(next_url or url_for("dashboard.index"))


@bp.post("/lock")
def lock() -> ResponseReturnValue:
    """Lock every browser of this session's owner (the local-mode way of signing out)."""
    end_all_sessions()
    g.unlocked = False
    flash("Locked. Enter the password to open Music Time Machine again.", "success")
    return redirect(url_for("password_login.unlock_form"))


def init_app(app: Flask) -> None:
    """Register the gate; call before ``init_current_user`` so it runs first."""
    app.before_request(_gate)
    app.after_request(_keep_unlocked)
    app.register_blueprint(bp)

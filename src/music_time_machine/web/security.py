"""CSRF protection, strict response headers, the access log and the rate limits.

Everything here is about how a request is let in and how its answer goes out, so it is
registered first: the request timer and CSRF check run before any view code.
"""

from __future__ import annotations

import logging
import time
from urllib.parse import parse_qsl

from flask import Flask, Response, abort, current_app, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from . import request_origin

csrf = CSRFProtect()

#: One line per request: method, path (query values redacted), status, duration.
access_log = logging.getLogger("music_time_machine.access")

#: Query parameters whose values are harmless and help to read the log (chart ranges).
#: Every other value (``code``, ``state``, ``next``, anything new) is logged as ``*``.
LOGGED_QUERY_VALUES = frozenset({"range", "start", "end", "bucket", "limit", "what", "source"})

#: (path, methods, limits): the endpoints worth guessing at or expensive to run. Limits are
#: per client address (after ProxyFix, the real client's), kept in memory per process.
RATE_LIMITS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("/login", ("GET",), "20 per minute; 100 per hour"),
    ("/callback", ("GET",), "20 per minute; 100 per hour"),
    ("/unlock", ("POST",), "5 per minute; 30 per hour"),
    ("/settings/sync", ("POST",), "6 per minute; 60 per hour"),
    ("/settings/import", ("POST",), "10 per minute; 60 per hour"),
    ("/settings/restore", ("POST",), "5 per minute; 20 per hour"),
)


def content_security_policy() -> str:
    """No inline code at all: scripts, styles, images, frames and forms are all listed."""
    accounts = current_app.config.get("MTM_SPOTIFY_ACCOUNTS_URL", "")
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            # Pictures come from the app's own image store (web/images.py), never a third
            # party: the browser tells nobody else what its user listens to.
            "img-src 'self' data:",
            "connect-src 'self'",
            "font-src 'self'",
            "object-src 'none'",
            "frame-src 'none'",
            "worker-src 'self'",
            "manifest-src 'self'",
            "base-uri 'self'",
            f"form-action 'self' {accounts}".strip(),
            "frame-ancestors 'none'",
        ]
    )


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    # HSTS only over HTTPS (browsers ignore it on http anyway) and only in production:
    # sent from a development server on https://localhost it would pin https there for a year.
    if current_app.config.get("SESSION_COOKIE_SECURE") and request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` in production and whenever the request is HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(app.config["SESSION_COOKIE_SECURE"]) or (
            has_request_context() and request.is_secure
        )


# -- the access log ------------------------------------------------------------------------


def loggable_path() -> str:
    """The request path with query values that could hold secrets replaced by ``*``.

    OAuth callbacks carry ``code`` and ``state`` in the query string; they must never reach
    a log file, so only a short allow-list of chart parameters keeps its values.
    """
    path = request.path
    raw = request.query_string.decode("latin-1")
    if not raw:
        return path
    parts = []
    for key, value in parse_qsl(raw, keep_blank_values=True):
        shown = value[:40] if key in LOGGED_QUERY_VALUES else "*"
        parts.append(f"{key[:40]}={shown}")
    return f"{path}?{'&'.join(parts)}"[:300]


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _reject_undecodable_query() -> None:
    """A raw non-UTF-8 byte in the query string (only crafted requests send one) would make
    ``request.args`` raise deep inside a view; answer 400 here instead of a 500 there."""
    try:
        request.query_string.decode("utf-8")
    except UnicodeDecodeError:
        abort(400, description="The address contains bytes that are not valid UTF-8.")


def _log_request(response: Response) -> Response:
    started = g.get("request_started")
    duration_ms = (time.perf_counter() - started) * 1000 if started is not None else -1.0
    # Static files and health probes are frequent and boring: DEBUG keeps them out of INFO.
    quiet = request.endpoint in ("static", "health.healthz")
    access_log.log(
        logging.DEBUG if quiet else logging.INFO,
        "%s %s %s %s %.1fms",
        request.remote_addr or "-",
        request.method,
        loggable_path(),
        response.status_code,
        duration_ms,
    )
    return response


# -- rate limits ---------------------------------------------------------------------------


def init_rate_limits(app: Flask) -> Limiter:
    """Attach a per-app Flask-Limiter and wrap the views named in ``RATE_LIMITS``.

    Called after every blueprint is registered: limits are matched by URL path, so a view
    added later under one of these paths (e.g. a restore upload) is covered without
    touching its module. ``RATELIMIT_ENABLED = False`` (tests) turns it all off.
    """
    limiter = Limiter(
        key_func=get_remote_address,
        default_limits=[],
        storage_uri=app.config.get("RATELIMIT_STORAGE_URI", "memory://"),
    )
    limiter.init_app(app)
    wrapped: set[str] = set()
    for rule in app.url_map.iter_rules():
        for path, methods, limits in RATE_LIMITS:
            if rule.rule != path or not set(methods) & (rule.methods or set()):
                continue
            key = f"{rule.endpoint} {' '.join(methods)}"
            if key in wrapped:
                continue
            wrapped.add(key)
            view = app.view_functions[rule.endpoint]
            app.view_functions[rule.endpoint] = limiter.limit(limits, methods=list(methods))(view)
    app.extensions["mtm_limiter"] = limiter
    return limiter


def init_app(app: Flask) -> None:
    app.before_request(_start_timer)  # first, so even a refused request has a duration
    request_origin.init_app(app)  # foreign hosts and cross-site writes: before anything else
    app.before_request(_reject_undecodable_query)
    app.session_interface = SessionInterface()
    csrf.init_app(app)
    # After-request hooks run in reverse order of registration; this module is registered
    # before every other, so the log line sees the final status and headers.
    app.after_request(_log_request)
    app.after_request(_set_headers)

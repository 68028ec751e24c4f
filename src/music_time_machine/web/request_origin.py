"""Which host names this app answers to, and which origins may change anything.

DNS rebinding: a web page on ``attacker.example`` can point that name at 127.0.0.1, and the
browser then lets the page read this app's answers (it is "its own" origin). The only trace
is the ``Host`` header, which still says ``attacker.example``. So every request must name a
known host: a loopback name or address (any port), the host of ``SPOTIFY_REDIRECT_URI``, or
one listed in ``MTM_ALLOWED_HOSTS``. Anything else gets a 400 before any other code runs.

Cross-site writes: a state-changing request whose ``Origin`` (or, without one, ``Referer``)
names another origin is refused with 403, over http as well as https (Flask-WTF compares
the Referer on https only). Requests with neither header (scripts, curl) still need the
CSRF token.

Flask's own ``TRUSTED_HOSTS`` is not used: in Werkzeug 3.1 it cannot match an IPv6 literal
such as ``[::1]`` at all, and its error surfaces only after the before-request hooks
(session, password gate, user loading) have already run for the foreign host.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request

from ..hosts import allowed_host_names, host_allowed, host_name

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DEFAULT_PORTS = {"http": "80", "https": "443"}


def _authority(scheme: str, netloc: str) -> str:
    """``host[:port]`` without the scheme's default port, lower-case."""
    netloc = netloc.strip().lower().rpartition("@")[2]
    default = DEFAULT_PORTS.get(scheme)
    if default and netloc.endswith(f":{default}"):
        netloc = netloc[: -len(default) - 1]
    return netloc


def same_origin(url: str) -> bool:
    """True when ``url`` (an Origin or Referer) points at the host this request came to.

    Host and port are compared, not the scheme: behind a TLS proxy without
    MTM_TRUSTED_PROXIES the app sees http while the browser says https.
    """
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.netloc:
        return False
    return _authority(parts.scheme, parts.netloc) == _authority(request.scheme, request.host)


def _guard() -> None:
    if not host_allowed(request.host, allowed_host_names(current_app.config)):
        abort(
            400,
            description=(
                f"This Music Time Machine does not answer to the address "
                f"“{host_name(request.host)[:100] or '(none)'}”. If you meant to reach it under "
                "this name, add it to MTM_ALLOWED_HOSTS (comma-separated) and restart."
            ),
        )
    if request.method not in STATE_CHANGING:
        return
    origin = request.headers.get("Origin")
    source = origin if origin is not None else request.headers.get("Referer")
    if source is not None and not same_origin(source):
        abort(
            403,
            description=(
                "Refused: this request came from another web site (its Origin or Referer is "
                "not this address). Open Music Time Machine itself and try again there."
            ),
        )


def init_app(app: Flask) -> None:
    """Register the check; call before anything else reads the session or the database."""
    app.before_request(_guard)

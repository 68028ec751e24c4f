"""The fake MusicBrainz + Cover Art Archive application: routes, checks and fault hook.

Every request outside ``/_fake`` is counted. Requests to ``/ws/2`` must name the client in
their ``User-Agent`` (MusicBrainz refuses anonymous and library-default agents with 403),
ask for JSON, and keep to the rate (else 503 with ``Retry-After``); then injected faults
apply. The Cover Art Archive paths are not rate limited, as the real Archive is not.
"""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from . import control, coverart, ws2
from .context import EXTENSION_KEY, WsError, error_response
from .state import DEFAULT_RATE, DEFAULT_TOLERANCE, FakeMusicBrainzState

#: Default catalogue size: covers the largest demo (``demo.taste.artist_count``).
DEFAULT_ARTISTS = 2000
#: User agents that name a library, not an application.
ANONYMOUS_AGENTS = (
    "python-requests/",
    "python-urllib/",
    "java/",
    "go-http-client/",
    "okhttp/",
    "axios/",
    "node-fetch",
)
RATE_MESSAGE = (
    "Your requests are exceeding the allowable rate limit. Please see "
    "https://musicbrainz.org/doc/MusicBrainz_API/Rate_Limiting"
)


def create_fake_app(
    *,
    seed: int = 1,
    artists: int = DEFAULT_ARTISTS,
    rate: float = DEFAULT_RATE,
    tolerance: float = DEFAULT_TOLERANCE,
) -> Flask:
    """A fake MusicBrainz (``/ws/2``) and Cover Art Archive over the world for ``seed``."""
    app = Flask(__name__)
    app.json.sort_keys = False
    app.json.ensure_ascii = False
    fake = FakeMusicBrainzState(seed=seed, artists=artists, rate=rate, tolerance=tolerance)
    app.extensions[EXTENSION_KEY] = fake
    app.register_blueprint(ws2.bp)
    app.register_blueprint(coverart.bp)
    app.register_blueprint(control.bp)

    def _count_fault() -> None:
        with fake.lock:
            fake.traffic.faults += 1

    @app.before_request
    def _checks():
        if request.path.startswith("/_fake"):
            return None
        agent = request.headers.get("User-Agent", "").strip()
        service = request.path.startswith("/ws/2")
        with fake.lock:
            fake.traffic.requests += 1
            fake.traffic.by_endpoint[_endpoint_name(request.path)] += 1
            fake.traffic.user_agents[agent] += 1
            too_fast = service and not fake.rate_limit.allow(request.remote_addr or "")
            if too_fast:
                fake.traffic.rate_limited += 1
        if service and (not agent or agent.lower().startswith(ANONYMOUS_AGENTS)):
            return error_response(
                403,
                "Requests need a User-Agent naming the application, "
                "its version and a contact: see https://musicbrainz."
                "org/doc/MusicBrainz_API/Rate_Limiting",
            )
        if too_fast:
            return error_response(
                503, RATE_MESSAGE, {"Retry-After": str(fake.rate_limit.retry_after())}
            )
        if (
            service
            and request.args.get("fmt") != "json"
            and "application/json" not in request.headers.get("Accept", "")
        ):
            return error_response(400, "This fake answers JSON only: add fmt=json.")
        rule = fake.faults.due(request.method, request.path, on_use=_count_fault)
        if rule is None:
            return None
        headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
        return error_response(rule.status, rule.message or "Injected fault", headers)

    @app.errorhandler(WsError)
    def _ws_error(error: WsError):
        return error_response(error.status, error.message, error.headers)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        return error_response(error.code or 500, error.name or "Error")

    return app


def _endpoint_name(path: str) -> str:
    """``ws2/artist``, ``ws2/url``, ``coverart/release-group``, ``coverart/image``..."""
    parts = [p for p in path.split("/") if p]
    if parts[:2] == ["ws", "2"] and len(parts) > 2:
        return f"ws2/{parts[2]}"
    if parts[:1] == ["release-group"]:
        return "coverart/release-group"
    if parts[:1] == ["release"]:
        return "coverart/image"
    return "other"

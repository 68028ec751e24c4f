"""The fake Spotify's application factory: accounts, Web API, control panel and fault hook."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from . import control, images, oauth, playlists, webapi
from .context import EXTENSION_KEY, api_error_response
from .faults import DEFAULT_MESSAGES, FaultRule
from .pages import error_page
from .state import FakeState


def create_fake_app(
    *,
    mode: str = "dev",
    seed: int = 1,
    client_id: str = "mtm-demo-client",
    client_secret: str = "mtm-demo-secret",
    base_url: str | None = None,
    now: Callable[[], float] | None = None,
) -> Flask:
    """Build a fake Spotify. ``mode`` is "dev" (2026 development mode) or "extended".

    ``now`` returns epoch seconds (default ``time.time``); tests inject it to control the
    listening clock and token expiry. ``base_url`` fixes the host used in ``href``/``next``
    links; by default they follow the host the client used.
    """
    app = Flask(__name__)
    app.json.sort_keys = False
    app.url_map.strict_slashes = False  # spotipy asks for "me/"; Spotify answers either way
    fake = FakeState(
        mode=mode,
        seed=seed,
        client_id=client_id,
        client_secret=client_secret,
        base_url=base_url,
        now=now,
    )
    app.extensions[EXTENSION_KEY] = fake
    app.register_blueprint(oauth.bp)
    app.register_blueprint(webapi.bp)
    app.register_blueprint(playlists.bp)
    app.register_blueprint(control.bp)
    app.register_blueprint(images.bp)

    @app.before_request
    def _inject_faults():
        if request.path.startswith("/_fake"):
            return None
        rule = fake.faults.due(request.method, request.path)
        return None if rule is None else _fault_response(rule)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if request.path.startswith("/v1"):
            message = "Service not found" if error.code == 404 else (error.name or "Error")
            return api_error_response(error.code or 500, message)
        if request.path.startswith("/_fake"):
            return jsonify({"error": error.description}), error.code
        return error.get_response()

    return app


def _fault_response(rule: FaultRule):
    status = rule.status or 500
    message = rule.message or DEFAULT_MESSAGES.get(status, "Error")
    headers = {"Retry-After": str(rule.retry_after)} if rule.retry_after is not None else {}
    if request.path.startswith("/v1"):
        return api_error_response(status, message, headers)
    if request.path.startswith("/api/token"):
        error = "server_error" if status >= 500 else "invalid_request"
        response = jsonify({"error": error, "error_description": message})
        response.status_code = status
        response.headers.update(headers)
        return response
    return error_page(message), status, headers

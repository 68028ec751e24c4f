"""Per-request access to the fake's state and public URLs, and the Web API's error answer."""

from __future__ import annotations

from flask import current_app, jsonify, request
from flask.typing import ResponseReturnValue

from .state import FakeState

EXTENSION_KEY = "fake_spotify"


class ApiError(Exception):
    """A Web API failure, answered as ``{"error": {"status": N, "message": "..."}}``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def api_error_response(
    status: int, message: str, headers: dict | None = None
) -> ResponseReturnValue:
    response = jsonify({"error": {"status": status, "message": message}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def state() -> FakeState:
    return current_app.extensions[EXTENSION_KEY]


def base_url() -> str:
    """The fake's public base URL: configured, or whatever host the client used to reach it."""
    configured = state().base_url
    return configured if configured else request.host_url.rstrip("/")


def api_url() -> str:
    return base_url() + "/v1"


def int_arg(name: str, default: int, low: int, high: int | None = None) -> int:
    """An integer query parameter within bounds, or a 400 like Spotify's."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ApiError(400, f"Invalid {name}") from None
    if value < low or (high is not None and value > high):
        raise ApiError(400, f"Invalid {name}")
    return value

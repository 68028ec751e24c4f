"""Per-request access to the fake's state, and MusicBrainz's error answer."""

from __future__ import annotations

from flask import current_app, jsonify
from flask.typing import ResponseReturnValue

from .state import FakeMusicBrainzState

EXTENSION_KEY = "fake_musicbrainz"
HELP = "For usage, please see: https://musicbrainz.org/development/mmd"


class WsError(Exception):
    """A web-service failure, answered as ``{"error": "...", "help": "..."}``."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> ResponseReturnValue:
    response = jsonify({"error": message, "help": HELP})
    response.status_code = status
    response.headers.update(headers or {})
    return response


def state() -> FakeMusicBrainzState:
    return current_app.extensions[EXTENSION_KEY]

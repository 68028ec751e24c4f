"""Error pages in the shared layout, and JSON errors for API clients."""

from __future__ import annotations

import sqlite3
from typing import TypeVar

from flask import Flask, abort, jsonify, render_template, request
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: "The request could not be understood.",
    401: "Please sign in to see this page.",
    403: "You are not allowed to do that.",
    404: "There is nothing at this address.",
    405: "That action is not allowed here.",
    413: "The upload is larger than this server accepts.",
    429: "Too many requests. Please wait a moment and try again.",
    500: "Something went wrong on our side. Nothing you did caused it.",
    503: "The database is busy with a long write (an import, a restore or a re-count); "
    "nothing was changed. Try again in a minute.",
}
T = TypeVar("T")

#: Seconds a client is told to wait before retrying a request that found the database busy.
BUSY_RETRY_AFTER_S = 30


def wants_json() -> bool:
    """API paths and clients that ask for JSON get ``{"error": ...}`` instead of a page."""
    return request.path.startswith("/api/") or (request.accept_mimetypes.best == "application/json")


def found(value: T | None, message: str) -> T:
    """``value``, or the request ends here with a 404 that says ``message`` (the shared
    error page, or ``{"error": message}`` on API paths): one way for every view to say
    that what its address names is not there (or not the user's)."""
    if value is None:
        abort(404, description=message)
    return value


def _render(status: int, message: str) -> ResponseReturnValue:
    if wants_json():
        return jsonify(error=message), status
    return render_template("errors/error.html", status=status, message=message), status


def handle_http(error: HTTPException) -> ResponseReturnValue:
    status = error.code or 500
    if status == 413:
        limit = request.max_content_length or 0
        return _render(
            413,
            f"The upload is larger than this server accepts "
            f"({limit // (1024 * 1024)} MB; see MTM_MAX_UPLOAD_MB).",
        )
    if status == 429:
        # Flask-Limiter's description is the limit that was hit ("5 per 1 minute").
        limit = f" (allowed: {error.description})" if error.description else ""
        return _render(
            429, f"Too many requests from your address{limit}. Please wait a minute and try again."
        )
    message = MESSAGES.get(status, error.description or "Error")
    if (
        status in (400, 403, 404)
        and error.description
        and (error.description != type(error).description)
    ):
        message = error.description  # a specific reason given with abort()
    return _render(status, message)


def handle_csrf(error: CSRFError) -> ResponseReturnValue:
    return _render(
        400,
        f"The form's security token is missing or expired ({error.description}). "
        "Reload the page and try again.",
    )


def handle_unexpected(error: Exception) -> ResponseReturnValue:
    """Never show a stack trace: log it, answer with the friendly 500 page.

    The page and the JSON carry only the fixed message, never ``str(error)``: exception
    text can quote SQL, file paths or (from an HTTP client) a URL with a token in it.
    """
    from flask import current_app

    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return _render(500, MESSAGES[500])


def handle_database_error(error: sqlite3.OperationalError) -> ResponseReturnValue:
    """A request that waited ``MTM_BUSY_TIMEOUT_S`` for another writer gets 503 and a reason
    (its own transaction was rolled back); any other database error is a 500 as ever."""
    if "locked" not in str(error) and "busy" not in str(error):
        return handle_unexpected(error)
    from flask import current_app

    current_app.logger.warning("database busy on %s %s", request.method, request.path)
    response = _render(503, MESSAGES[503])
    response = current_app.make_response(response)
    response.headers["Retry-After"] = str(BUSY_RETRY_AFTER_S)
    return response


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, handle_csrf)
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(InternalServerError, handle_unexpected)
    app.register_error_handler(Exception, handle_unexpected)
    app.register_error_handler(sqlite3.OperationalError, handle_database_error)

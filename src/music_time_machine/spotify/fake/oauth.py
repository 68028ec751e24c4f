"""The fake accounts service: ``/authorize`` (consent page) and ``/api/token``.

It enforces what real Spotify enforces so the app's OAuth code meets the same walls: HTTPS or
loopback-literal redirect URIs (``localhost`` refused), single-use codes that expire, redirect
URI and PKCE verifier checks, Basic client authentication, and refresh answers that may omit the
refresh token.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, jsonify, redirect, request

from .context import state
from .pages import consent_page, error_page
from .state import USER_NAME
from .tokens import OAuthError

bp = Blueprint("fake_accounts", __name__)

KNOWN_SCOPES = frozenset(
    [
        "ugc-image-upload",
        "user-read-playback-state",
        "user-modify-playback-state",
        "user-read-currently-playing",
        "app-remote-control",
        "streaming",
        "playlist-read-private",
        "playlist-read-collaborative",
        "playlist-modify-private",
        "playlist-modify-public",
        "user-follow-modify",
        "user-follow-read",
        "user-read-playback-position",
        "user-top-read",
        "user-read-recently-played",
        "user-library-modify",
        "user-library-read",
        "user-read-email",
        "user-read-private",
        "user-personalized",
    ]
)
_AUTHORIZE_FIELDS = (
    "client_id",
    "response_type",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
)


class AuthorizeError(Exception):
    """A problem shown on Spotify's error page instead of redirecting back to the app."""


def redirect_uri_problem(uri: str | None) -> str | None:
    """Why Spotify would refuse this redirect URI, or None when it is acceptable."""
    if not uri:
        return "INVALID_CLIENT: Invalid redirect URI"
    parts = urlsplit(uri)
    if parts.fragment:
        return "INVALID_CLIENT: Invalid redirect URI"
    if parts.scheme == "https" and parts.hostname:
        return None
    if parts.scheme == "http":
        if parts.hostname in ("127.0.0.1", "::1"):
            return None
        return "INVALID_CLIENT: Insecure redirect URI"
    return "INVALID_CLIENT: Invalid redirect URI"


def _checked_authorize_params(params) -> dict[str, str]:
    fake = state()
    values = {name: params.get(name, "") for name in _AUTHORIZE_FIELDS}
    if values["client_id"] != fake.client_id:
        raise AuthorizeError("INVALID_CLIENT: Invalid client")
    problem = redirect_uri_problem(values["redirect_uri"])
    if problem:
        raise AuthorizeError(problem)
    if values["response_type"] != "code":
        raise AuthorizeError("INVALID_REQUEST: response_type must be code")
    if any(scope not in KNOWN_SCOPES for scope in values["scope"].split()):
        raise AuthorizeError("INVALID_SCOPE: Invalid scope")
    if values["code_challenge"] and values["code_challenge_method"] != "S256":
        raise AuthorizeError("INVALID_REQUEST: code_challenge_method must be S256")
    return values


def _back_to_app(redirect_uri: str, **params: str) -> Response:
    query = urlencode({k: v for k, v in params.items() if v})
    joiner = "&" if urlsplit(redirect_uri).query else "?"
    return redirect(f"{redirect_uri}{joiner}{query}", code=302)


def _grant(values: dict[str, str]) -> Response:
    fake = state()
    with fake.lock:
        code = fake.tokens.issue_code(
            values["client_id"],
            values["redirect_uri"],
            " ".join(values["scope"].split()),
            values["code_challenge"] or None,
        )
    return _back_to_app(values["redirect_uri"], code=code, state=values["state"])


@bp.errorhandler(AuthorizeError)
def _authorize_error(error: AuthorizeError):
    return error_page(str(error)), 400


@bp.get("/authorize")
def authorize():
    values = _checked_authorize_params(request.args)
    if state().auto_approve and request.args.get("show_dialog", "").lower() != "true":
        return _grant(values)
    fields = [(name, value) for name, value in values.items() if value]
    return consent_page(values["scope"].split(), USER_NAME, "authorize/decision", fields)


@bp.post("/authorize/decision")
def decision():
    values = _checked_authorize_params(request.form)
    if request.form.get("decision") == "agree":
        return _grant(values)
    return _back_to_app(values["redirect_uri"], error="access_denied", state=values["state"])


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _client(form) -> tuple[str, bool]:
    """Authenticate the caller: Basic client_id:secret, or a bare client_id (PKCE)."""
    fake = state()
    auth = request.authorization
    if auth is not None and auth.type == "basic":
        client_id, secret = auth.username or "", auth.password or ""
    elif form.get("client_secret"):
        client_id, secret = form.get("client_id", ""), form["client_secret"]
    else:
        if form.get("client_id") != fake.client_id:
            raise OAuthError("invalid_client", "Invalid client")
        return fake.client_id, True
    if client_id != fake.client_id or not hmac.compare_digest(secret, fake.client_secret):
        raise OAuthError("invalid_client", "Invalid client")
    return client_id, False


@bp.errorhandler(OAuthError)
def _oauth_error(error: OAuthError):
    response = jsonify({"error": error.error, "error_description": error.description})
    response.status_code = error.status
    return response


@bp.post("/api/token")
def token():
    form = request.form
    fake = state()
    grant_type = form.get("grant_type")
    if not grant_type:
        raise OAuthError("unsupported_grant_type", "grant_type parameter is missing")
    if grant_type not in ("authorization_code", "refresh_token"):
        raise OAuthError(
            "unsupported_grant_type",
            "grant_type parameter must be authorization_code or refresh_token",
        )
    client_id, pkce = _client(form)
    with fake.lock:
        if grant_type == "authorization_code":
            answer = _exchange_code(form, client_id, pkce)
        else:
            if not form.get("refresh_token"):
                raise OAuthError("invalid_request", "refresh_token must be supplied")
            answer = fake.tokens.refresh_grant(form["refresh_token"], client_id, pkce)
    response = jsonify(answer)
    response.headers["Cache-Control"] = "no-store"
    return response


def _exchange_code(form, client_id: str, pkce: bool) -> dict:
    fake = state()
    code = form.get("code")
    if not code:
        raise OAuthError("invalid_request", "code must be supplied")
    pending = fake.tokens.codes.get(code)
    if pending is not None and not pending.used and (pending.code_challenge or pkce):
        verifier = form.get("code_verifier", "")
        if not pending.code_challenge or not hmac.compare_digest(
            _s256(verifier), pending.code_challenge
        ):
            raise OAuthError("invalid_grant", "code_verifier was incorrect")
    grant = fake.tokens.redeem_code(code, client_id, form.get("redirect_uri"))
    return fake.tokens.issue_tokens(client_id, grant.scope, pkce=grant.code_challenge is not None)

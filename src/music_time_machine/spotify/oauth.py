"""Spotify's authorization-code flow with PKCE (S256), against the configured accounts URL.

The app is a confidential client when it has a client secret (Basic auth on the token
request) and always adds PKCE, so a stolen authorization code is useless on its own.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests

from ..db.accounts import Tokens

#: Exactly what the features need: recent plays, top items, creating playlists.
SCOPES = (
    "user-read-recently-played",
    "user-top-read",
    "playlist-modify-private",
    "playlist-modify-public",
)

#: Seconds to wait for Spotify's answer (``MTM_SPOTIFY_TIMEOUT`` overrides it).
DEFAULT_TIMEOUT_S = 10.0


class OAuthError(Exception):
    """The accounts service refused (``error`` is Spotify's code, e.g. ``invalid_grant``)."""

    def __init__(self, error: str, description: str = "", status: int = 400) -> None:
        super().__init__(f"{error}: {description}" if description else error)
        self.error = error
        self.description = description
        self.status = status


@dataclass(frozen=True)
class OAuthSettings:
    client_id: str
    client_secret: str
    redirect_uri: str
    accounts_url: str
    timeout_s: float = DEFAULT_TIMEOUT_S

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OAuthSettings:
        return cls(
            config["SPOTIFY_CLIENT_ID"],
            config["SPOTIFY_CLIENT_SECRET"],
            config["SPOTIFY_REDIRECT_URI"],
            config["MTM_SPOTIFY_ACCOUNTS_URL"],
            config.get("MTM_SPOTIFY_TIMEOUT", DEFAULT_TIMEOUT_S),
        )


def new_state() -> str:
    return secrets.token_urlsafe(24)


def new_code_verifier() -> str:
    return secrets.token_urlsafe(64)[:96]


def code_challenge(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(
    settings: OAuthSettings, state: str, verifier: str, show_dialog: bool = False
) -> str:
    params = {
        "client_id": settings.client_id,
        "response_type": "code",
        "redirect_uri": settings.redirect_uri,
        "state": state,
        "scope": " ".join(SCOPES),
        "code_challenge_method": "S256",
        "code_challenge": code_challenge(verifier),
    }
    if show_dialog:
        params["show_dialog"] = "true"
    return f"{settings.accounts_url}/authorize?{urlencode(params)}"


def _token_request(settings: OAuthSettings, form: dict[str, str]) -> Tokens:
    auth = None
    if settings.client_secret:
        auth = (settings.client_id, settings.client_secret)
    else:
        form = {**form, "client_id": settings.client_id}
    try:
        response = requests.post(
            f"{settings.accounts_url}/api/token", data=form, auth=auth, timeout=settings.timeout_s
        )
    except requests.RequestException as error:
        raise OAuthError(
            "unreachable",
            f"Spotify's accounts service did not answer ({error.__class__.__name__})",
            503,
        ) from None
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code != 200 or "access_token" not in body:
        raise OAuthError(
            body.get("error", f"http_{response.status_code}"),
            body.get("error_description", ""),
            response.status_code,
        )
    return Tokens(
        access_token=body["access_token"],
        refresh_token=body.get("refresh_token"),
        expires_at=int(time.time()) + int(body.get("expires_in", 3600)),
        scope=body.get("scope", ""),
    )


def exchange_code(settings: OAuthSettings, code: str, verifier: str) -> Tokens:
    return _token_request(
        settings,
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": settings.redirect_uri,
            "code_verifier": verifier,
        },
    )


def refresh(settings: OAuthSettings, refresh_token: str) -> Tokens:
    """A fresh access token. Spotify may omit the refresh token: callers keep the old one."""
    return _token_request(settings, {"grant_type": "refresh_token", "refresh_token": refresh_token})

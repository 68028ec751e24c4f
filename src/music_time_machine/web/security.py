"""CSRF protection for every state-changing request and strict response headers."""

from __future__ import annotations

from flask import Flask, Response, current_app
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()

#: Spotify's image hosts, for album art and profile pictures.
SPOTIFY_IMAGE_HOSTS = "https://i.scdn.co https://*.spotifycdn.com https://*.fbcdn.net"


def content_security_policy() -> str:
    accounts = current_app.config.get("MTM_SPOTIFY_ACCOUNTS_URL", "")
    return "; ".join([
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        f"img-src 'self' data: {SPOTIFY_IMAGE_HOSTS}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        f"form-action 'self' {accounts}".strip(),
        "frame-ancestors 'none'",
    ])


def _set_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", content_security_policy())
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if current_app.config.get("SESSION_COOKIE_SECURE"):
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask) -> None:
    csrf.init_app(app)
    app.after_request(_set_headers)

"""One user's Spotify Web API, through spotipy, with the app's error policy.

spotipy does the HTTP calls (pointed at the configured API URL); its own retrying and
sleeping on 429 are turned off by giving it a plain ``requests.Session``, because a
``Retry-After`` can be hours long and must never block a web request. Instead:

- 401 → refresh the access token and retry once; a refused refresh (``invalid_grant``:
  revoked, or older than Spotify's 6 months) marks the account "needs reconnect";
- 429 → ``RateLimited`` with the number of seconds Spotify asked for;
- 5xx, timeouts, connection errors → bounded retries with backoff, then ``Unavailable``;
- 403 → ``Forbidden`` (in 2026 mostly: an endpoint removed for development-mode apps).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
import spotipy

from ..crypto import TokenCipher, token_cipher
from ..db import accounts
from ..errors import ServiceError
from .oauth import DEFAULT_TIMEOUT_S, OAuthError, OAuthSettings, refresh

log = logging.getLogger(__name__)
# spotipy logs every HTTP error at ERROR level, including the 403s and 429s this module
# expects and handles; our own log lines say what happened instead.
logging.getLogger("spotipy.client").setLevel(logging.CRITICAL)

#: Refresh this many seconds before the access token expires.
REFRESH_MARGIN_S = 60


class SpotifyError(ServiceError):
    """A failed call. ``cause`` says what went wrong in a word the Settings page can explain
    in plain language (``web/sync_status.py``), so the page never parses messages."""


class RateLimited(SpotifyError):
    cause = "rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Spotify asked us to wait {retry_after} s (rate limit)", 429)
        self.retry_after = retry_after


class NeedsReconnect(SpotifyError):
    """The stored authorisation is gone; the user must connect Spotify again."""

    cause = "needs_reconnect"


class NotConnected(SpotifyError):
    """This user has no Spotify tokens."""

    cause = "not_connected"


class Unavailable(SpotifyError):
    """Spotify kept failing (5xx, timeouts) after retries."""

    cause = "server_error"


class Forbidden(SpotifyError):
    """403: the endpoint is not available to this app (development mode) or user."""

    cause = "forbidden"


def _retry_after(headers: Any) -> int:
    try:
        return max(1, int(float((headers or {}).get("Retry-After", 1))))
    except (TypeError, ValueError):
        return 60


def fetch_profile(api_url: str, access_token: str, timeout: float = DEFAULT_TIMEOUT_S) -> dict:
    """``GET /me`` with a token that is not stored yet (right after sign-in)."""
    sp = spotipy.Spotify(
        auth=access_token,
        requests_session=requests.Session(),
        requests_timeout=timeout,
        retries=0,
        status_retries=0,
    )
    sp.prefix = api_url.rstrip("/") + "/"
    try:
        return sp.me()
    except spotipy.SpotifyException as error:
        raise SpotifyError(
            f"Spotify refused /me ({error.http_status})", error.http_status
        ) from None
    except requests.RequestException as error:
        raise Unavailable(f"Spotify did not answer ({error.__class__.__name__})") from None


class SpotifyClient:
    """Authorised calls for one user. Not thread-safe: make one per thread or task."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        user_id: int,
        settings: OAuthSettings,
        api_url: str,
        cipher: TokenCipher,
        *,
        timeout: float = DEFAULT_TIMEOUT_S,
        max_attempts: int = 3,
        backoff_s: float = 0.5,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.conn, self.user_id, self.settings = conn, user_id, settings
        self.api_url = api_url.rstrip("/")
        self.cipher = cipher
        self.timeout, self.max_attempts, self.backoff_s = timeout, max_attempts, backoff_s
        self.sleep = sleep
        self._session = requests.Session()
        self._tokens = accounts.load_tokens(conn, cipher, user_id)
        if self._tokens is None:
            raise NotConnected("Spotify is not connected for this user")

    @classmethod
    def from_config(
        cls, conn: sqlite3.Connection, user_id: int, config: Mapping[str, Any], **kwargs: Any
    ) -> SpotifyClient:
        kwargs.setdefault("timeout", config.get("MTM_SPOTIFY_TIMEOUT", DEFAULT_TIMEOUT_S))
        return cls(
            conn,
            user_id,
            OAuthSettings.from_config(config),
            config["MTM_SPOTIFY_API_URL"],
            token_cipher(config),
            **kwargs,
        )

    # -- token handling ----------------------------------------------------------------
    def _refresh(self) -> None:
        if not self._tokens.refresh_token:
            self._needs_reconnect("no refresh token stored")
        try:
            fresh = refresh(self.settings, self._tokens.refresh_token)
        except OAuthError as error:
            if error.error in ("invalid_grant", "invalid_client"):
                self._needs_reconnect(error.description or error.error)
            cause = (
                "token_unreachable"
                if error.error == "unreachable"
                else "token_server_error"
                if error.status >= 500
                else "token_refused"
            )
            raise Unavailable(
                f"Could not refresh the Spotify token: {error}", error.status, cause
            ) from None
        fresh.refresh_token = fresh.refresh_token or self._tokens.refresh_token
        accounts.update_tokens(self.conn, self.cipher, self.user_id, fresh)
        self._tokens = fresh

    def _needs_reconnect(self, why: str) -> None:
        accounts.set_status(self.conn, self.user_id, "needs_reconnect")
        raise NeedsReconnect(
            f"Spotify refused the stored authorisation ({why}); please reconnect Spotify.", 401
        )

    def _spotipy(self) -> spotipy.Spotify:
        if self._tokens.expires_at - time.time() < REFRESH_MARGIN_S:
            self._refresh()
        sp = spotipy.Spotify(
            auth=self._tokens.access_token,
            requests_session=self._session,
            requests_timeout=self.timeout,
            retries=0,
            status_retries=0,
        )
        sp.prefix = self.api_url + "/"
        return sp

    # -- the error policy ----------------------------------------------------------------
    def call(self, action: Callable[[spotipy.Spotify], Any]) -> Any:
        """Run ``action(spotipy_client)`` under the error policy in the module docstring."""
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            try:
                return action(self._spotipy())
            except spotipy.SpotifyException as error:
                status = error.http_status
                if status == 401 and not refreshed:
                    refreshed = True
                    self._refresh()
                    attempt -= 1
                    continue
                if status == 401:
                    self._needs_reconnect(str(error.msg))
                if status == 429:
                    raise RateLimited(_retry_after(error.headers)) from None
                if status == 403:
                    raise Forbidden(
                        f"Spotify refused this request (403): {error.msg}", 403
                    ) from None
                if status is not None and status >= 500 and attempt < self.max_attempts:
                    self._backoff(attempt, f"HTTP {status}")
                    continue
                if status is not None and status >= 500:
                    raise Unavailable(
                        f"Spotify answered {status} {self.max_attempts} times", status
                    ) from None
                raise SpotifyError(
                    f"Spotify refused the request ({status}): {error.msg}", status
                ) from None
            except (requests.Timeout, requests.ConnectionError) as error:
                if attempt < self.max_attempts:
                    self._backoff(attempt, error.__class__.__name__)
                    continue
                cause = "timeout" if isinstance(error, requests.Timeout) else "unreachable"
                raise Unavailable(
                    f"Spotify did not answer ({error.__class__.__name__}, "
                    f"{self.max_attempts} attempts)",
                    cause=cause,
                ) from None

    def _backoff(self, attempt: int, why: str) -> None:
        delay = self.backoff_s * 2 ** (attempt - 1)
        log.info("Spotify call failed (%s); retrying in %.1f s", why, delay)
        self.sleep(delay)

    # -- the endpoints the app uses --------------------------------------------------------
    def me(self) -> dict:
        return self.call(lambda sp: sp.me())

    def recently_played(self, after_ms: int | None = None, limit: int = 50) -> dict:
        return self.call(lambda sp: sp.current_user_recently_played(limit=limit, after=after_ms))

    def next_page(self, page: dict) -> dict | None:
        return self.call(lambda sp: sp.next(page))

    def top(self, kind: str, time_range: str, limit: int = 50) -> dict:
        if kind == "tracks":
            return self.call(
                lambda sp: sp.current_user_top_tracks(limit=limit, time_range=time_range)
            )
        return self.call(lambda sp: sp.current_user_top_artists(limit=limit, time_range=time_range))

    def artist(self, artist_id: str) -> dict:
        return self.call(lambda sp: sp.artist(artist_id))

    def artists(self, artist_ids: list[str]) -> list[dict]:
        return self.call(lambda sp: sp.artists(artist_ids))["artists"]

    def audio_features(self, track_ids: list[str]) -> list[dict | None]:
        return self.call(lambda sp: sp.audio_features(track_ids))

    def create_playlist(self, name: str, public: bool, description: str) -> dict:
        return self.call(
            lambda sp: sp.current_user_playlist_create(name, public=public, description=description)
        )

    def add_items(self, playlist_id: str, uris: list[str]) -> dict:
        """Add at most 100 URIs (Spotify's limit per call)."""
        if len(uris) > 100:
            raise ValueError("at most 100 items per call")
        return self.call(lambda sp: sp.playlist_add_items(playlist_id, uris))

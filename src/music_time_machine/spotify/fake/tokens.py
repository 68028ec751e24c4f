"""Authorization codes, access tokens and refresh tokens, with Spotify's lifetimes and errors."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

CODE_LIFETIME = 600


class OAuthError(Exception):
    """An error the accounts service answers as ``{"error", "error_description"}``."""

    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status


@dataclass
class AuthCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    code_challenge: str | None
    expires_at: float
    used: bool = False


@dataclass
class AccessToken:
    token: str
    client_id: str
    scope: frozenset[str]
    expires_at: float


@dataclass
class RefreshToken:
    token: str
    client_id: str
    scope: str
    pkce: bool
    revoked: bool = False


@dataclass
class TokenSettings:
    """Knobs the control endpoint can turn; defaults match what Spotify usually does."""

    access_token_lifetime: int = 3600
    refresh_returns_refresh_token: bool = False


class TokenStore:
    """All grants handed out by the fake accounts service; callers hold the state lock."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self.settings = TokenSettings()
        self.codes: dict[str, AuthCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}

    def issue_code(
        self, client_id: str, redirect_uri: str, scope: str, code_challenge: str | None
    ) -> str:
        code = secrets.token_urlsafe(96)
        self.codes[code] = AuthCode(
            code, client_id, redirect_uri, scope, code_challenge, self._clock() + CODE_LIFETIME
        )
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str | None) -> AuthCode:
        """Spend a code: single use, short-lived, bound to its client and redirect URI."""
        grant = self.codes.get(code)
        if grant is None or grant.used or grant.client_id != client_id:
            raise OAuthError("invalid_grant", "Invalid authorization code")
        if grant.expires_at <= self._clock():
            raise OAuthError("invalid_grant", "Authorization code expired")
        if redirect_uri != grant.redirect_uri:
            raise OAuthError("invalid_grant", "Invalid redirect URI")
        grant.used = True
        return grant

    def issue_tokens(self, client_id: str, scope: str, pkce: bool) -> dict:
        answer = self._new_access(client_id, scope)
        answer["refresh_token"] = self._new_refresh(client_id, scope, pkce)
        return answer

    def refresh_grant(self, token: str, client_id: str, pkce: bool) -> dict:
        grant = self.refresh.get(token)
        if grant is None or grant.revoked or grant.client_id != client_id:
            raise OAuthError("invalid_grant", "Invalid refresh token")
        if pkce and not grant.pkce:
            raise OAuthError("invalid_client", "Invalid client")
        answer = self._new_access(client_id, grant.scope)
        if self.settings.refresh_returns_refresh_token:
            grant.revoked = True
            answer["refresh_token"] = self._new_refresh(client_id, grant.scope, grant.pkce)
        return answer

    def lookup_access(self, token: str) -> AccessToken | None:
        return self.access.get(token)

    def expire_all_access(self) -> int:
        now = self._clock()
        for grant in self.access.values():
            grant.expires_at = min(grant.expires_at, now)
        return len(self.access)

    def revoke_all_refresh(self) -> int:
        for grant in self.refresh.values():
            grant.revoked = True
        return len(self.refresh)

    def _new_access(self, client_id: str, scope: str) -> dict:
        token = "BQ" + secrets.token_urlsafe(100)
        lifetime = self.settings.access_token_lifetime
        self.access[token] = AccessToken(
            token, client_id, frozenset(scope.split()), self._clock() + lifetime
        )
        return {
            "access_token": token,
            "token_type": "Bearer",
            "expires_in": lifetime,
            "scope": scope,
        }

    def _new_refresh(self, client_id: str, scope: str, pkce: bool) -> str:
        token = "AQ" + secrets.token_urlsafe(96)
        self.refresh[token] = RefreshToken(token, client_id, scope, pkce)
        return token

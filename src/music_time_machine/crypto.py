"""Encryption of Spotify tokens at rest.

Tokens are encrypted with Fernet (AES-128-CBC + HMAC) under a key derived from
``SECRET_KEY`` with HKDF, so a stolen database file alone does not hand out account access.
Rotating ``SECRET_KEY`` makes stored tokens unreadable: users then reconnect Spotify.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


class TokenCipher:
    def __init__(self, secret_key: str) -> None:
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"music-time-machine",
                   info=b"spotify-token-encryption").derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def encrypt(self, token: str) -> bytes:
        return self._fernet.encrypt(token.encode())

    def decrypt(self, blob: bytes) -> str | None:
        """The token, or None when it was encrypted under another key or is corrupt."""
        try:
            return self._fernet.decrypt(bytes(blob)).decode()
        except (InvalidToken, ValueError):
            return None

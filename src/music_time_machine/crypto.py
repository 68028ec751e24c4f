"""Encryption of Spotify tokens at rest.

Tokens are encrypted with Fernet (AES-128-CBC + HMAC) under a key derived from
``SECRET_KEY`` with HKDF, so a stolen database file alone does not hand out account access.
Rotating ``SECRET_KEY`` makes stored tokens unreadable: users then reconnect Spotify.

Earlier versions fell back to a public development key when ``SECRET_KEY`` was unset.
Tokens stored under it are still read (``retired_keys``) and re-encrypted under the real
key on first use (``db.accounts.load_tokens``), so upgrading does not disconnect anyone.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _fernet(secret_key: str) -> Fernet:
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=b"music-time-machine",
        info=b"spotify-token-encryption",
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class TokenCipher:
    """Encrypts under ``secret_key``; decrypts under it or any of ``retired_keys``."""

    def __init__(self, secret_key: str, retired_keys: Iterable[str] = ()) -> None:
        self._fernet = _fernet(secret_key)
        retired = [_fernet(key) for key in retired_keys if key != secret_key]
        self._any = MultiFernet([self._fernet, *retired])

    def encrypt(self, token: str) -> bytes:
        return self._fernet.encrypt(token.encode())

    def decrypt(self, blob: bytes) -> str | None:
        """The token, or None when it was encrypted under an unknown key or is corrupt."""
        try:
            return self._any.decrypt(bytes(blob)).decode()
        except (InvalidToken, ValueError):
            return None

    def is_current(self, blob: bytes) -> bool:
        """True when ``blob`` is encrypted under the current key (no re-encryption needed)."""
        try:
            self._fernet.decrypt(bytes(blob))
        except (InvalidToken, ValueError):
            return False
        return True


def token_cipher(config: Mapping[str, Any]) -> TokenCipher:
    """The app's cipher: its ``SECRET_KEY``, plus the retired development key for reading."""
    from .config import DEV_SECRET_KEY

    return TokenCipher(config["SECRET_KEY"], retired_keys=(DEV_SECRET_KEY,))

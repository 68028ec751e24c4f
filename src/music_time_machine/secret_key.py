"""The generated secret key: used when ``SECRET_KEY`` is not set, kept in the data folder.

A fixed fallback key would be public (it is in this repository), and anyone who knows the
key can sign a session cookie for any user. So, as other self-hosted apps do, the first
start writes a random key to ``<MTM_DATA_DIR>/secret_key`` (mode 0600) and every later
start reads it back: sessions and stored Spotify tokens survive restarts.

The file appears atomically and complete: it is written under a temporary name and then
hard-linked to its final name, which fails if another process got there first. Two
processes starting at once therefore end up with the same key (the loser reads the
winner's file) and nobody ever reads a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

#: File name inside the data folder.
SECRET_KEY_FILE = "secret_key"
#: Shorter keys are refused: in the environment (production) and in the file.
MIN_SECRET_LENGTH = 16


class SecretKeyFileError(RuntimeError):
    """The key file exists but cannot be used; the message says how to fix it."""


def secret_key_path(data_dir: str | Path) -> Path:
    return Path(data_dir) / SECRET_KEY_FILE


def is_private(path: Path) -> bool:
    """True when neither the group nor others may read or write ``path``."""
    return not stat.S_IMODE(path.stat().st_mode) & 0o077


def read_secret_key(path: Path) -> str:
    """The key stored in ``path``; refuses an empty or truncated file rather than replace it
    (a new key would sign everyone out and make stored Spotify tokens unreadable)."""
    key = path.read_text(encoding="ascii").strip()
    if len(key) < MIN_SECRET_LENGTH:
        raise SecretKeyFileError(
            f"{path} holds no usable secret key (empty or shorter than {MIN_SECRET_LENGTH} "
            "characters). Delete the file to let Music Time Machine generate a new one "
            "(everyone then signs in again and reconnects Spotify), or set SECRET_KEY."
        )
    return key


def load_or_create_secret_key(data_dir: str | Path) -> str:
    """The key in ``<data_dir>/secret_key``, generated on first use (mode 0600)."""
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = secret_key_path(folder)
    if path.exists():
        return read_secret_key(path)
    temporary = folder / f".{SECRET_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process was first: use its key
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return read_secret_key(path)

"""Settings from the environment (and a ``.env`` file when present), validated once."""

from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv

from .hosts import parse_allowed_hosts
from .secret_key import MIN_SECRET_LENGTH
from .timezones import is_valid_timezone

#: The fallback key of earlier versions. It is public, so no server may sign anything with
#: it: it is refused when given, and only read to decrypt Spotify tokens stored under it
#: (crypto.py re-encrypts them under the real key). Without ``SECRET_KEY`` the app generates
#: a key in the data folder (secret_key.py).
DEV_SECRET_KEY = "dev-only-insecure-secret-key"  # noqa: S105

ENVIRONMENTS = ("development", "production")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says how to fix it."""


def _int(env: dict[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, got {raw!r}") from None
    if not 0 < value <= 300:
        raise ConfigError(f"{name} must be more than 0 and at most 300 seconds, got {raw}")
    return value


def _bool(env: dict[str, str], name: str) -> bool | None:
    """An on/off switch; ``None`` when unset, so the app can pick a mode-based default."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return None
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name} must be 1/true/yes/on or 0/false/no/off, got {raw!r}")


def _allowed_hosts(env: dict[str, str]) -> tuple[str, ...]:
    try:
        return parse_allowed_hosts(env.get("MTM_ALLOWED_HOSTS", ""))
    except ValueError as error:
        raise ConfigError(f"MTM_ALLOWED_HOSTS: {error}") from None


def load_config(env: dict[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables.

    ``env`` defaults to ``os.environ`` after reading ``.env`` from the working directory.
    """
    if env is None:
        load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    mtm_env = env.get("MTM_ENV", "development").strip().lower() or "development"
    if mtm_env not in ENVIRONMENTS:
        raise ConfigError(f"MTM_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mtm_env!r}")
    data_dir = Path(env.get("MTM_DATA_DIR") or "instance").expanduser().resolve()
    timezone = env.get("MTM_TIMEZONE") or "UTC"
    if not is_valid_timezone(timezone):
        raise ConfigError(f"MTM_TIMEZONE {timezone!r} is not an IANA time zone "
                          "(examples: Europe/Berlin, America/New_York, UTC)")
    production = mtm_env == "production"
    config = {
        "MTM_ENV": mtm_env,
        # None: create_app reads (or generates) <MTM_DATA_DIR>/secret_key.
        "SECRET_KEY": env.get("SECRET_KEY") or None,
        "MTM_DATA_DIR": str(data_dir),
        "DATABASE": str(data_dir / "music-time-machine.sqlite"),
        "MTM_TIMEZONE": timezone,
        "MTM_MAX_UPLOAD_MB": _int(env, "MTM_MAX_UPLOAD_MB", 1024, minimum=1),
        "SPOTIFY_CLIENT_ID": env.get("SPOTIFY_CLIENT_ID", ""),
        "SPOTIFY_CLIENT_SECRET": env.get("SPOTIFY_CLIENT_SECRET", ""),
        "SPOTIFY_REDIRECT_URI": env.get("SPOTIFY_REDIRECT_URI",
                                        "http://127.0.0.1:5000/callback"),
        "MTM_SPOTIFY_ACCOUNTS_URL": env.get("MTM_SPOTIFY_ACCOUNTS_URL",
                                            "https://accounts.spotify.com").rstrip("/"),
        "MTM_SPOTIFY_API_URL": env.get("MTM_SPOTIFY_API_URL",
                                       "https://api.spotify.com/v1").rstrip("/"),
        "MTM_SYNC_INTERVAL": _int(env, "MTM_SYNC_INTERVAL", 1800, minimum=60),
        # Host names (besides loopback and the redirect URI's host) the app answers to.
        "MTM_ALLOWED_HOSTS": _allowed_hosts(env),
        # Seconds a web request waits for a background writer before answering 503.
        "MTM_BUSY_TIMEOUT_S": _int(env, "MTM_BUSY_TIMEOUT_S", 10),
        # A background job (import, restore, re-bucketing) stops after this many seconds.
        "MTM_JOB_MAX_SECONDS": _int(env, "MTM_JOB_MAX_SECONDS", 3600, minimum=1),
        # How long one call to Spotify may take before it counts as failed (and is retried).
        "MTM_SPOTIFY_TIMEOUT": _seconds(env, "MTM_SPOTIFY_TIMEOUT", 10.0),
        "MTM_ALLOWED_SPOTIFY_IDS": frozenset(
            part.strip() for part in env.get("MTM_ALLOWED_SPOTIFY_IDS", "").split(",")
            if part.strip()),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_NAME": "mtm_session",
        # Idle sessions end (web/sessions.py); the cookie is rewritten at most hourly.
        "MTM_SESSION_IDLE_DAYS": _int(env, "MTM_SESSION_IDLE_DAYS", 30, minimum=1),
        "SESSION_REFRESH_EACH_REQUEST": False,
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        "TESTING": False,
        # Serving: how many reverse proxies in front of us may set X-Forwarded-* headers.
        "MTM_TRUSTED_PROXIES": _int(env, "MTM_TRUSTED_PROXIES", 0),
        # Local mode has no sign-in; this password then guards every page (web/password_login).
        "MTM_PASSWORD": env.get("MTM_PASSWORD", ""),
        "MTM_LOG_LEVEL": (env.get("MTM_LOG_LEVEL") or "INFO").strip().upper(),
        # Flask-Limiter: in-memory counters per process, keyed by the client address.
        "RATELIMIT_ENABLED": _bool(env, "MTM_RATE_LIMITS") is not False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
    }
    local = _bool(env, "MTM_LOCAL_MODE")
    if local is not None:  # unset: local mode exactly when no Spotify client id is configured
        config["MTM_LOCAL_MODE"] = local
    return config


def validate(config: dict) -> None:
    """Refuse a publicly known secret key anywhere, and a short one in production."""
    key = config.get("SECRET_KEY")
    how = ("Unset SECRET_KEY to let Music Time Machine generate one in the data folder, or "
           "set a long random secret:\n"
           "  export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')")
    if not key or key == DEV_SECRET_KEY:
        raise ConfigError("SECRET_KEY is missing or is the old development default, which "
                          "is public (anyone could sign in as any user). " + how)
    if config.get("MTM_ENV") == "production" and len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters. " + how)

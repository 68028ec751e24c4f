"""Settings from the environment (and a ``.env`` file when present), validated once.

``SETTINGS`` is the one table of every variable the app reads from the environment: its
default, bounds, parser, meaning and how to fix a bad value. ``load_config`` (the app) and
``ops_check`` (``mtm check``) both read through it, so they cannot disagree on a default or
a bound; the README's configuration table lists the same names (a unit test checks both).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_ON = ("1", "true", "yes", "on")
_OFF = ("0", "false", "no", "off")


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says how to fix it."""


class SettingError(ConfigError):
    """One setting's value is wrong: ``problem`` says what, ``fix`` how to put it right."""

    def __init__(self, setting: Setting, problem: str) -> None:
        super().__init__(problem)
        self.setting = setting
        self.problem = problem
        self.fix = setting.how_to_fix()


@dataclass(frozen=True)
class Setting:
    """One environment variable.

    ``parse`` turns the raw text into the setting's value or raises ``SettingError``; an
    unset or empty variable reads as ``default`` (raw text too, as the README shows it, or
    ``None`` for "unset"). ``minimum`` and
    ``maximum`` bound numbers (for ``seconds`` the minimum is exclusive); ``choices`` lists
    the accepted words. ``fix`` is the how-to-fix line ``mtm check`` prints; when empty one
    is made from the bounds and the default.
    """

    name: str
    default: str | None
    parse: Callable[[Setting, str], Any]
    help: str
    fix: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()

    def read(self, env: Mapping[str, str]) -> Any:
        """This setting's value in ``env``; raises ``SettingError`` when it is wrong."""
        raw = env.get(self.name)
        if raw is None or raw == "":
            raw = self.default
        return None if raw is None else self.parse(self, raw)

    def how_to_fix(self) -> str:
        if self.fix:
            return self.fix
        if self.choices:
            return f"Set {self.name} to one of {', '.join(self.choices)}, or leave it unset."
        shown = f" (default {self.default})" if self.default else ""
        if self.parse is _whole:
            bound = f" of at least {self.minimum:g}" if self.minimum is not None else ""
            return f"Set {self.name} to a whole number{bound}{shown}, or leave it unset."
        if self.parse is _seconds:
            return (
                f"Set {self.name} to a number of seconds above {self.minimum:g} and at most "
                f"{self.maximum:g}{shown}, or leave it unset."
            )
        if self.parse is _rate:
            return (
                f"Set {self.name} to a number of requests per second above 0 and at most "
                f"{self.maximum:g}{shown}, or leave it unset."
            )
        if self.parse is _contact:
            return (
                f"Set {self.name} to your e-mail address or a web page about your server "
                "(e.g. MTM_CONTACT=you@example.org); MusicBrainz asks every client for "
                "one."
            )
        if self.parse is _switch:
            return f"Set {self.name} to 1 (on) or 0 (off), or leave it unset."
        return f"Correct {self.name}, or leave it unset."


# -- parsers: (setting, non-empty raw value) -> value ---------------------------------------


def _text(_setting: Setting, raw: str) -> str:
    return raw


def _url(_setting: Setting, raw: str) -> str:
    return raw.rstrip("/")


def _whole(setting: Setting, raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise SettingError(setting, f"{setting.name} must be a whole number, got {raw!r}") from None
    if setting.minimum is not None and value < setting.minimum:
        raise SettingError(
            setting, f"{setting.name} must be at least {setting.minimum:g}, got {value}"
        )
    if setting.maximum is not None and value > setting.maximum:
        raise SettingError(
            setting, f"{setting.name} must be at most {setting.maximum:g}, got {value}"
        )
    return value


def _above(setting: Setting, raw: str, low: float, unit: str) -> float:
    """A number of ``unit`` above ``low`` (exclusive) and at most ``setting.maximum``: the
    rule and the wording shared by every measured, non-whole setting."""
    try:
        value = float(raw)
    except ValueError:
        raise SettingError(
            setting, f"{setting.name} must be a number of {unit}, got {raw!r}"
        ) from None
    high = setting.maximum or float("inf")
    if not low < value <= high:  # also refuses nan
        raise SettingError(
            setting,
            f"{setting.name} must be more than {low:g} and at most {high:g} {unit}, got {raw}",
        )
    return value


def _seconds(setting: Setting, raw: str) -> float:
    return _above(setting, raw, setting.minimum or 0, "seconds")


def _choice(setting: Setting, raw: str) -> str:
    value = raw.strip()
    value = value.upper() if setting.choices[0].isupper() else value.lower()
    if not value and setting.default:  # blank: as if unset
        return _choice(setting, setting.default)
    if value not in setting.choices:
        raise SettingError(
            setting, f"{setting.name} must be one of {', '.join(setting.choices)}, got {value!r}"
        )
    return value


def _switch(setting: Setting, raw: str) -> bool | None:
    """On/off; ``None`` (unset or blank) lets the app pick a mode-based default."""
    value = raw.strip().lower()
    if not value:
        return None
    if value in _ON:
        return True
    if value in _OFF:
        return False
    raise SettingError(
        setting, f"{setting.name} must be 1/true/yes/on or 0/false/no/off, got {value!r}"
    )


def _rate(setting: Setting, raw: str) -> float:
    return _above(setting, raw, 0, "requests per second")


_CONTACT = re.compile(r"^(?:[^\s@()]+@[^\s@()]+\.[^\s@()]+|https?://[^\s()]+)$")


def _contact(setting: Setting, raw: str) -> str:
    value = raw.strip()
    if value and not _CONTACT.match(value):
        raise SettingError(
            setting,
            f"{setting.name} must be an e-mail address or a web "
            f"address where MusicBrainz can reach you, got {value!r}",
        )
    return value


def _timezone(setting: Setting, raw: str) -> str:
    if not is_valid_timezone(raw):
        raise SettingError(
            setting,
            f"{setting.name} {raw!r} is not an IANA time zone "
            "(examples: Europe/Berlin, America/New_York, UTC)",
        )
    return raw


def _directory(_setting: Setting, raw: str) -> Path:
    return Path(raw).expanduser().resolve()


def _hosts(setting: Setting, raw: str) -> tuple[str, ...]:
    try:
        return parse_allowed_hosts(raw)
    except ValueError as error:
        raise SettingError(setting, f"{setting.name}: {error}") from None


def _id_set(_setting: Setting, raw: str) -> frozenset[str]:
    return frozenset(part.strip() for part in raw.split(",") if part.strip())


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "MTM_ENV",
        "development",
        _choice,
        "`development` or `production` (production refuses a short or public secret and "
        "sends `Secure` cookies and HSTS)",
        choices=ENVIRONMENTS,
        fix="Set MTM_ENV=production on a server, or leave it unset.",
    ),
    Setting(
        "SECRET_KEY",
        None,
        _text,
        "signs sessions and encrypts stored Spotify tokens; unset, a key is generated in "
        "the data folder",
    ),
    Setting(
        "MTM_DATA_DIR",
        "instance",
        _directory,
        "where the SQLite database, the generated key and uploads live",
    ),
    Setting(
        "MTM_TIMEZONE",
        "UTC",
        _timezone,
        "IANA time zone for new users (each user can change theirs in Settings)",
        fix="Use a name like Europe/Berlin, America/New_York or UTC "
        "(see `timedatectl list-timezones`).",
    ),
    Setting(
        "MTM_MAX_UPLOAD_MB",
        "1024",
        _whole,
        "largest accepted upload, refused before the body is read",
        minimum=1,
    ),
    Setting("SPOTIFY_CLIENT_ID", "", _text, "your Spotify app's client id"),
    Setting("SPOTIFY_CLIENT_SECRET", "", _text, "your Spotify app's client secret"),
    Setting(
        "SPOTIFY_REDIRECT_URI",
        "http://127.0.0.1:5000/callback",
        _text,
        "must be registered in your Spotify app exactly",
    ),
    Setting(
        "MTM_SPOTIFY_ACCOUNTS_URL",
        "https://accounts.spotify.com",
        _url,
        "Spotify Accounts service (tests and the demo point it at the fake)",
    ),
    Setting("MTM_SPOTIFY_API_URL", "https://api.spotify.com/v1", _url, "Spotify Web API"),
    Setting("MTM_SYNC_INTERVAL", "1800", _whole, "seconds between background syncs", minimum=60),
    Setting(
        "MTM_ALLOWED_HOSTS",
        "",
        _hosts,
        "host names besides loopback and the redirect URI's host the app answers to",
        fix="Example: MTM_ALLOWED_HOSTS=nas.local,192.168.1.20",
    ),
    Setting(
        "MTM_BUSY_TIMEOUT_S",
        "10",
        _whole,
        "seconds a web request waits for a background writer before answering 503",
        minimum=0,
    ),
    Setting(
        "MTM_JOB_MAX_SECONDS",
        "3600",
        _whole,
        "a background job (import, restore, re-count) stops after this many seconds",
        minimum=1,
    ),
    Setting(
        "MTM_SPOTIFY_TIMEOUT",
        "10",
        _seconds,
        "seconds one call to Spotify may take before it counts as failed (and is retried)",
        minimum=0,
        maximum=300,
    ),
    Setting(
        "MTM_ALLOWED_SPOTIFY_IDS",
        "",
        _id_set,
        "comma-separated Spotify user ids allowed to sign in (empty: anyone)",
    ),
    Setting(
        "MTM_SESSION_IDLE_DAYS", "30", _whole, "a session unused for this many days ends", minimum=1
    ),
    Setting(
        "MTM_TRUSTED_PROXIES",
        "0",
        _whole,
        "how many reverse proxies may set X-Forwarded-* headers",
        minimum=0,
    ),
    Setting("MTM_PASSWORD", "", _text, "in local mode every page asks for this password first"),
    Setting("MTM_LOG_LEVEL", "INFO", _choice, "how much the server logs", choices=LOG_LEVELS),
    Setting("MTM_RATE_LIMITS", None, _switch, "`0` turns the rate limits off"),
    Setting(
        "MTM_ENRICH",
        "1",
        _switch,
        "`0` turns off fetching genres, tags and cover art from MusicBrainz and the Cover "
        "Art Archive",
    ),
    Setting(
        "MTM_CONTACT",
        "",
        _contact,
        "your e-mail or web address, sent in the User-Agent to MusicBrainz; required to "
        "enrich from the public musicbrainz.org",
    ),
    Setting(
        "MTM_MUSICBRAINZ_URL",
        "https://musicbrainz.org",
        _url,
        "MusicBrainz service root (a mirror, or the bundled fake; `/ws/2/...` is added)",
    ),
    Setting("MTM_COVERART_URL", "https://coverartarchive.org", _url, "Cover Art Archive"),
    Setting(
        "MTM_MUSICBRAINZ_RATE",
        "1",
        _rate,
        "requests per second to MusicBrainz (the public service allows 1; a mirror or the "
        "fake may allow more)",
        minimum=0,
        maximum=100,
    ),
    Setting(
        "MTM_LOCAL_MODE",
        None,
        _switch,
        "`1`: one user, no sign-in; `0`: sign in with Spotify; unset: local mode exactly "
        "when SPOTIFY_CLIENT_ID is empty",
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {s.name: s for s in SETTINGS}


def read_settings(env: Mapping[str, str]) -> tuple[dict[str, Any], list[SettingError]]:
    """Every setting's value (the default where it is wrong) and every problem, in table
    order: ``mtm check`` reports them all, the app stops at the first."""
    values: dict[str, Any] = {}
    problems: list[SettingError] = []
    for setting in SETTINGS:
        try:
            values[setting.name] = setting.read(env)
        except SettingError as error:
            values[setting.name] = (
                None if setting.default is None else setting.parse(setting, setting.default)
            )
            problems.append(error)
    return values, problems


def load_config(env: Mapping[str, str] | None = None) -> dict:
    """Build the Flask config mapping from environment variables.

    ``env`` defaults to ``os.environ`` after reading ``.env`` from the working directory.
    """
    if env is None:
        load_dotenv(Path.cwd() / ".env", override=False)
        env = dict(os.environ)
    values, problems = read_settings(env)
    if problems:
        raise problems[0]
    data_dir = values["MTM_DATA_DIR"]
    config = {
        name: values[name]
        for name in (
            "MTM_ENV",
            "MTM_TIMEZONE",
            "MTM_MAX_UPLOAD_MB",
            "SPOTIFY_CLIENT_ID",
            "SPOTIFY_CLIENT_SECRET",
            "SPOTIFY_REDIRECT_URI",
            "MTM_SPOTIFY_ACCOUNTS_URL",
            "MTM_SPOTIFY_API_URL",
            "MTM_SYNC_INTERVAL",
            "MTM_ALLOWED_HOSTS",
            "MTM_BUSY_TIMEOUT_S",
            "MTM_JOB_MAX_SECONDS",
            "MTM_SPOTIFY_TIMEOUT",
            "MTM_ALLOWED_SPOTIFY_IDS",
            "MTM_SESSION_IDLE_DAYS",
            "MTM_TRUSTED_PROXIES",
            "MTM_PASSWORD",
            "MTM_LOG_LEVEL",
            "MTM_CONTACT",
            "MTM_MUSICBRAINZ_URL",
            "MTM_COVERART_URL",
            "MTM_MUSICBRAINZ_RATE",
        )
    }
    config.update(
        {
            # None: create_app reads (or generates) <MTM_DATA_DIR>/secret_key.
            "SECRET_KEY": values["SECRET_KEY"],
            "MTM_DATA_DIR": str(data_dir),
            "DATABASE": str(data_dir / "music-time-machine.sqlite"),
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Lax",
            "SESSION_COOKIE_SECURE": values["MTM_ENV"] == "production",
            "SESSION_COOKIE_NAME": "mtm_session",
            # Idle sessions end (web/sessions.py); the cookie is rewritten at most hourly.
            "SESSION_REFRESH_EACH_REQUEST": False,
            "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
            "TESTING": False,
            # Flask-Limiter: in-memory counters per process, keyed by the client address.
            "RATELIMIT_ENABLED": values["MTM_RATE_LIMITS"] is not False,
            "RATELIMIT_STORAGE_URI": "memory://",
            "RATELIMIT_HEADERS_ENABLED": True,
        }
    )
    config["MTM_ENRICH"] = values["MTM_ENRICH"] is not False
    # Unset: local mode exactly when no Spotify client id is configured (current_user.py).
    if values["MTM_LOCAL_MODE"] is not None:
        config["MTM_LOCAL_MODE"] = values["MTM_LOCAL_MODE"]
    return config


def validate(config: dict) -> None:
    """Refuse a publicly known secret key anywhere, and a short one in production."""
    key = config.get("SECRET_KEY")
    how = (
        "Unset SECRET_KEY to let Music Time Machine generate one in the data folder, or "
        "set a long random secret:\n"
        "  export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
    )
    if not key or key == DEV_SECRET_KEY:
        raise ConfigError(
            "SECRET_KEY is missing or is the old development default, which "
            "is public (anyone could sign in as any user). " + how
        )
    if config.get("MTM_ENV") == "production" and len(key) < MIN_SECRET_LENGTH:
        raise ConfigError(f"SECRET_KEY is shorter than {MIN_SECRET_LENGTH} characters. " + how)

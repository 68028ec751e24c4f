"""``mtm check``: find what is misconfigured before the server (or Spotify) refuses it.

``load_config`` stops at the first bad setting; this looks at every setting in the raw
environment and reports each problem with the exact fix, so one run of ``mtm check`` is
enough to get a deployment right. Problems are ``error`` (the app will not work, or is
unsafe), ``warning`` (works, but probably not what you want) or ``note`` (for information).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .config import DEV_SECRET_KEY, ENVIRONMENTS
from .hosts import allowed_host_names, is_loopback_host, parse_allowed_hosts
from .secret_key import (
    MIN_SECRET_LENGTH,
    SecretKeyFileError,
    is_private,
    read_secret_key,
    secret_key_path,
)
from .timezones import is_valid_timezone

#: A full extended-history export (zip) of a long-time listener can be a few hundred MB.
RECOMMENDED_UPLOAD_MB = 256
MIN_PASSWORD_LENGTH = 12
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True)
class Finding:
    """One result line: ``level`` is ok, note, warning or error."""

    level: str
    topic: str
    message: str
    fix: str = ""


def redirect_uri_problem(uri: str) -> str | None:
    """Why Spotify would refuse ``uri`` as a redirect URI, or ``None`` when it is fine.

    Since 2025 Spotify accepts only HTTPS, or plain HTTP to a loopback *literal*
    (``http://127.0.0.1:PORT/...`` or ``http://[::1]:PORT/...``); ``localhost`` is refused.
    """
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "is not an absolute http(s) URL"
    if parts.scheme == "https":
        return None
    if parts.hostname.lower() == "localhost":
        return "uses localhost, which Spotify refuses (use the loopback address 127.0.0.1)"
    if not is_loopback_host(parts.hostname):
        return "uses plain http to a non-loopback host; Spotify requires https there"
    return None


def _int_setting(env: Mapping[str, str], name: str, default: int, minimum: int,
                 findings: list[Finding]) -> int | None:
    raw = (env.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        findings.append(Finding("error", name, f"{name}={raw!r} is not a whole number.",
                                f"Set {name} to a whole number (default {default})."))
        return None
    if value < minimum:
        findings.append(Finding("error", name, f"{name}={value} is below the minimum {minimum}.",
                                f"Set {name} to {minimum} or more (default {default})."))
        return None
    return value


def _check_environment(env: Mapping[str, str], findings: list[Finding]) -> bool:
    mtm_env = (env.get("MTM_ENV") or "development").strip().lower()
    if mtm_env not in ENVIRONMENTS:
        findings.append(Finding("error", "MTM_ENV", f"MTM_ENV={mtm_env!r} is not known.",
                                "Set MTM_ENV=production on a server, or leave it unset."))
        return False
    if mtm_env == "production":
        findings.append(Finding("ok", "MTM_ENV", "production: Secure cookies and HSTS are on, "
                                "so serve it over HTTPS (see README › Deployment)."))
    else:
        findings.append(Finding("note", "MTM_ENV", "development mode.",
                                "On a server set MTM_ENV=production."))
    return mtm_env == "production"


def _check_secret(env: Mapping[str, str], production: bool, findings: list[Finding]) -> None:
    key = env.get("SECRET_KEY") or ""
    how = ("unset SECRET_KEY to use the generated key file, or "
           "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') "
           "(keep it: changing it signs everyone out and makes stored Spotify tokens unreadable)")
    if key == DEV_SECRET_KEY:
        findings.append(Finding("error", "SECRET_KEY", "SECRET_KEY is the old development "
                                "default, which is public; the app refuses to start.", how))
    elif key and len(key) < MIN_SECRET_LENGTH:
        findings.append(Finding("error" if production else "warning", "SECRET_KEY",
                                f"SECRET_KEY is only {len(key)} characters long.", how))
    elif key:
        findings.append(Finding("ok", "SECRET_KEY", "set."))
    else:
        _check_secret_key_file(env, findings)


def _check_secret_key_file(env: Mapping[str, str], findings: list[Finding]) -> None:
    """Where the generated key lives (never what it is), and whether only we can read it."""
    path = secret_key_path(Path(env.get("MTM_DATA_DIR") or "instance").expanduser().resolve())
    if not path.exists():
        findings.append(Finding("ok", "SECRET_KEY", f"not set: a random key is generated on "
                                f"first start and kept in {path} (mode 0600)."))
        return
    try:
        read_secret_key(path)
    except (OSError, SecretKeyFileError) as error:
        findings.append(Finding("error", "SECRET_KEY", f"not set, and the key file cannot be "
                                f"used: {error}", f"Delete {path} (a new key is generated), "
                                "or set SECRET_KEY."))
        return
    if not is_private(path):
        findings.append(Finding("error", "SECRET_KEY", f"the key file {path} can be read by "
                                "other users of this machine.", f"chmod 600 {path}"))
        return
    findings.append(Finding("ok", "SECRET_KEY", f"not set: using the generated key in {path} "
                            "(back it up with the database; without it stored Spotify tokens "
                            "cannot be read)."))


def _check_data_dir(env: Mapping[str, str], findings: list[Finding]) -> None:
    data_dir = Path(env.get("MTM_DATA_DIR") or "instance").expanduser().resolve()
    name = "MTM_DATA_DIR"
    if not data_dir.exists():
        parent = next((p for p in data_dir.parents if p.exists()), None)
        if parent is not None and os.access(parent, os.W_OK | os.X_OK):
            findings.append(Finding("note", name, f"{data_dir} does not exist yet; it is "
                                    "created on first start.", "Or run: mtm init-db"))
        else:
            findings.append(Finding("error", name, f"{data_dir} does not exist and cannot be "
                                    "created by this user.",
                                    f"sudo install -d -o $(id -un) -m 700 {data_dir}"))
        return
    if not data_dir.is_dir():
        findings.append(Finding("error", name, f"{data_dir} is not a directory.",
                                "Point MTM_DATA_DIR at a directory."))
        return
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".mtm-check-"):
            pass
    except OSError as error:
        findings.append(Finding("error", name, f"{data_dir} is not writable ({error.strerror}).",
                                f"chown -R $(id -un) {data_dir} && chmod 700 {data_dir}"))
        return
    database = data_dir / "music-time-machine.sqlite"
    if database.exists() and not os.access(database, os.R_OK | os.W_OK):
        findings.append(Finding("error", name, f"{database} is not readable and writable.",
                                f"chown $(id -un) {database}*"))
        return
    findings.append(Finding("ok", name, f"{data_dir} is writable."))


def _check_spotify(env: Mapping[str, str], findings: list[Finding]) -> bool:
    client_id = (env.get("SPOTIFY_CLIENT_ID") or "").strip()
    secret = (env.get("SPOTIFY_CLIENT_SECRET") or "").strip()
    if not client_id and not secret:
        findings.append(Finding("note", "Spotify", "no Spotify credentials: local mode (one "
                                "user, no sign-in; import exports, no live sync).",
                                "To sync live, create an app at developer.spotify.com and set "
                                "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET."))
        return False
    if not client_id or not secret:
        missing = "SPOTIFY_CLIENT_ID" if not client_id else "SPOTIFY_CLIENT_SECRET"
        findings.append(Finding("error", "Spotify", f"{missing} is missing.",
                                f"Copy {missing} from your app's page on developer.spotify.com."))
    else:
        findings.append(Finding("ok", "Spotify", "client id and secret set."))
    uri = env.get("SPOTIFY_REDIRECT_URI") or "http://127.0.0.1:5000/callback"
    problem = redirect_uri_problem(uri)
    if problem:
        findings.append(Finding("error", "SPOTIFY_REDIRECT_URI", f"{uri} {problem}.",
                                "Use https://YOUR-HOST/callback behind a reverse proxy, or "
                                "http://127.0.0.1:5000/callback on this machine; register the "
                                "same URI in the Spotify app's settings."))
    elif urlsplit(uri).path != "/callback":
        findings.append(Finding("warning", "SPOTIFY_REDIRECT_URI",
                                f"{uri} does not end in /callback, where this app listens.",
                                "Use …/callback (and register that URI with Spotify)."))
    else:
        findings.append(Finding("ok", "SPOTIFY_REDIRECT_URI", f"{uri} (register exactly this "
                                "URI in the Spotify app's settings)."))
    return bool(client_id)


def _check_password(env: Mapping[str, str], spotify: bool, findings: list[Finding]) -> None:
    password = env.get("MTM_PASSWORD") or ""
    local = (env.get("MTM_LOCAL_MODE") or "").strip().lower() in ("1", "true", "yes", "on") \
        or not spotify
    if password and len(password) < MIN_PASSWORD_LENGTH:
        findings.append(Finding("warning", "MTM_PASSWORD",
                                f"MTM_PASSWORD is only {len(password)} characters long.",
                                f"Use at least {MIN_PASSWORD_LENGTH} characters, e.g. "
                                "python3 -c 'import secrets; print(secrets.token_urlsafe(16))'"))
    elif password:
        findings.append(Finding("ok", "MTM_PASSWORD", "set: every page asks for it."))
    elif local and (env.get("MTM_TRUSTED_PROXIES") or "0").strip() not in ("", "0"):
        findings.append(Finding("warning", "MTM_PASSWORD", "not set, but a reverse proxy is "
                                "configured: local mode has no sign-in, so anyone who reaches "
                                "the proxy sees everything.",
                                "Set MTM_PASSWORD, or make the proxy ask for a password."))
    elif local:
        findings.append(Finding("note", "MTM_PASSWORD", "not set: local mode has no sign-in, "
                                "so mtm serve only listens on 127.0.0.1.",
                                "To serve on the network, set MTM_PASSWORD."))


def _check_allowed_hosts(env: Mapping[str, str], findings: list[Finding]) -> None:
    """Requests to any other host name get 400 (DNS rebinding), so list every name in use."""
    try:
        listed = parse_allowed_hosts(env.get("MTM_ALLOWED_HOSTS") or "")
    except ValueError as error:
        findings.append(Finding("error", "MTM_ALLOWED_HOSTS", str(error),
                                "Example: MTM_ALLOWED_HOSTS=nas.local,192.168.1.20"))
        return
    names = [name for name in allowed_host_names({
        "SPOTIFY_REDIRECT_URI": env.get("SPOTIFY_REDIRECT_URI") or "",
        "MTM_ALLOWED_HOSTS": listed}) if not is_loopback_host(name)]
    if names:
        findings.append(Finding("ok", "MTM_ALLOWED_HOSTS", "answers to localhost, 127.0.0.1, "
                                f"[::1] and {', '.join(names)}; other host names get 400."))
    else:
        findings.append(Finding("note", "MTM_ALLOWED_HOSTS", "answers only to localhost, "
                                "127.0.0.1 and [::1]; other host names get 400 (this stops "
                                "DNS-rebinding attacks).",
                                "To open it from other devices (mtm serve --host 0.0.0.0), "
                                "list the names or addresses they use, e.g. "
                                "MTM_ALLOWED_HOSTS=nas.local,192.168.1.20"))


def _check_misc(env: Mapping[str, str], findings: list[Finding]) -> None:
    timezone = env.get("MTM_TIMEZONE") or "UTC"
    if is_valid_timezone(timezone):
        findings.append(Finding("ok", "MTM_TIMEZONE", f"{timezone}."))
    else:
        findings.append(Finding("error", "MTM_TIMEZONE",
                                f"{timezone!r} is not an IANA time zone.",
                                "Use a name like Europe/Berlin, America/New_York or UTC "
                                "(see `timedatectl list-timezones`)."))
    upload = _int_setting(env, "MTM_MAX_UPLOAD_MB", 1024, 1, findings)
    if upload is not None and upload < RECOMMENDED_UPLOAD_MB:
        findings.append(Finding("warning", "MTM_MAX_UPLOAD_MB",
                                f"{upload} MB may be too small for a full streaming-history "
                                "export.", f"Set MTM_MAX_UPLOAD_MB={RECOMMENDED_UPLOAD_MB} or "
                                "more (and nginx client_max_body_size to match)."))
    elif upload is not None:
        findings.append(Finding("ok", "MTM_MAX_UPLOAD_MB", f"{upload} MB (a reverse proxy "
                                "needs client_max_body_size at least as large)."))
    _int_setting(env, "MTM_SYNC_INTERVAL", 1800, 60, findings)
    proxies = _int_setting(env, "MTM_TRUSTED_PROXIES", 0, 0, findings)
    if proxies:
        findings.append(Finding("ok", "MTM_TRUSTED_PROXIES",
                                f"trusting X-Forwarded-* from {proxies} proxy hop(s)."))
    level = (env.get("MTM_LOG_LEVEL") or "INFO").strip().upper()
    if level not in LOG_LEVELS:
        findings.append(Finding("error", "MTM_LOG_LEVEL", f"{level!r} is not a log level.",
                                f"Use one of {', '.join(LOG_LEVELS)}."))


def run_checks(env: Mapping[str, str]) -> list[Finding]:
    """Every check over ``env`` (the process environment plus ``.env``)."""
    findings: list[Finding] = []
    production = _check_environment(env, findings)
    _check_secret(env, production, findings)
    _check_data_dir(env, findings)
    spotify = _check_spotify(env, findings)
    _check_password(env, spotify, findings)
    _check_allowed_hosts(env, findings)
    _check_misc(env, findings)
    return findings


MARKS = {"ok": "ok  ", "note": "note", "warning": "WARN", "error": "FAIL"}


def format_findings(findings: list[Finding]) -> str:
    """Plain text, one finding per line and its fix indented below it."""
    lines = []
    for f in findings:
        lines.append(f"[{MARKS[f.level]}] {f.topic}: {f.message}")
        if f.fix and f.level != "ok":
            lines.append(f"       fix: {f.fix}")
    errors = sum(f.level == "error" for f in findings)
    warnings = sum(f.level == "warning" for f in findings)
    lines.append("")
    lines.append(f"{errors} problem{'s' if errors != 1 else ''}, "
                 f"{warnings} warning{'s' if warnings != 1 else ''}."
                 if errors or warnings else "Everything looks right.")
    return "\n".join(lines)

"""``mtm check``: find what is misconfigured before the server (or Spotify) refuses it.

``load_config`` stops at the first bad setting; this reads every setting through the same
table (``config.SETTINGS``: defaults, bounds, parsers and how-to-fix lines) and reports each
problem with its fix, so one run of ``mtm check`` is enough to get a deployment right.
Problems are ``error`` (the app will not work, or is unsafe), ``warning`` (works, but
probably not what you want) or ``note`` (for information).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .config import DEV_SECRET_KEY, read_settings
from .hosts import allowed_host_names, is_loopback_host
from .secret_key import (
    MIN_SECRET_LENGTH,
    SecretKeyFileError,
    is_private,
    read_secret_key,
    secret_key_path,
)

#: A full extended-history export (zip) of a long-time listener can be a few hundred MB.
RECOMMENDED_UPLOAD_MB = 256
MIN_PASSWORD_LENGTH = 12


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


def _check_environment(values: Mapping[str, Any], findings: list[Finding]) -> bool:
    if values["MTM_ENV"] == "production":
        findings.append(
            Finding(
                "ok",
                "MTM_ENV",
                "production: Secure cookies and HSTS are on, "
                "so serve it over HTTPS (see README › Deployment).",
            )
        )
        return True
    findings.append(
        Finding("note", "MTM_ENV", "development mode.", "On a server set MTM_ENV=production.")
    )
    return False


def _check_secret(values: Mapping[str, Any], production: bool, findings: list[Finding]) -> None:
    key = values["SECRET_KEY"] or ""
    how = (
        "unset SECRET_KEY to use the generated key file, or "
        "export SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))') "
        "(keep it: changing it signs everyone out and makes stored Spotify tokens unreadable)"
    )
    if key == DEV_SECRET_KEY:
        findings.append(
            Finding(
                "error",
                "SECRET_KEY",
                "SECRET_KEY is the old development "
                "default, which is public; the app refuses to start.",
                how,
            )
        )
    elif key and len(key) < MIN_SECRET_LENGTH:
        findings.append(
            Finding(
                "error" if production else "warning",
                "SECRET_KEY",
                f"SECRET_KEY is only {len(key)} characters long.",
                how,
            )
        )
    elif key:
        findings.append(Finding("ok", "SECRET_KEY", "set."))
    else:
        _check_secret_key_file(values["MTM_DATA_DIR"], findings)


def _check_secret_key_file(data_dir: Path, findings: list[Finding]) -> None:
    """Where the generated key lives (never what it is), and whether only we can read it."""
    path = secret_key_path(data_dir)
    if not path.exists():
        findings.append(
            Finding(
                "ok",
                "SECRET_KEY",
                f"not set: a random key is generated on "
                f"first start and kept in {path} (mode 0600).",
            )
        )
        return
    try:
        read_secret_key(path)
    except (OSError, SecretKeyFileError) as error:
        findings.append(
            Finding(
                "error",
                "SECRET_KEY",
                f"not set, and the key file cannot be used: {error}",
                f"Delete {path} (a new key is generated), or set SECRET_KEY.",
            )
        )
        return
    if not is_private(path):
        findings.append(
            Finding(
                "error",
                "SECRET_KEY",
                f"the key file {path} can be read by other users of this machine.",
                f"chmod 600 {path}",
            )
        )
        return
    findings.append(
        Finding(
            "ok",
            "SECRET_KEY",
            f"not set: using the generated key in {path} "
            "(back it up with the database; without it stored Spotify tokens "
            "cannot be read).",
        )
    )


def _check_data_dir(data_dir: Path, findings: list[Finding]) -> None:
    name = "MTM_DATA_DIR"
    if not data_dir.exists():
        parent = next((p for p in data_dir.parents if p.exists()), None)
        if parent is not None and os.access(parent, os.W_OK | os.X_OK):
            findings.append(
                Finding(
                    "note",
                    name,
                    f"{data_dir} does not exist yet; it is created on first start.",
                    "Or run: mtm init-db",
                )
            )
        else:
            findings.append(
                Finding(
                    "error",
                    name,
                    f"{data_dir} does not exist and cannot be created by this user.",
                    f"sudo install -d -o $(id -un) -m 700 {data_dir}",
                )
            )
        return
    if not data_dir.is_dir():
        findings.append(
            Finding(
                "error",
                name,
                f"{data_dir} is not a directory.",
                "Point MTM_DATA_DIR at a directory.",
            )
        )
        return
    try:
        with tempfile.NamedTemporaryFile(dir=data_dir, prefix=".mtm-check-"):
            pass
    except OSError as error:
        findings.append(
            Finding(
                "error",
                name,
                f"{data_dir} is not writable ({error.strerror}).",
                f"chown -R $(id -un) {data_dir} && chmod 700 {data_dir}",
            )
        )
        return
    database = data_dir / "music-time-machine.sqlite"
    if database.exists() and not os.access(database, os.R_OK | os.W_OK):
        findings.append(
            Finding(
                "error",
                name,
                f"{database} is not readable and writable.",
                f"chown $(id -un) {database}*",
            )
        )
        return
    findings.append(Finding("ok", name, f"{data_dir} is writable."))


def _check_spotify(values: Mapping[str, Any], findings: list[Finding]) -> bool:
    client_id = values["SPOTIFY_CLIENT_ID"].strip()
    secret = values["SPOTIFY_CLIENT_SECRET"].strip()
    if not client_id and not secret:
        findings.append(
            Finding(
                "note",
                "Spotify",
                "no Spotify credentials: local mode (one "
                "user, no sign-in; import exports, no live sync).",
                "To sync live, create an app at developer.spotify.com and set "
                "SPOTIFY_CLIENT_ID and SPOTIFY_CLIENT_SECRET.",
            )
        )
        return False
    if not client_id or not secret:
        missing = "SPOTIFY_CLIENT_ID" if not client_id else "SPOTIFY_CLIENT_SECRET"
        findings.append(
            Finding(
                "error",
                "Spotify",
                f"{missing} is missing.",
                f"Copy {missing} from your app's page on developer.spotify.com.",
            )
        )
    else:
        findings.append(Finding("ok", "Spotify", "client id and secret set."))
    uri = values["SPOTIFY_REDIRECT_URI"]
    problem = redirect_uri_problem(uri)
    if problem:
        findings.append(
            Finding(
                "error",
                "SPOTIFY_REDIRECT_URI",
                f"{uri} {problem}.",
                "Use https://YOUR-HOST/callback behind a reverse proxy, or "
                "http://127.0.0.1:5000/callback on this machine; register the "
                "same URI in the Spotify app's settings.",
            )
        )
    elif urlsplit(uri).path != "/callback":
        findings.append(
            Finding(
                "warning",
                "SPOTIFY_REDIRECT_URI",
                f"{uri} does not end in /callback, where this app listens.",
                "Use …/callback (and register that URI with Spotify).",
            )
        )
    else:
        findings.append(
            Finding(
                "ok",
                "SPOTIFY_REDIRECT_URI",
                f"{uri} (register exactly this URI in the Spotify app's settings).",
            )
        )
    return bool(client_id)


def _check_password(values: Mapping[str, Any], spotify: bool, findings: list[Finding]) -> None:
    password = values["MTM_PASSWORD"]
    local = values["MTM_LOCAL_MODE"] if values["MTM_LOCAL_MODE"] is not None else not spotify
    if password and len(password) < MIN_PASSWORD_LENGTH:
        findings.append(
            Finding(
                "warning",
                "MTM_PASSWORD",
                f"MTM_PASSWORD is only {len(password)} characters long.",
                f"Use at least {MIN_PASSWORD_LENGTH} characters, e.g. "
                "python3 -c 'import secrets; print(secrets.token_urlsafe(16))'",
            )
        )
    elif password:
        findings.append(Finding("ok", "MTM_PASSWORD", "set: every page asks for it."))
    elif local and values["MTM_TRUSTED_PROXIES"]:
        findings.append(
            Finding(
                "warning",
                "MTM_PASSWORD",
                "not set, but a reverse proxy is "
                "configured: local mode has no sign-in, so anyone who reaches "
                "the proxy sees everything.",
                "Set MTM_PASSWORD, or make the proxy ask for a password.",
            )
        )
    elif local:
        findings.append(
            Finding(
                "note",
                "MTM_PASSWORD",
                "not set: local mode has no sign-in, so mtm serve only listens on 127.0.0.1.",
                "To serve on the network, set MTM_PASSWORD.",
            )
        )


def _check_allowed_hosts(values: Mapping[str, Any], findings: list[Finding]) -> None:
    """Requests to any other host name get 400 (DNS rebinding), so list every name in use."""
    names = [
        name
        for name in allowed_host_names(
            {
                "SPOTIFY_REDIRECT_URI": values["SPOTIFY_REDIRECT_URI"],
                "MTM_ALLOWED_HOSTS": values["MTM_ALLOWED_HOSTS"],
            }
        )
        if not is_loopback_host(name)
    ]
    if names:
        findings.append(
            Finding(
                "ok",
                "MTM_ALLOWED_HOSTS",
                "answers to localhost, 127.0.0.1, "
                f"[::1] and {', '.join(names)}; other host names get 400.",
            )
        )
    else:
        findings.append(
            Finding(
                "note",
                "MTM_ALLOWED_HOSTS",
                "answers only to localhost, "
                "127.0.0.1 and [::1]; other host names get 400 (this stops "
                "DNS-rebinding attacks).",
                "To open it from other devices (mtm serve --host 0.0.0.0), "
                "list the names or addresses they use, e.g. "
                "MTM_ALLOWED_HOSTS=nas.local,192.168.1.20",
            )
        )


def _check_misc(values: Mapping[str, Any], findings: list[Finding]) -> None:
    """Good values worth a line (``None``: the value was wrong and is reported already)."""
    if values["MTM_TIMEZONE"] is not None:
        findings.append(Finding("ok", "MTM_TIMEZONE", f"{values['MTM_TIMEZONE']}."))
    upload = values["MTM_MAX_UPLOAD_MB"]
    if upload is None:
        pass
    elif upload < RECOMMENDED_UPLOAD_MB:
        findings.append(
            Finding(
                "warning",
                "MTM_MAX_UPLOAD_MB",
                f"{upload} MB may be too small for a full streaming-history export.",
                f"Set MTM_MAX_UPLOAD_MB={RECOMMENDED_UPLOAD_MB} or "
                "more (and nginx client_max_body_size to match).",
            )
        )
    else:
        findings.append(
            Finding(
                "ok",
                "MTM_MAX_UPLOAD_MB",
                f"{upload} MB (a reverse proxy needs client_max_body_size at least as large).",
            )
        )
    if values["MTM_TRUSTED_PROXIES"]:
        findings.append(
            Finding(
                "ok",
                "MTM_TRUSTED_PROXIES",
                f"trusting X-Forwarded-* from {values['MTM_TRUSTED_PROXIES']} proxy hop(s).",
            )
        )


def run_checks(env: Mapping[str, str]) -> list[Finding]:
    """Every check over ``env`` (the process environment plus ``.env``).

    First each setting's own value (wrong ones are errors with the table's fix); the checks
    that follow skip a wrong setting, so each problem is reported once.
    """
    values, problems = read_settings(env)
    findings = [Finding("error", p.setting.name, p.problem + ".", p.fix) for p in problems]
    wrong = {p.setting.name for p in problems}

    def skip(*names: str) -> bool:
        return bool(wrong.intersection(names))

    production = False if skip("MTM_ENV") else _check_environment(values, findings)
    if not skip("SECRET_KEY", "MTM_DATA_DIR"):
        _check_secret(values, production, findings)
    if not skip("MTM_DATA_DIR"):
        _check_data_dir(values["MTM_DATA_DIR"], findings)
    spotify = _check_spotify(values, findings)
    if not skip("MTM_PASSWORD", "MTM_LOCAL_MODE", "MTM_TRUSTED_PROXIES"):
        _check_password(values, spotify, findings)
    if not skip("MTM_ALLOWED_HOSTS"):
        _check_allowed_hosts(values, findings)
    _check_misc({**values, **{name: None for name in wrong}}, findings)
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
    lines.append(
        f"{errors} problem{'s' if errors != 1 else ''}, "
        f"{warnings} warning{'s' if warnings != 1 else ''}."
        if errors or warnings
        else "Everything looks right."
    )
    return "\n".join(lines)

"""Host names: which ones are this machine's own, and which ones the app answers to.

One place for the rule, used by the request check (web/request_origin.py), the settings
(``MTM_ALLOWED_HOSTS``), ``mtm serve`` and ``mtm check``.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit


def is_loopback_host(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``: addresses only this machine can reach."""
    host = host.strip().strip("[]")
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(host: str) -> str:
    """``Host``-header value -> bare lower-case name: no port, no IPv6 brackets, no final dot."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:].partition("]")[0]
    if host.count(":") > 1:  # a bare IPv6 address (as urlsplit gives it): no port
        return host
    return host.partition(":")[0].rstrip(".")


def parse_allowed_hosts(raw: str) -> tuple[str, ...]:
    """``MTM_ALLOWED_HOSTS``: comma-separated names; a leading dot allows every subdomain.

    Raises ValueError naming the entry when one is a URL rather than a host name.
    """
    names = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        if "/" in part or "@" in part or "*" in part:
            raise ValueError(
                f"{part!r} is not a host name (write music.example.org, "
                "192.168.1.20 or .example.org, without http:// or a path)"
            )
        names.append(("." if part.startswith(".") else "") + host_name(part.lstrip(".")))
    return tuple(names)


def allowed_host_names(config: Mapping[str, Any]) -> tuple[str, ...]:
    """The configured names (loopback is always allowed on top of these)."""
    redirect = urlsplit(config.get("SPOTIFY_REDIRECT_URI") or "").hostname
    return tuple(
        dict.fromkeys(
            ([host_name(redirect)] if redirect else []) + list(config.get("MTM_ALLOWED_HOSTS", ()))
        )
    )


def host_allowed(host: str, allowed: Iterable[str]) -> bool:
    """Loopback names and addresses always; otherwise ``host`` must be listed in ``allowed``
    (``.example.org`` there allows example.org and every subdomain). Ports are ignored."""
    name = host_name(host)
    if not name:
        return False
    if is_loopback_host(name):
        return True
    return any(
        name == entry or (entry.startswith(".") and (name.endswith(entry) or name == entry[1:]))
        for entry in allowed
    )

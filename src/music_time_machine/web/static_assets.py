"""Static files under a fingerprinted URL, cached by browsers for a year.

Every static URL carries one version, a hash of the whole static folder's contents:
``/static/<version>/js/analytics.js``. A change to any file changes every URL, so a
browser may keep what it fetched forever (``immutable``) and still never runs an old file
with a new one. The one version for all files is what makes the JavaScript safe without a
build step: an ES module's ``import … from './charts.js'`` and ``new URL('../vendor/…',
import.meta.url)`` resolve against the importing module's own URL, so they stay inside the
same version (a per-file ``?v=`` hash would be dropped by those relative imports, and an
import map would be inline JSON that the CSP's ``script-src 'self'`` refuses). The price is
that an upgrade that changes one file makes browsers fetch all of them again, once.

A URL with another version (a page rendered before an upgrade, a guess) answers 404 rather
than today's file, which its page was not written for. Under ``DEBUG`` files are edited
while the server runs, so they are sent ``no-cache`` and revalidated instead.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, abort, current_app, send_from_directory

#: A year, the longest lifetime HTTP caches honour.
IMMUTABLE_MAX_AGE_S = 31_536_000
#: Hex digits of the folder hash in every static URL.
VERSION_LENGTH = 12


def static_version(folder: str | Path) -> str:
    """A short hash of every file's path and bytes under ``folder``."""
    root = Path(folder)
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:VERSION_LENGTH]


def serve_static(version: str, filename: str) -> Response:
    """The file, if ``version`` is the running code's; cached for a year."""
    if version != current_app.config["STATIC_VERSION"]:
        abort(404)
    if current_app.debug:  # max_age=None: "no-cache"
        return send_from_directory(current_app.static_folder or "", filename, max_age=None)
    response = send_from_directory(
        current_app.static_folder or "", filename, max_age=IMMUTABLE_MAX_AGE_S
    )
    response.cache_control.immutable = True
    return response


def _add_version(endpoint: str, values: dict[str, Any]) -> None:
    if endpoint == "static":
        values.setdefault("version", current_app.config["STATIC_VERSION"])


def init_app(app: Flask) -> None:
    """Route ``static`` through the versioned URL; ``url_for('static', filename=…)`` in
    templates and code is unchanged. The app must be created with ``static_folder=None``
    (Flask's own unversioned rule) and ``app.static_folder`` set afterwards."""
    app.config["STATIC_VERSION"] = static_version(app.static_folder or "")
    app.add_url_rule("/static/<version>/<path:filename>", endpoint="static", view_func=serve_static)
    app.url_defaults(_add_version)

"""Music Time Machine: a self-hosted, permanent archive of your Spotify listening."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from flask import Flask

__version__ = "0.1.0"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Application factory: settings from the environment, overridden by ``config``."""
    from . import db
    from .config import ConfigError, load_config, validate
    from .secret_key import SecretKeyFileError, load_or_create_secret_key
    from .web import register_web

    # No unversioned static route: web/static_assets.py serves the folder under a
    # fingerprinted URL instead.
    app = Flask(__name__, static_folder=None)
    app.static_folder = "static"
    app.config.from_mapping(load_config())
    if config:
        app.config.from_mapping(config)
        if "MTM_DATA_DIR" in config and "DATABASE" not in config:
            from pathlib import Path

            app.config["DATABASE"] = str(Path(config["MTM_DATA_DIR"]) / "music-time-machine.sqlite")
    if not app.config.get("SECRET_KEY"):
        try:
            app.config["SECRET_KEY"] = load_or_create_secret_key(app.config["MTM_DATA_DIR"])
        except (OSError, SecretKeyFileError) as error:
            raise ConfigError(
                f"No SECRET_KEY is set and the generated key in "
                f"{app.config['MTM_DATA_DIR']} cannot be used: {error}"
            ) from None
    validate(app.config)
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        days=int(app.config["MTM_SESSION_IDLE_DAYS"])
    )
    app.config["MAX_CONTENT_LENGTH"] = app.config["MTM_MAX_UPLOAD_MB"] * 1024 * 1024
    db.init_app(app)
    _clean_up_after_a_crash(app)
    register_web(app)
    proxies = int(app.config.get("MTM_TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind nginx/Caddy the client address, scheme and host arrive in X-Forwarded-*
        # headers. Trust exactly as many hops as there are proxies, or anyone could forge
        # them (and dodge the rate limits, or make http look like https).
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)
    return app


def _clean_up_after_a_crash(app: Flask) -> None:
    """Jobs a stopped process left "running" are failed and their uploads removed, at every
    start (``mtm serve``, ``mtm demo``, cron's ``mtm sync``): safe beside a live server,
    whose jobs hold their folders' locks (see uploads.py)."""
    from .db import connect
    from .uploads import clean_stale_uploads

    conn = connect(app.config["DATABASE"])
    try:
        clean_stale_uploads(conn, app.config["MTM_DATA_DIR"])
    finally:
        conn.close()

"""The web layer: one blueprint per page area, plus security and error handling."""

from __future__ import annotations

from flask import Flask


def register_web(app: Flask) -> None:
    from . import (
        analytics,
        auth,
        dashboard,
        data,
        enrich,
        errors,
        formatting,
        health,
        imports,
        password_login,
        playlists,
        playlists_api,
        security,
        sessions,
        settings,
        stats_api,
    )
    from .current_user import init_current_user

    # Order matters: before-request hooks run in registration order. The health probe
    # answers before anything touches a user; ended and idle sessions are forgotten next; the
    # password gate comes before user loading.
    security.init_app(app)
    health.init_app(app)
    sessions.init_app(app)
    password_login.init_app(app)
    init_current_user(app)
    errors.init_app(app)
    formatting.init_app(app)
    for module in (auth, dashboard, analytics, stats_api, playlists, playlists_api, settings,
                   data, imports, enrich):
        app.register_blueprint(module.bp)
    security.init_rate_limits(app)  # last: it wraps views by URL, so all must be registered
    app.jinja_env.globals["nav_items"] = NAV_ITEMS


#: (endpoint, label) of the main navigation, in order.
NAV_ITEMS = (
    ("dashboard.index", "Home"),
    ("analytics.index", "Analytics"),
    ("playlists.index", "Playlists"),
    ("settings.index", "Settings"),
)

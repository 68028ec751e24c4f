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
        explore,
        formatting,
        health,
        images,
        imports,
        links,
        lists,
        password_login,
        playlists,
        playlists_api,
        search,
        security,
        sessions,
        settings,
        static_assets,
        stats_api,
        transfer,
        years,
    )
    from .current_user import init_current_user

    # Order matters: before-request hooks run in registration order. The health probe
    # answers before anything touches a user; ended and idle sessions are forgotten next; the
    # password gate comes before user loading.
    security.init_app(app)
    transfer.init_app(app)  # after security: compresses before the headers and log line
    static_assets.init_app(app)
    health.init_app(app)
    sessions.init_app(app)
    password_login.init_app(app)
    init_current_user(app)
    errors.init_app(app)
    formatting.init_app(app)
    links.init_app(app)
    for module in (
        auth,
        dashboard,
        analytics,
        stats_api,
        explore,
        lists,
        search,
        playlists,
        playlists_api,
        settings,
        data,
        imports,
        years,
        images,
        enrich,
    ):
        app.register_blueprint(module.bp)
    security.init_rate_limits(app)  # last: it wraps views by URL, so all must be registered
    app.jinja_env.globals["nav_items"] = NAV_ITEMS


#: (endpoint, label) of the main navigation, in order.
NAV_ITEMS = (
    ("dashboard.index", "Home"),
    ("analytics.index", "Analytics"),
    ("years.index", "Years"),
    ("playlists.index", "Playlists"),
    ("settings.index", "Settings"),
)

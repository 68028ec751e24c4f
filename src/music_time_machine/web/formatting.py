"""Template filters that show times in the signed-in user's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask, g

from ..db import get_db
from ..db.users import get_settings


def _user_zone() -> ZoneInfo:
    if "user_zone" not in g:
        user = g.get("user")
        name = get_settings(get_db(), user["id"]).timezone if user is not None else "UTC"
        g.user_zone = ZoneInfo(name)
    return g.user_zone


def localtime(epoch_s: int | float | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """Epoch seconds as local time of the signed-in user."""
    if epoch_s is None:
        return "—"
    return datetime.fromtimestamp(epoch_s, _user_zone()).strftime(fmt)


def init_app(app: Flask) -> None:
    app.add_template_filter(localtime, "isotime")

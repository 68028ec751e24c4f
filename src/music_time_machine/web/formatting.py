"""Template filters: times in the signed-in user's time zone, and time listened written
the one way (``durations``)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from ..durations import duration, duration_days, period_label, thousands
from .current_user import user_timezone


def localtime(epoch_s: int | float | None, fmt: str = "%Y-%m-%d %H:%M %Z") -> str:
    """Epoch seconds as local time of the signed-in user."""
    if epoch_s is None:
        return "—"
    return datetime.fromtimestamp(epoch_s, ZoneInfo(user_timezone())).strftime(fmt)


def init_app(app: Flask) -> None:
    app.add_template_filter(localtime, "localtime")
    app.add_template_filter(duration, "duration")
    app.add_template_filter(duration_days, "duration_days")
    app.add_template_filter(thousands, "thousands")
    app.add_template_filter(period_label, "period")
    # Links to pages that another blueprint may not register (yet): genre, year, search.

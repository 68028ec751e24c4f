"""Home: stat cards, a year of weekly listening, and "on this day"."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, g, render_template

from ..db import dashboard as queries
from ..db import get_db
from ..durations import hours
from .current_user import local_today, login_required

bp = Blueprint("dashboard", __name__)


def percent_change(now: float, before: float) -> float | None:
    """Change against the previous period in percent; None when there is nothing to compare."""
    if not before:
        return None
    return round((now - before) / before * 100, 1)


@bp.get("/")
@login_required
def index() -> str:
    conn, user_id = get_db(), g.user["id"]
    if not queries.has_listening(conn, user_id):
        return render_template("dashboard/empty.html")
    today = local_today()
    last30 = queries.period_totals(conn, user_id, today - timedelta(days=29), today)
    prev30 = queries.period_totals(conn, user_id, today - timedelta(days=59),
                                   today - timedelta(days=30))
    this_monday = today - timedelta(days=today.weekday())
    weeks = queries.plays_by_week(conn, user_id, this_monday - timedelta(weeks=51), 52)
    chart = {
        "labels": [monday.isoformat() for monday, _, _ in weeks],
        "plays": [plays for _, plays, _ in weeks],
        "hours": [hours(ms) for _, _, ms in weeks],
    }
    return render_template(
        "dashboard/index.html",
        today=today,
        last30=last30,
        plays_change=percent_change(last30.plays, prev30.plays),
        hours_change=percent_change(last30.ms_played, prev30.ms_played),
        discovered=queries.discovered_since(conn, user_id, date(today.year, today.month, 1)),
        consistent=queries.most_consistent_artist(conn, user_id, today - timedelta(days=89),
                                                  today),
        chart=chart,
        weeks=weeks,
        on_this_day=queries.on_this_day(conn, user_id, today),
    )

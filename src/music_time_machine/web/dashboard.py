"""Home: stat cards, a year of weekly listening, and "on this day".

Every number comes from ``ListeningStats``, the same functions Analytics and the stats API
use, so Home can never disagree with them.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, g, render_template

from ..db import accounts, get_db
from ..db.plays import has_plays
from ..db.stats import ListeningStats
from ..durations import hours
from .current_user import local_today, login_required
from .stats_api import decorate

bp = Blueprint("dashboard", __name__)

#: The stat cards cover the last 30 days; "most consistent" looks at 90; the chart 52 weeks.
CARD_DAYS = 30
CONSISTENT_DAYS = 90
CHART_WEEKS = 52
#: Artists and tracks in "On repeat" (the last 30 days).
TOP_NOW = 5


def percent_change(now: float, before: float) -> float | None:
    """Change against the previous period in percent; None when there is nothing to compare."""
    if not before:
        return None
    return round((now - before) / before * 100, 1)


@bp.get("/")
@login_required
def index() -> str:
    conn, user_id = get_db(), g.user["id"]
    if not has_plays(conn, user_id):
        account = accounts.get_account(conn, user_id)
        # After clearing the data Spotify is usually still connected: the page must say
        # plays are on their way, not ask to connect what already is.
        return render_template(
            "dashboard/empty.html", spotify=account["status"] if account else "disconnected"
        )
    today = local_today()
    stats = ListeningStats(conn, user_id)
    card_start = today - timedelta(days=CARD_DAYS - 1)
    last30 = stats.summary(card_start, today)
    prev30 = stats.summary(
        today - timedelta(days=2 * CARD_DAYS - 1), today - timedelta(days=CARD_DAYS)
    )
    this_monday = today - timedelta(days=today.weekday())
    weeks = [
        (date.fromisoformat(label), plays, ms)
        for label, plays, ms in stats.volume_ms(
            this_monday - timedelta(weeks=CHART_WEEKS - 1), this_monday + timedelta(days=6), "week"
        )
    ]
    chart = {
        "labels": [monday.isoformat() for monday, _, _ in weeks],
        "plays": [plays for _, plays, _ in weeks],
        "hours": [hours(ms) for _, _, ms in weeks],
        # This week is still going on: drawn as "so far", not as a drop.
        "partial_last": True,
    }
    return render_template(
        "dashboard/index.html",
        today=today,
        last30=last30,
        plays_change=percent_change(last30.plays, prev30.plays),
        hours_change=percent_change(last30.ms_played, prev30.ms_played),
        discovered=stats.new_tracks(card_start, today),
        consistent=stats.most_consistent_artist(today - timedelta(days=CONSISTENT_DAYS - 1), today),
        chart=chart,
        weeks=weeks,
        on_this_day=stats.on_this_day(today),
        top_artists=decorate(stats, "artists", stats.top_artists(card_start, today, TOP_NOW)),
        top_tracks=decorate(stats, "tracks", stats.top_tracks(card_start, today, TOP_NOW)),
    )

"""Full top lists: every artist, track or album of a range, a page at a time, by plays or by
time listened. Plain links and a GET form: shareable URLs that work without JavaScript.
The numbers are the stats API's own payload (``/api/stats/top-<what>?page=&sort=``)."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from ..daterange import PRESETS, RangeError
from .current_user import login_required
from .stats_api import TOP_LISTS, list_page, stats_request, top_list_payload

bp = Blueprint("lists", __name__)

PER_PAGE = 50
TITLES = {"artists": "Top artists", "tracks": "Top tracks", "albums": "Top albums"}


@bp.get("/analytics/top/<any(artists, tracks, albums):what>")
@login_required
def top(what: str) -> ResponseReturnValue:
    error = None
    try:
        req = stats_request(request.args)
        asked = list_page(what, request.args, PER_PAGE)
    except RangeError as exc:
        error, req, asked = str(exc), stats_request({}), list_page(what, {}, PER_PAGE)
    first = req.stats.first_day
    years = [str(y) for y in range(first.year, req.today.year + 1)] if first else []
    page = render_template(
        "lists/top.html",
        what=what,
        title=TITLES[what],
        lists=TOP_LISTS,
        titles=TITLES,
        data=top_list_payload(req, asked),
        span=req.span,
        presets=PRESETS,
        years=years,
        error=error,
        form_start=request.args.get("start", ""),
        form_end=request.args.get("end", ""),
    )
    return page, 400 if error else 200

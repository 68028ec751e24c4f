"""Full top lists: every artist, track or album of a range, a page at a time, by plays or by
time listened. Plain links and a GET form: shareable URLs that work without JavaScript.
The numbers are the stats API's own payload (``/api/stats/top-<what>?page=&sort=``)."""

from __future__ import annotations

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from ..daterange import RangeError
from .current_user import login_required
from .range_form import render_with_range
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
    return render_with_range(
        "lists/top.html",
        req,
        error,
        what=what,
        title=TITLES[what],
        lists=TOP_LISTS,
        titles=TITLES,
        data=top_list_payload(req, asked),
    )

"""Analytics page: volume, genres, artists, tracks, a weekday × hour heatmap and
discoveries for any date range. The same payloads as the stats API, rendered on the
server (works without JavaScript); analytics.js then updates it in place from the API.
"""

from __future__ import annotations

import math

from flask import Blueprint, request
from flask.typing import ResponseReturnValue

from ..daterange import RangeError
from .current_user import login_required
from .range_form import render_with_range
from .stats_api import (
    StatsRequest,
    discoveries_payload,
    heatmap_payload,
    stats_request,
    summary_payload,
    top_albums_payload,
    top_artists_payload,
    top_genres_payload,
    top_tracks_payload,
    volume_payload,
)

bp = Blueprint("analytics", __name__)

#: Genres drawn in the doughnut before the rest becomes "other".
GENRE_SLICES = 8
TOP_ITEMS = 10


def page_payload(req: StatsRequest) -> dict:
    """Everything the page shows, in the API's shapes (also embedded for the charts)."""
    span = req.span
    return {
        "range": {
            "start": span.start.isoformat(),
            "end": span.end.isoformat(),
            "key": span.key,
            "label": span.describe(),
            "days": span.days,
        },
        "summary": summary_payload(req),
        "volume": volume_payload(req, span.default_bucket()),
        "genres": top_genres_payload(req, GENRE_SLICES),
        "artists": top_artists_payload(req, TOP_ITEMS),
        "tracks": top_tracks_payload(req, TOP_ITEMS),
        "albums": top_albums_payload(req, TOP_ITEMS),
        "heatmap": heatmap_payload(req),
        "discoveries": discoveries_payload(req),
    }


def heat_levels(cells: list[list[int]]) -> list[list[int]]:
    """Intensity class 0..5 per heatmap cell (0 = no plays; 5 = the busiest hour); the same
    rule as analytics.js, as CSS classes because the CSP forbids inline styles."""
    peak = max(max(row) for row in cells) or 1
    return [[min(5, max(1, math.ceil(c * 5 / peak))) if c else 0 for c in row] for row in cells]


@bp.get("/analytics")
@login_required
def index() -> ResponseReturnValue:
    error = None
    try:
        req = stats_request(request.args)
    except RangeError as exc:
        error, req = str(exc), stats_request({})
    data = page_payload(req)
    return render_with_range(
        "analytics/index.html",
        req,
        error,
        data=data,
        heat_levels=heat_levels(data["heatmap"]["cells"]),
    )

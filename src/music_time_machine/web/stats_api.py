"""The stats API (``/api/stats/...``): JSON for the Analytics page and for users' scripts.

Every endpoint takes ``range`` or ``start``/``end`` (see daterange.py); bad input is a 400
``{"error": "<parameter>: <what is wrong>"}``. The payload builders below are shared with
the Analytics page, which embeds the same JSON so that it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, abort, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..daterange import DateRange, RangeError, parse_bucket, parse_limit, parse_range
from ..db import get_db
from ..db.artwork import artist_image_keys, track_image_keys
from ..db.stats import ListeningStats, PeriodTotals
from ..durations import minutes
from .current_user import local_today, user_timezone
from .images import LARGE, SMALL, image_path

bp = Blueprint("stats_api", __name__, url_prefix="/api/stats")


@dataclass(frozen=True)
class StatsRequest:
    """What every stats answer needs: the user's stats, the range asked for, the zone."""

    stats: ListeningStats
    span: DateRange
    timezone: str
    today: date


def stats_request(args: Mapping[str, str]) -> StatsRequest:
    """Parse the range for the signed-in user; raises RangeError on bad input."""
    stats = ListeningStats(get_db(), g.user["id"])
    today = local_today()
    return StatsRequest(stats, parse_range(args, today, stats.first_day), user_timezone(),
                        today)


# -- payloads (shared with the page) ------------------------------------------------------

def _totals(span: DateRange, totals: PeriodTotals) -> dict:
    return {"start": span.start.isoformat(), "end": span.end.isoformat(),
            "plays": totals.plays, "minutes": minutes(totals.ms_played),
            "tracks": totals.tracks, "artists": totals.artists}


def summary_payload(req: StatsRequest) -> dict:
    span, previous = req.span, req.span.previous()
    body = _totals(span, req.stats.summary(span.start, span.end))
    body["previous"] = _totals(previous, req.stats.summary(previous.start, previous.end))
    return body


def volume_payload(req: StatsRequest, bucket: str) -> dict:
    return {"bucket": bucket,
            "series": req.stats.volume(req.span.start, req.span.end, bucket)}


def with_image(items: list[dict], keys: dict[int, str]) -> list[dict]:
    """Top-list items with ``image`` and ``image_large``, the same-origin paths of their
    picture's small and large renditions (null without one), for ``keys`` (item id -> key).
    The catalogue's ids stay inside the app."""
    return [{**{k: v for k, v in item.items() if k != "id"},
             "image": image_path(keys.get(item["id"]), SMALL),
             "image_large": image_path(keys.get(item["id"]), LARGE)} for item in items]


def top_artists_with_images(stats: ListeningStats, start: date, end: date,
                            limit: int) -> list[dict]:
    items = stats.top_artists(start, end, limit, with_ids=True)
    return with_image(items, artist_image_keys(stats.conn, stats.user_id,
                                               [i["id"] for i in items]))


def top_tracks_with_images(stats: ListeningStats, start: date, end: date,
                           limit: int) -> list[dict]:
    items = stats.top_tracks(start, end, limit, with_ids=True)
    return with_image(items, track_image_keys(stats.conn, stats.user_id,
                                              [i["id"] for i in items]))


def top_artists_payload(req: StatsRequest, limit: int) -> dict:
    return {"items": top_artists_with_images(req.stats, req.span.start, req.span.end, limit)}


def top_tracks_payload(req: StatsRequest, limit: int) -> dict:
    return {"items": top_tracks_with_images(req.stats, req.span.start, req.span.end, limit)}


def top_genres_payload(req: StatsRequest, limit: int) -> dict:
    genres = req.stats.top_genres(req.span.start, req.span.end, limit)
    return {"items": genres.items, "other_share": genres.other_share,
            "unknown_share": genres.unknown_share, "unknown_plays": genres.unknown_plays}


def heatmap_payload(req: StatsRequest) -> dict:
    return {"cells": req.stats.heatmap(req.span.start, req.span.end),
            "timezone": req.timezone}


def discoveries_payload(req: StatsRequest) -> dict:
    return {"series": req.stats.discoveries(req.span.start, req.span.end)}


# -- endpoints ----------------------------------------------------------------------------

@bp.before_request
def require_user() -> None:
    if g.get("user") is None:
        abort(401)


@bp.errorhandler(RangeError)
def bad_range(error: RangeError) -> ResponseReturnValue:
    return jsonify(error=str(error)), 400


def _answer(body: dict, req: StatsRequest) -> ResponseReturnValue:
    return jsonify({"start": req.span.start.isoformat(), "end": req.span.end.isoformat(),
                    **body})


@bp.get("/summary")
def summary() -> ResponseReturnValue:
    return jsonify(summary_payload(stats_request(request.args)))


@bp.get("/volume")
def volume() -> ResponseReturnValue:
    req = stats_request(request.args)
    return _answer(volume_payload(req, parse_bucket(request.args.get("bucket"), req.span)), req)


@bp.get("/top-artists")
def top_artists() -> ResponseReturnValue:
    req = stats_request(request.args)
    return _answer(top_artists_payload(req, parse_limit(request.args.get("limit"))), req)


@bp.get("/top-tracks")
def top_tracks() -> ResponseReturnValue:
    req = stats_request(request.args)
    return _answer(top_tracks_payload(req, parse_limit(request.args.get("limit"))), req)


@bp.get("/top-genres")
def top_genres() -> ResponseReturnValue:
    req = stats_request(request.args)
    return _answer(top_genres_payload(req, parse_limit(request.args.get("limit"))), req)


@bp.get("/heatmap")
def heatmap() -> ResponseReturnValue:
    req = stats_request(request.args)
    return _answer(heatmap_payload(req), req)


@bp.get("/discoveries")
def discoveries() -> ResponseReturnValue:
    req = stats_request(request.args)
    return _answer(discoveries_payload(req), req)

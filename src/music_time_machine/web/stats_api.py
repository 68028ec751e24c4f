"""The stats API (``/api/stats/...``): JSON for the Analytics page and for users' scripts.

Every endpoint takes ``range`` or ``start``/``end`` (see daterange.py); bad input is a 400
``{"error": "<parameter>: <what is wrong>"}``. The payload builders below are shared with
the Analytics page, which embeds the same JSON so that it works without JavaScript.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask import Blueprint, g, jsonify, request
from flask.typing import ResponseReturnValue

from ..daterange import (
    DateRange,
    RangeError,
    parse_bucket,
    parse_limit,
    parse_page,
    parse_range,
    parse_sort,
    partial_edges,
)
from ..db import get_db
from ..db.artwork import album_image_keys, artist_image_keys, track_image_keys
from ..db.stats import ListeningStats, PeriodTotals
from ..durations import minutes
from .current_user import local_today, refuse_anonymous, user_timezone
from .images import LARGE, SMALL, image_path
from .links import album_url, artist_url, genre_url, track_url

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
    return StatsRequest(stats, parse_range(args, today, stats.first_day), user_timezone(), today)


# -- payloads (shared with the page) ------------------------------------------------------


def _totals(span: DateRange, totals: PeriodTotals) -> dict:
    return {
        "start": span.start.isoformat(),
        "end": span.end.isoformat(),
        "plays": totals.plays,
        "minutes": minutes(totals.ms_played),
        "tracks": totals.tracks,
        "artists": totals.artists,
    }


def summary_payload(req: StatsRequest) -> dict:
    span, previous = req.span, req.span.previous()
    body = _totals(span, req.stats.summary(span.start, span.end))
    # "All time" has nothing before it to compare with.
    body["previous"] = (
        None
        if span.key == "all"
        else _totals(previous, req.stats.summary(previous.start, previous.end))
    )
    return body


def volume_payload(req: StatsRequest, bucket: str) -> dict:
    return {
        "bucket": bucket,
        **partial_edges(req.span, bucket, req.today),
        "series": req.stats.volume(req.span.start, req.span.end, bucket),
    }


#: For each kind of top list: where its items' pictures are found.
_IMAGE_KEYS = {"artists": artist_image_keys, "tracks": track_image_keys, "albums": album_image_keys}


def decorate(stats: ListeningStats, what: str, items: list[dict]) -> list[dict]:
    """Top-list items ('artists', 'tracks' or 'albums') as the pages and their JavaScript
    show them: with the URL of the item's page (a track's also of its artists and album)
    and the same-origin paths of its picture, ``image`` and ``image_large`` (null without
    one)."""
    keys = _IMAGE_KEYS[what](stats.conn, stats.user_id, [i["id"] for i in items])
    out = []
    for item in items:
        key = keys.get(item["id"])
        links = (
            {
                "url": track_url(item["id"]),
                "album_url": album_url(item["album_id"]),
                "artist_urls": [artist_url(i) for i in item["artist_ids"]],
            }
            if what == "tracks"
            else {"url": (artist_url if what == "artists" else album_url)(item["id"])}
        )
        out.append(
            {
                **item,
                **links,
                "image": image_path(key, SMALL),
                "image_large": image_path(key, LARGE),
            }
        )
    return out


def top_artists_payload(req: StatsRequest, limit: int) -> dict:
    return {
        "items": decorate(
            req.stats, "artists", req.stats.top_artists(req.span.start, req.span.end, limit)
        )
    }


def top_tracks_payload(req: StatsRequest, limit: int) -> dict:
    return {
        "items": decorate(
            req.stats, "tracks", req.stats.top_tracks(req.span.start, req.span.end, limit)
        )
    }


def top_albums_payload(req: StatsRequest, limit: int) -> dict:
    return {
        "items": decorate(
            req.stats, "albums", req.stats.top_albums(req.span.start, req.span.end, limit)
        )
    }


#: The full lists, by the name in their URLs.
TOP_LISTS = ("artists", "tracks", "albums")


@dataclass(frozen=True)
class ListPage:
    """Which page of which full list: from ``list_page``."""

    what: str
    page: int
    per_page: int
    sort: str


def list_page(what: str, args: Mapping[str, str], per_page: int | None = None) -> ListPage:
    """The page, size (``limit``, unless the caller fixes it) and sort a query asks for;
    raises RangeError on bad input."""
    return ListPage(
        what,
        parse_page(args.get("page")),
        per_page or parse_limit(args.get("limit")),
        parse_sort(args.get("sort")),
    )


def top_list_payload(req: StatsRequest, asked: ListPage) -> dict:
    """One page of a full top list with where it is: page, pages, total, sort."""
    items, total = req.stats.ranked_page(
        asked.what,
        req.span.start,
        req.span.end,
        asked.sort,
        (asked.page - 1) * asked.per_page,
        asked.per_page,
    )
    return {
        "items": decorate(req.stats, asked.what, items),
        "page": asked.page,
        "per_page": asked.per_page,
        "pages": max(1, -(-total // asked.per_page)),
        "total": total,
        "sort": asked.sort,
    }


def top_genres_payload(req: StatsRequest, limit: int) -> dict:
    """The top genres; ``long_tail`` when the rest together outweigh the biggest of them, so
    that a doughnut's "other genres" slice would be its largest and mislead: the page
    draws the top genres as bars instead."""
    genres = req.stats.top_genres(req.span.start, req.span.end, limit)
    items = [{**g, "url": genre_url(g["genre"])} for g in genres.items]
    biggest = max((g["share"] for g in genres.items), default=0.0)
    return {
        "items": items,
        "long_tail": bool(items) and genres.other_share >= biggest,
        "other_share": genres.other_share,
        "unknown_share": genres.unknown_share,
        "unknown_plays": genres.unknown_plays,
    }


def heatmap_payload(req: StatsRequest) -> dict:
    return {"cells": req.stats.heatmap(req.span.start, req.span.end), "timezone": req.timezone}


def discoveries_payload(req: StatsRequest) -> dict:
    """New artists per day, week or month: the bucket follows the range like the volume's."""
    bucket = req.span.default_bucket()
    return {
        "bucket": bucket,
        **partial_edges(req.span, bucket, req.today),
        "series": [
            {**m, "urls": [artist_url(i) for i in m["ids"]]}
            for m in req.stats.discoveries(req.span.start, req.span.end, bucket)
        ],
    }


# -- endpoints ----------------------------------------------------------------------------


bp.before_request(refuse_anonymous)


@bp.errorhandler(RangeError)
def bad_range(error: RangeError) -> ResponseReturnValue:
    return jsonify(error=str(error)), 400


def _answer(body: dict, req: StatsRequest) -> ResponseReturnValue:
    return jsonify({"start": req.span.start.isoformat(), "end": req.span.end.isoformat(), **body})


@bp.get("/summary")
def summary() -> ResponseReturnValue:
    return jsonify(summary_payload(stats_request(request.args)))


@bp.get("/volume")
def volume() -> ResponseReturnValue:
    req = stats_request(request.args)
    return _answer(volume_payload(req, parse_bucket(request.args.get("bucket"), req.span)), req)


@bp.get("/top-<any(artists, tracks, albums):what>")
def top_list(what: str) -> ResponseReturnValue:
    """A top list: the first ``limit`` items, or any page of all of them (``page``,
    ``sort``)."""
    req = stats_request(request.args)
    return _answer(top_list_payload(req, list_page(what, request.args)), req)


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

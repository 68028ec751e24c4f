"""Artist, track and album pages (``/artists/<id>`` …) and their JSON (``/api/artists/<id>``
…): one item's story, from db/explore.py and item_story.py.

Each page renders the same payload its API answers (embedded for the charts), so it works
without JavaScript and the numbers cannot differ. Another user's ids are a 404 (the data
layer only ever finds the signed-in user's items). The range (``range`` or
``start``/``end``, as on Analytics) applies to the "in this range" figures; the rest is
all-time.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..daterange import DateRange, RangeError, parse_range
from ..db import explore as q
from ..db import get_db
from ..db.explore import DayRow, PlayMoment
from ..db.rollups_monthly import ARTIST, TRACK
from ..db.stats import ListeningStats, known_genres
from ..db.users import get_settings
from ..durations import minutes
from ..item_story import longest_gap, longest_streak, per_month, totals, weekdays
from ..timezones import LocalClock
from .current_user import local_today, login_required, refuse_anonymous, user_timezone
from .range_form import render_with_range

bp = Blueprint("explore", __name__)

TOP_ITEMS = 10
#: The largest id SQLite can hold; a larger one in the URL names nothing (404, not 500).
MAX_ID = 2**63 - 1


class Context:
    """What every payload needs: the connection, the user, their rule, today and the
    range asked for (raises RangeError on bad input)."""

    def __init__(self, args: Mapping[str, str]) -> None:
        self.conn, self.user_id = get_db(), g.user["id"]
        self.today = local_today()
        self.stats = ListeningStats(self.conn, self.user_id)
        self.rule = get_settings(self.conn, self.user_id).play_rule
        self.span: DateRange = parse_range(args, self.today, self.stats.first_day)
        self.zone = user_timezone()

    def edge_play(self, track_ids: list[int], day: date, last: bool) -> dict | None:
        """The first (or last) counted play of the tracks on a local day, as shown."""
        clock = LocalClock(self.zone)
        bounds = (clock.day_start_ms(day), clock.day_start_ms(day + timedelta(days=1)) - 1)
        return self.moment(
            q.edge_play(
                self.conn, self.user_id, self.rule, track_ids, day.isoformat(), bounds, last
            )
        )

    def moment(self, play: PlayMoment | None) -> dict | None:
        """A play as the page shows it: the local time and the song."""
        if play is None:
            return None
        local = datetime.fromtimestamp(play.played_at / 1000, ZoneInfo(self.zone))
        return {
            "played_at": play.played_at,
            "day": play.day,
            "time": local.strftime("%H:%M"),
            "track": {"id": play.track_id, "name": play.track},
        }

    def range_info(self) -> dict:
        span = self.span
        return {
            "start": span.start.isoformat(),
            "end": span.end.isoformat(),
            "key": span.key,
            "label": span.describe(),
        }


def _story(ctx: Context, days: list[DayRow], track_ids: list[int]) -> dict:
    """What artists, tracks and albums share: range and all-time totals, first and last
    play, plays per month, streak, longest silence and days since the last play."""
    played = [d.day for d in days if d.plays > 0]
    first = ctx.edge_play(track_ids, played[0], last=False) if played else None
    last = ctx.edge_play(track_ids, played[-1], last=True) if played else None
    return {
        "range": ctx.range_info(),
        "in_range": totals(days, ctx.span.start, ctx.span.end),
        "all_time": totals(days),
        "first_play": first,
        "last_play": last,
        "days_since_last": (ctx.today - played[-1]).days if played else None,
        "months": per_month(days, ctx.today),
        "streak": longest_streak(days),
        "longest_gap": longest_gap(days),
    }


def _track_items(items: list[dict]) -> list[dict]:
    return [
        {
            "id": t["id"],
            "name": t["name"],
            "album_id": t["album_id"],
            "album": t["album"],
            "plays": t["plays"],
            "minutes": minutes(t["ms_played"]),
        }
        for t in items
    ]


# -- payloads (shared by the pages and the API) -----------------------------------------------


def artist_payload(ctx: Context, artist_id: int) -> dict | None:
    artist = q.get_artist(ctx.conn, ctx.user_id, artist_id)
    if artist is None:
        return None
    days = q.item_days(ctx.conn, ctx.user_id, ARTIST, artist_id)
    track_ids = q.artist_track_ids(ctx.conn, ctx.user_id, artist_id)
    story = _story(ctx, days, track_ids)
    months = [m["month"] for m in story["months"] if m["plays"]]
    ranks = q.monthly_ranks(ctx.conn, ctx.user_id, ARTIST, artist_id, months)
    peak = min(ranks, key=lambda r: (r["rank"], r["month"])) if ranks else None
    return {
        "artist": {
            "id": artist["id"],
            "name": artist["name"],
            "genres": known_genres(artist["genres"]),
            "image_url": artist["image_url"],
        },
        **story,
        "rank": {
            "in_range": ctx.stats.artist_rank(artist_id, ctx.span.start, ctx.span.end),
            "all_time": q.all_time_rank(ctx.conn, ctx.user_id, ARTIST, artist_id),
            "peak": peak,
        },
        "top_tracks": _track_items(
            q.artist_top_tracks(ctx.conn, ctx.user_id, artist_id, TOP_ITEMS)
        ),
        "top_albums": [
            {
                "id": a["id"],
                "name": a["name"],
                "image_url": a["image_url"],
                "plays": a["plays"],
                "minutes": minutes(a["ms_played"]),
            }
            for a in q.artist_top_albums(ctx.conn, ctx.user_id, artist_id, TOP_ITEMS)
        ],
        "hours": q.artist_hours(ctx.conn, ctx.user_id, artist_id),
        "weekdays": weekdays(days),
        "forgotten_gems": url_for("playlists.index", source="forgotten_gems", artist=artist_id),
    }


def track_payload(ctx: Context, track_id: int) -> dict | None:
    track = q.get_track(ctx.conn, ctx.user_id, track_id)
    if track is None:
        return None
    days = q.item_days(ctx.conn, ctx.user_id, TRACK, track_id)
    story = _story(ctx, days, [track_id])
    streams, skips = q.track_skips(ctx.conn, ctx.user_id, track_id)
    months = [m["month"] for m in story["months"] if m["plays"]]
    return {
        "track": {
            "id": track["id"],
            "name": track["name"],
            "uri": track["spotify_id"],
            "artists": track["artists"],
            "album": {
                "id": track["album_id"],
                "name": track["album"],
                "image_url": track["album_image"],
            }
            if track["album_id"]
            else None,
        },
        **story,
        "skips": {
            "streams": streams,
            "skips": skips,
            "rate": round(skips / streams, 4) if streams else None,
        },
        "rank": {"all_time": q.all_time_rank(ctx.conn, ctx.user_id, TRACK, track_id)},
        "monthly_ranks": q.monthly_ranks(ctx.conn, ctx.user_id, TRACK, track_id, months),
        "versions": q.track_versions(ctx.conn, ctx.user_id, track_id),
    }


def album_payload(ctx: Context, album_id: int) -> dict | None:
    album = q.get_album(ctx.conn, ctx.user_id, album_id)
    if album is None:
        return None
    tracks = q.album_tracks(ctx.conn, ctx.user_id, album_id)
    track_ids = [t["id"] for t in tracks]
    credits = q.track_artists(ctx.conn, track_ids)
    artists: dict[int, dict] = {}
    for t in tracks:
        for a in credits.get(t["id"], []):
            artists.setdefault(a["id"], a)
    story = _story(ctx, q.album_days(ctx.conn, ctx.user_id, album_id), track_ids)
    return {
        "album": album,
        "artists": list(artists.values()),
        **story,
        "tracks": [
            {**item, "artists": credits.get(item["id"], [])} for item in _track_items(tracks)
        ],
    }


# -- pages and API ------------------------------------------------------------------------------

_KINDS: dict[str, tuple[Callable[[Context, int], dict | None], str]] = {
    "artist": (artist_payload, "There is no such artist in your library."),
    "track": (track_payload, "There is no such track in your library."),
    "album": (album_payload, "There is no such album in your library."),
}


def _build(kind: str, ctx: Context, item_id: int) -> dict | None:
    return _KINDS[kind][0](ctx, item_id) if item_id <= MAX_ID else None


def _page(kind: str, item_id: int) -> ResponseReturnValue:
    missing = _KINDS[kind][1]
    error = None
    try:
        ctx = Context(request.args)
    except RangeError as exc:
        error, ctx = str(exc), Context({})
    data = _build(kind, ctx, item_id)
    if data is None:
        return render_template("errors/error.html", status=404, message=missing), 404
    return render_with_range(
        f"explore/{kind}.html", ctx, error, data=data, endpoint=f"explore.{kind}", item_id=item_id
    )


def _api(kind: str, item_id: int) -> ResponseReturnValue:
    refuse_anonymous()
    missing = _KINDS[kind][1]
    try:
        ctx = Context(request.args)
    except RangeError as exc:
        return jsonify(error=str(exc)), 400
    data = _build(kind, ctx, item_id)
    if data is None:
        return jsonify(error=missing), 404
    return jsonify(data)


@bp.get("/artists/<int:artist_id>")
@login_required
def artist(artist_id: int) -> ResponseReturnValue:
    return _page("artist", artist_id)


@bp.get("/tracks/<int:track_id>")
@login_required
def track(track_id: int) -> ResponseReturnValue:
    return _page("track", track_id)


@bp.get("/albums/<int:album_id>")
@login_required
def album(album_id: int) -> ResponseReturnValue:
    return _page("album", album_id)


@bp.get("/api/artists/<int:artist_id>")
def artist_api(artist_id: int) -> ResponseReturnValue:
    return _api("artist", artist_id)


@bp.get("/api/tracks/<int:track_id>")
def track_api(track_id: int) -> ResponseReturnValue:
    return _api("track", track_id)


@bp.get("/api/albums/<int:album_id>")
def album_api(album_id: int) -> ResponseReturnValue:
    return _api("album", album_id)

"""The fake Web API (``/v1``): user, recently played, top items, artists, audio features.

Playlist endpoints live in :mod:`.playlists` (same authentication and errors). Every route
needs a Bearer token from the fake accounts service and the scope Spotify would require; the
endpoints that 2026 development-mode apps lost answer 403 unless in extended-quota mode.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import partial
from typing import TypeVar

from flask import Blueprint, g, jsonify, request

from . import objects
from .context import ApiError, api_error_response, api_url, base_url, int_arg, state
from .state import TIME_RANGE_DAYS
from .tokens import AccessToken

T = TypeVar("T")

bp = Blueprint("fake_webapi", __name__, url_prefix="/v1")

ID_PATTERN = re.compile(r"[0-9A-Za-z]{22}")
FORBIDDEN_IN_DEV_MODE = "Forbidden"


def handle_api_error(error: ApiError):
    return api_error_response(error.status, error.message, error.headers)


def authenticate() -> None:
    """Bearer token check, answering like Spotify (with a WWW-Authenticate header)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    fake = state()
    with fake.lock:
        grant = fake.tokens.lookup_access(token.strip()) if scheme.lower() == "bearer" else None
        expired = grant is not None and grant.expires_at <= fake.clock()
    if grant is None or expired:
        message = "The access token expired" if expired else "Invalid access token"
        raise ApiError(
            401,
            message,
            {
                "WWW-Authenticate": f'Bearer realm="spotify", error="invalid_token", '
                f'error_description="{message}"'
            },
        )
    g.fake_token = grant


bp.before_request(authenticate)
bp.register_error_handler(ApiError, handle_api_error)


def current_token() -> AccessToken:
    return g.fake_token


def require_scope(*any_of: str) -> None:
    """403 unless the token carries at least one of the scopes (Spotify's rule)."""
    if not current_token().scope.intersection(any_of):
        raise ApiError(403, "Insufficient client scope")


def require_extended() -> None:
    if not state().extended:
        raise ApiError(403, FORBIDDEN_IN_DEV_MODE)


def request_href() -> str:
    query = request.query_string.decode()
    return base_url() + request.path + (f"?{query}" if query else "")


def checked_id(raw: str) -> str:
    if not ID_PATTERN.fullmatch(raw):
        raise ApiError(400, "invalid id")
    return raw


def ids_arg(maximum: int) -> list[str]:
    raw = request.args.get("ids", "")
    ids = [item.strip() for item in raw.split(",") if item.strip()]
    if not ids:
        raise ApiError(400, "No ids provided")
    if len(ids) > maximum:
        raise ApiError(400, "Too many ids requested")
    return [checked_id(item) for item in ids]


@bp.get("/me")
def me():
    fake = state()
    return jsonify(objects.private_user(api_url(), current_token().scope, fake.extended))


def _cursor_arg(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not raw.isdigit():
        raise ApiError(400, f"Invalid {name}")
    return int(raw)


@bp.get("/me/player/recently-played")
def recently_played():
    """Cursor paging over the last 50 plays, newest first, like the real endpoint."""
    require_scope("user-read-recently-played")
    limit = int_arg("limit", 20, 1, 50)
    after, before = _cursor_arg("after"), _cursor_arg("before")
    if after is not None and before is not None:
        raise ApiError(400, "Only one of after or before may be specified")
    fake = state()
    with fake.lock:
        window = fake.recent_plays()
        extended = fake.extended
    base = f"{api_url()}/me/player/recently-played"
    if after is not None:
        newer = [p for p in window if p.played_at_ms > after]
        chosen = newer[-limit:]
        more = len(newer) > limit
        next_url = f"{base}?after={chosen[0].played_at_ms}&limit={limit}" if more else None
    else:
        older = [p for p in window if before is None or p.played_at_ms < before]
        chosen = older[:limit]
        more = len(older) > limit
        next_url = f"{base}?before={chosen[-1].played_at_ms}&limit={limit}" if more else None
    api = api_url()
    items = [
        {
            "track": objects.track_object(
                api, fake.catalogue, fake.catalogue.tracks[play.track_id], extended
            ),
            "played_at": objects.iso_ms(play.played_at_ms),
            "context": objects.context_object(api, play.context_type, play.context_id)
            if play.context_type and play.context_id
            else None,
        }
        for play in chosen
    ]
    cursors = None
    if chosen:
        cursors = {"after": str(chosen[0].played_at_ms), "before": str(chosen[-1].played_at_ms)}
    return jsonify(
        {
            "items": items,
            "next": next_url,
            "cursors": cursors,
            "limit": limit,
            "href": request_href(),
        }
    )


def _top(kind: str):
    require_scope("user-top-read")
    time_range = request.args.get("time_range") or "medium_term"
    if time_range not in TIME_RANGE_DAYS:
        raise ApiError(400, "Invalid time range")
    limit = int_arg("limit", 20, 1, 50)
    offset = int_arg("offset", 0, 0)
    fake = state()
    api = api_url()
    with fake.lock:
        ranked = fake.top_ids(kind, time_range)
        extended = fake.extended
    chosen = ranked[offset : offset + limit]
    if kind == "tracks":
        items = [
            objects.track_object(api, fake.catalogue, fake.catalogue.tracks[i], extended)
            for i in chosen
        ]
    else:
        items = [objects.artist_object(api, fake.catalogue.artists[i], extended) for i in chosen]
    base = f"{api}/me/top/{kind}?time_range={time_range}"
    return jsonify(objects.page(request_href(), items, limit, offset, len(ranked), base))


@bp.get("/me/top/tracks")
def top_tracks():
    return _top("tracks")


@bp.get("/me/top/artists")
def top_artists():
    return _top("artists")


@bp.get("/artists/<artist_id>")
def artist(artist_id: str):
    fake = state()
    found = fake.catalogue.artists.get(checked_id(artist_id))
    if found is None:
        raise ApiError(404, "non existing id")
    return jsonify(objects.artist_object(api_url(), found, fake.extended))


def _several(key: str, known: Mapping[str, T], most: int, to_json: Callable[[str, T], dict]):
    """A "get several" answer (extended mode only): one object per id asked, in the order
    asked, ``null`` for an id not in ``known``; at most ``most`` ids (else 400)."""
    require_extended()
    found = [known.get(i) for i in ids_arg(most)]
    api = api_url()
    return jsonify({key: [to_json(api, item) if item else None for item in found]})


@bp.get("/artists")
def several_artists():
    full_artist = partial(objects.artist_object, extended=True)
    return _several("artists", state().catalogue.artists, 50, full_artist)


@bp.get("/audio-features")
def several_audio_features():
    return _several("audio_features", state().catalogue.tracks, 100, objects.audio_features_object)


@bp.get("/audio-features/<track_id>")
def audio_features(track_id: str):
    require_extended()
    track = state().catalogue.tracks.get(checked_id(track_id))
    if track is None:
        raise ApiError(404, "analysis not found")
    return jsonify(objects.audio_features_object(api_url(), track))

"""Playlist endpoints of the fake Web API.

2026 shape: create with ``POST /v1/me/playlists``, add with ``POST /v1/playlists/{id}/items``
(at most 100 URIs, body a bare array or ``{"uris": [...]}``, or a ``uris`` query parameter).
The older ``/users/{id}/playlists`` and ``/playlists/{id}/tracks`` routes only answer in
extended-quota mode, like Spotify's development-mode restriction.
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request
from werkzeug.exceptions import BadRequest

from . import objects
from .catalogue import SeededPlaylist
from .context import ApiError, api_url, int_arg, state
from .state import USER_ID, USER_NAME, UserPlaylist
from .webapi import authenticate, checked_id, handle_api_error, require_extended, require_scope

bp = Blueprint("fake_playlists", __name__, url_prefix="/v1")
bp.before_request(authenticate)
bp.register_error_handler(ApiError, handle_api_error)

MAX_URIS_PER_REQUEST = 100
TRACK_URI = re.compile(r"spotify:track:([0-9A-Za-z]{22})")
EPISODE_URI = re.compile(r"spotify:episode:[0-9A-Za-z]{22}")


def _json_body():
    try:
        return request.get_json(force=True, silent=False) if request.get_data() else None
    except BadRequest:
        raise ApiError(400, "Error parsing JSON.") from None


def _create_playlist():
    body = _json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "Error parsing JSON.")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ApiError(400, "Missing required field: name")
    public = body.get("public", True)
    collaborative = body.get("collaborative", False)
    if not isinstance(public, bool) or not isinstance(collaborative, bool):
        raise ApiError(400, "Error parsing JSON.")
    if collaborative and public:
        raise ApiError(400, "Collaborative playlists must be private")
    require_scope("playlist-modify-public" if public else "playlist-modify-private")
    description = body.get("description")
    fake = state()
    with fake.lock:
        playlist = UserPlaylist(
            id=fake.new_playlist_id(),
            name=name,
            description=description if isinstance(description, str) else None,
            public=public,
            collaborative=collaborative,
            owner_id=USER_ID,
            owner_name=USER_NAME,
        )
        fake.playlists[playlist.id] = playlist
        answer = objects.playlist_object(api_url(), fake.catalogue, playlist, fake.extended)
    return jsonify(answer), 201


@bp.post("/me/playlists")
def create_playlist():
    return _create_playlist()


@bp.post("/users/<user_id>/playlists")
def create_user_playlist(user_id: str):
    require_extended()
    if user_id != USER_ID:
        raise ApiError(403, "You cannot create a playlist for another user.")
    return _create_playlist()


@bp.get("/me/playlists")
def my_playlists():
    require_scope("playlist-read-private", "playlist-read-collaborative")
    limit = int_arg("limit", 20, 1, 50)
    offset = int_arg("offset", 0, 0)
    fake = state()
    api = api_url()
    with fake.lock:
        everything = list(fake.playlists.values()) + list(fake.catalogue.playlists.values())
        items = []
        for playlist in everything[offset : offset + limit]:
            full = objects.playlist_object(api, fake.catalogue, playlist, fake.extended)
            ref = {"href": full["items"]["href"].split("?")[0], "total": full["items"]["total"]}
            full.pop("followers")
            items.append({**full, "items": ref, "tracks": ref})
    return jsonify(
        objects.page(
            f"{api}/me/playlists?offset={offset}&limit={limit}",
            items,
            limit,
            offset,
            len(everything),
            f"{api}/me/playlists",
        )
    )


def _find_playlist(playlist_id: str) -> UserPlaylist | SeededPlaylist:
    fake = state()
    checked_id(playlist_id)
    found = fake.playlists.get(playlist_id) or fake.catalogue.playlists.get(playlist_id)
    if found is None:
        raise ApiError(404, "Resource not found")
    return found


def _owned(playlist: UserPlaylist | SeededPlaylist) -> bool:
    return isinstance(playlist, UserPlaylist) and playlist.owner_id == USER_ID


@bp.get("/playlists/<playlist_id>")
def get_playlist(playlist_id: str):
    fake = state()
    with fake.lock:
        playlist = _find_playlist(playlist_id)
        answer = objects.playlist_object(api_url(), fake.catalogue, playlist, fake.extended)
    return jsonify(answer)


def _list_items(playlist_id: str):
    limit = int_arg("limit", 100, 1, 100)
    offset = int_arg("offset", 0, 0)
    fake = state()
    with fake.lock:
        playlist = _find_playlist(playlist_id)
        if not fake.extended and not _owned(playlist):
            raise ApiError(403, "Forbidden")
        answer = objects.playlist_items_page(
            api_url(), fake.catalogue, playlist, limit, offset, fake.extended
        )
    return jsonify(answer)


def _requested_uris() -> tuple[list[str], int | None]:
    """URIs and position from the query string or the body, validated like Spotify."""
    raw_position = request.args.get("position")
    if request.args.get("uris") is not None:
        uris = [u.strip() for u in request.args["uris"].split(",") if u.strip()]
    else:
        body = _json_body()
        if isinstance(body, list):
            uris = body
        elif isinstance(body, dict):
            uris = body.get("uris")
            raw_position = body.get("position", raw_position)
        else:
            raise ApiError(400, "Error parsing JSON.")
    if not isinstance(uris, list) or not all(isinstance(u, str) for u in uris):
        raise ApiError(400, "Error parsing JSON.")
    if not uris:
        raise ApiError(400, "No uris provided")
    if len(uris) > MAX_URIS_PER_REQUEST:
        raise ApiError(400, "You can add a maximum of 100 tracks per request.")
    if raw_position is None:
        return uris, None
    try:
        return uris, int(raw_position)
    except (TypeError, ValueError):
        raise ApiError(400, "Invalid position") from None


def _track_ids(uris: list[str]) -> list[str]:
    known = state().catalogue.tracks
    track_ids = []
    for uri in uris:
        match = TRACK_URI.fullmatch(uri)
        if match is None and not EPISODE_URI.fullmatch(uri):
            raise ApiError(400, f"Invalid track uri: {uri}")
        if match is None or match.group(1) not in known:
            raise ApiError(400, "Payload contains a non-existing ID")
        track_ids.append(match.group(1))
    return track_ids


def _add_items(playlist_id: str):
    fake = state()
    with fake.lock:
        playlist = _find_playlist(playlist_id)
        if not isinstance(playlist, UserPlaylist) or playlist.owner_id != USER_ID:
            raise ApiError(403, "You cannot add tracks to a playlist you don't own.")
        require_scope("playlist-modify-public" if playlist.public else "playlist-modify-private")
        uris, position = _requested_uris()
        track_ids = _track_ids(uris)
        if position is None:
            position = len(playlist.items)
        if not 0 <= position <= len(playlist.items):
            raise ApiError(400, "Index out of bounds")
        added_at = fake.now_ms()
        playlist.items[position:position] = [(track_id, added_at) for track_id in track_ids]
        playlist.snapshot += 1
        snapshot_id = playlist.snapshot_id
    return jsonify({"snapshot_id": snapshot_id}), 201


@bp.get("/playlists/<playlist_id>/items")
def playlist_items(playlist_id: str):
    return _list_items(playlist_id)


@bp.post("/playlists/<playlist_id>/items")
def add_playlist_items(playlist_id: str):
    return _add_items(playlist_id)


@bp.get("/playlists/<playlist_id>/tracks")
def playlist_tracks(playlist_id: str):
    require_extended()
    return _list_items(playlist_id)


@bp.post("/playlists/<playlist_id>/tracks")
def add_playlist_tracks(playlist_id: str):
    require_extended()
    return _add_items(playlist_id)

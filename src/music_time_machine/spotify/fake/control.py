"""``/_fake/``: the sandbox's control panel for tests and the demo (loopback only, no auth).

Add plays, move the clock, switch between development and extended-quota mode, mint tokens
without the consent page, and inject faults. See the package docstring for the reference.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import jsonify, request

from ...sandbox.serving import control_blueprint
from . import objects
from .catalogue import learn_tracks
from .context import state
from .faults import rule_from_json
from .listening import Play
from .state import MODES, USER_ID, FakeState


def _describe(fake: FakeState) -> dict:
    """What ``GET /_fake/state`` answers: mode, clock, knobs, what tests added, faults."""
    return {
        "mode": fake.mode,
        "seed": fake.seed,
        "client_id": fake.client_id,
        "now": fake.clock(),
        "now_ms": fake.now_ms(),
        "clock": _clock_json(),
        "settings": _settings_json(),
        "added_plays": len(fake.extra_plays),
        "playlists": len(fake.playlists),
        "faults": [rule.to_json() for rule in fake.faults.rules()],
    }


bp = control_blueprint("fake_control", __name__, state, _describe)


class ControlError(Exception):
    """A bad control request, answered as ``{"error": "..."}`` with status 400."""


@bp.errorhandler(ControlError)
def _control_error(error: ControlError):
    return jsonify({"error": str(error)}), 400


def _body(expected: type = dict):
    body = request.get_json(silent=True)
    if body is None:
        body = expected()
    if not isinstance(body, expected):
        raise ControlError(f"expected a JSON {expected.__name__}")
    return body


def _play_json(play: Play) -> dict:
    fake = state()
    track = fake.catalogue.tracks[play.track_id]
    return {
        "track_id": play.track_id,
        "uri": f"spotify:track:{play.track_id}",
        "name": track.name,
        "artists": [fake.catalogue.artists[a].name for a in track.artist_ids],
        "played_at_ms": play.played_at_ms,
        "played_at": objects.iso_ms(play.played_at_ms),
        "context": f"spotify:{play.context_type}:{play.context_id}" if play.context_id else None,
    }


@bp.get("/catalogue")
def catalogue():
    """Ids and names, so tests can pick real tracks without going through the Web API."""
    cat = state().catalogue
    return jsonify(
        {
            "artists": [
                {"id": a.id, "name": a.name, "genres": a.genres} for a in cat.artists.values()
            ],
            "tracks": [
                {
                    "id": t.id,
                    "uri": f"spotify:track:{t.id}",
                    "name": t.name,
                    "artist_ids": t.artist_ids,
                    "album_id": t.album_id,
                    "duration_ms": t.duration_ms,
                }
                for t in cat.tracks.values()
            ],
            "playlists": [
                {"id": p.id, "name": p.name, "owner_id": p.owner_id, "track_ids": p.track_ids}
                for p in cat.playlists.values()
            ],
        }
    )


@bp.post("/catalogue")
def learn_catalogue():
    """``{"tracks": [{"id", "name", "duration_ms", "artists": [...], "album": {...}}]}``:
    teach the sandbox tracks from elsewhere (``mtm demo`` sends the demo's tracks)."""
    body = _body()
    tracks = body.get("tracks")
    if not isinstance(tracks, list) or not all(isinstance(t, dict) for t in tracks):
        raise ControlError("tracks must be a list of objects")
    fake = state()
    try:
        with fake.lock:
            added = learn_tracks(fake.catalogue, tracks)
    except (KeyError, TypeError, ValueError) as error:
        raise ControlError(f"malformed track entry: {error}") from None
    return jsonify({"added": added}), 201


@bp.get("/plays")
def list_plays():
    fake = state()
    try:
        count = max(1, min(5000, int(request.args.get("limit", "50"))))
    except ValueError:
        raise ControlError("limit must be an integer") from None
    with fake.lock:
        return jsonify({"plays": [_play_json(p) for p in fake.latest_plays(count)]})


def _track_id_of(entry: dict) -> str:
    fake = state()
    track_id = entry.get("track_id")
    uri = entry.get("uri")
    if track_id is None and isinstance(uri, str) and uri.startswith("spotify:track:"):
        track_id = uri.removeprefix("spotify:track:")
    if track_id not in fake.catalogue.tracks:
        raise ControlError(f"unknown track: {track_id or uri!r}")
    return track_id


@bp.post("/plays")
def add_plays():
    """``[{"track_id"|"uri", "played_at": ms}, ...]`` or ``{"count": N}`` (N plays ending now)."""
    fake = state()
    body = request.get_json(silent=True)
    added: list[Play] = []
    with fake.lock:
        if isinstance(body, dict) and "count" in body:
            count = body["count"]
            if not isinstance(count, int) or not 1 <= count <= 500:
                raise ControlError("count must be an integer from 1 to 500")
            picks = fake.schedule.pick_tracks(fake.now_ms(), count)
            ended = fake.now_ms()
            for track_id in picks:
                added.append(Play(ended, track_id))
                ended -= fake.catalogue.tracks[track_id].duration_ms + 1000
        elif isinstance(body, list):
            for entry in body:
                if not isinstance(entry, dict):
                    raise ControlError("each play must be an object")
                played_at = entry.get("played_at", fake.now_ms())
                if not isinstance(played_at, int):
                    raise ControlError("played_at must be epoch milliseconds")
                added.append(Play(played_at, _track_id_of(entry)))
        else:
            raise ControlError('expected a list of plays or {"count": N}')
        for play in added:
            fake.add_play(play)
        return jsonify({"added": [_play_json(p) for p in added]}), 201


@bp.delete("/plays")
def clear_plays():
    fake = state()
    with fake.lock:
        fake.clear_added_plays()
    return jsonify({"ok": True})


@bp.get("/playlists")
def playlists():
    fake = state()
    with fake.lock:
        return jsonify(
            {
                "playlists": [
                    {
                        "id": p.id,
                        "name": p.name,
                        "description": p.description,
                        "public": p.public,
                        "collaborative": p.collaborative,
                        "owner_id": USER_ID,
                        "snapshot_id": p.snapshot_id,
                        "uris": [f"spotify:track:{track_id}" for track_id, _ in p.items],
                    }
                    for p in fake.playlists.values()
                ]
            }
        )


@bp.post("/mode")
def set_mode():
    mode = _body().get("mode")
    if mode not in MODES:
        raise ControlError(f"mode must be one of {list(MODES)}")
    fake = state()
    with fake.lock:
        fake.mode = mode
    return jsonify({"mode": mode})


def _clock_json() -> dict:
    fake = state()
    return {
        "now": fake.clock(),
        "now_ms": fake.now_ms(),
        "offset": fake.clock.offset,
        "frozen": fake.clock.frozen is not None,
        "auto_listening": fake.auto_listening,
    }


def _knobs(change: Callable[[FakeState, dict], None], describe: Callable[[], dict]):
    """A knob endpoint: GET shows the knobs; POST changes those its JSON object names (all
    under the state lock) and shows them after."""
    fake = state()
    body = _body() if request.method == "POST" else {}
    with fake.lock:
        change(fake, body)
        return jsonify(describe())


@bp.route("/clock", methods=["GET", "POST"])
def clock():
    """``{"now": s|null, "offset": s, "advance": s, "auto_listening": bool}``, all optional."""
    return _knobs(_set_clock, _clock_json)


def _set_clock(fake: FakeState, body: dict) -> None:
    if "now" in body:
        now = body["now"]
        if now is not None and not isinstance(now, int | float):
            raise ControlError("now must be epoch seconds or null")
        fake.clock.frozen = float(now) if now is not None else None
    if "offset" in body:
        if not isinstance(body["offset"], int | float):
            raise ControlError("offset must be seconds")
        fake.clock.offset = float(body["offset"])
    if "advance" in body:
        if not isinstance(body["advance"], int | float):
            raise ControlError("advance must be seconds")
        if fake.clock.frozen is not None:
            fake.clock.frozen += body["advance"]
        else:
            fake.clock.offset += body["advance"]
    if "auto_listening" in body:
        fake.auto_listening = bool(body["auto_listening"])


def _settings_json() -> dict:
    fake = state()
    return {
        "refresh_returns_refresh_token": fake.tokens.settings.refresh_returns_refresh_token,
        "access_token_lifetime": fake.tokens.settings.access_token_lifetime,
        "auto_approve": fake.auto_approve,
    }


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Token and consent knobs; see the package docstring for the fields."""
    return _knobs(_set_settings, _settings_json)


def _set_settings(fake: FakeState, body: dict) -> None:
    if "refresh_returns_refresh_token" in body:
        fake.tokens.settings.refresh_returns_refresh_token = bool(
            body["refresh_returns_refresh_token"]
        )
    if "access_token_lifetime" in body:
        lifetime = body["access_token_lifetime"]
        if not isinstance(lifetime, int) or lifetime < 1:
            raise ControlError("access_token_lifetime must be a positive integer")
        fake.tokens.settings.access_token_lifetime = lifetime
    if "auto_approve" in body:
        fake.auto_approve = bool(body["auto_approve"])


@bp.post("/tokens")
def mint_tokens():
    """A token answer as if the user had agreed, for tests that skip the consent page."""
    fake = state()
    scope = _body().get("scope") or ""
    if not isinstance(scope, str):
        raise ControlError("scope must be a space-separated string")
    with fake.lock:
        return jsonify(fake.tokens.issue_tokens(fake.client_id, " ".join(scope.split()), False))


@bp.route("/faults", methods=["GET", "POST", "DELETE"])
def faults():
    fake = state()
    if request.method == "DELETE":
        fake.faults.clear()
        return jsonify({"faults": []})
    if request.method == "POST":
        body = _body()
        actions = {}
        with fake.lock:
            if body.get("expire_access_tokens"):
                actions["expired_access_tokens"] = fake.tokens.expire_all_access()
            if body.get("revoke_refresh_tokens"):
                actions["revoked_refresh_tokens"] = fake.tokens.revoke_all_refresh()
        if "status" in body or "delay" in body or not actions:
            try:
                fake.faults.add(rule_from_json(body))
            except ValueError as error:
                raise ControlError(str(error)) from None
        return jsonify({**actions, "faults": [r.to_json() for r in fake.faults.rules()]}), 201
    return jsonify({"faults": [r.to_json() for r in fake.faults.rules()]})

"""The Playlist Manager's JSON API, used by the page's ``fetch()`` upgrade.

Same validation and logic as the HTML views (web/playlists.py); each answer also carries the
server-rendered HTML of the piece of page it changes, so the page and the no-JS version
show exactly the same thing. Creating the same playlist as the last one created answers
``{"ask_again": "<the question>"}`` and creates nothing (send ``action=create_again`` to go
ahead). Errors are ``{"error": "..."}``: 400 bad input, 409 not connected, 401 needs
reconnect, 422 nothing to put in a playlist, 429 rate limited (``retry_after`` seconds, and a
``Retry-After`` header), 502 Spotify failed.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue

from ..db import get_db
from ..db import playlists as saved
from ..playlists.builder import NoTracks
from ..playlists.creator import AlreadyAdding, NothingToAdd, create_on_spotify
from ..playlists.options import parse_options
from ..spotify.client import RateLimited, SpotifyError
from .current_user import local_today, login_required
from .playlists import (
    CREATE_AGAIN,
    finish_own,
    page_context,
    preview_for,
    repeat_of_last,
    repeat_question,
    spotify_client,
    spotify_problem,
)

bp = Blueprint("playlists_api", __name__, url_prefix="/api/playlists")


def _form() -> dict:
    body = request.get_json(silent=True)
    if isinstance(body, dict):
        return {k: "" if v is None else str(v) for k, v in body.items()}
    return request.form.to_dict()


def _error(status: int, message: str, **extra: object) -> ResponseReturnValue:
    return jsonify({"error": message, **extra}), status


def _spotify_error(
    error: SpotifyError, status: int | None = None, message: str | None = None, **extra: object
) -> ResponseReturnValue:
    """The error as JSON; a rate limit also says when to retry (body and Retry-After)."""
    default_status, default_message = spotify_problem(error)
    if isinstance(error, RateLimited):
        extra["retry_after"] = error.retry_after
    response = jsonify({"error": message or default_message, **extra})
    if isinstance(error, RateLimited):
        response.headers["Retry-After"] = str(error.retry_after)
    return response, status or default_status


def _playlist_json(playlist: saved.SavedPlaylist) -> dict:
    return {
        "id": playlist.id,
        "spotify_id": playlist.spotify_id,
        "name": playlist.name,
        "url": playlist.url,
        "status": playlist.status,
        "added": playlist.added_count,
        "total": len(playlist.track_uris),
        "uris": playlist.track_uris,
        "skipped": playlist.skipped,
        "error": playlist.error,
        "retry_after": playlist.retry_after,
        "result_url": url_for("playlists.result", playlist_id=playlist.id),
        "finish_url": url_for("playlists_api.finish", playlist_id=playlist.id),
        "html": render_template("playlists/_result_card.html", playlist=playlist),
    }


def _list_html() -> str:
    return render_template("playlists/_saved_list.html", **page_context())


class _Refused(Exception):
    """A request answered with ``response`` (a JSON error) instead of going on: raised by the
    validation, answered by the blueprint's handler, so every view just lets it through."""

    def __init__(self, response: ResponseReturnValue) -> None:
        self.response = response


@bp.errorhandler(_Refused)
def _answer_refused(refused: _Refused) -> ResponseReturnValue:
    return refused.response


def _validated_preview():
    """The form and its preview, or ``_Refused`` with the JSON error to answer."""
    form = _form()
    options, errors = parse_options(form, local_today())
    if options is None:
        raise _Refused(_error(400, " ".join(errors.values()), fields=errors))
    try:
        return form, preview_for(form, options)
    except NoTracks as empty:
        raise _Refused(_error(422, str(empty))) from None


@bp.post("/preview")
@login_required
def preview() -> ResponseReturnValue:
    form, found = _validated_preview()
    context = page_context(form=form, preview=found)
    return jsonify(
        {**found.to_json(), "html": render_template("playlists/_preview.html", **context)}
    )


@bp.post("")
@login_required
def create() -> ResponseReturnValue:
    form, found = _validated_preview()
    repeat = repeat_of_last(found) if form.get("action") != CREATE_AGAIN else None
    if repeat is not None:
        # Not an error: a question, answered with 200 so that nothing reads it as a failure.
        return jsonify({"ask_again": repeat_question(repeat)})
    try:
        outcome = create_on_spotify(get_db(), spotify_client(), g.user["id"], found)
    except SpotifyError as error:
        return _spotify_error(error, preview=found.to_json())
    except NothingToAdd as nothing:
        return _error(422, str(nothing))
    return _outcome_json(outcome, 201)


@bp.post("/<int:playlist_id>/finish")
@login_required
def finish(playlist_id: int) -> ResponseReturnValue:
    playlist, outcome = finish_own(playlist_id)
    if isinstance(outcome, SpotifyError):
        return _spotify_error(outcome, playlist=_playlist_json(playlist))
    if isinstance(outcome, AlreadyAdding):
        return _error(409, str(outcome))
    return _outcome_json(outcome, 200)


def _outcome_json(outcome, status: int) -> ResponseReturnValue:
    body = {"playlist": _playlist_json(outcome.playlist), "list_html": _list_html()}
    if outcome.error is not None:  # created, but not every track is in yet
        return _spotify_error(outcome.error, message=outcome.playlist.error, **body)
    return jsonify(body), status

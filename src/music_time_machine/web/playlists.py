"""Playlist Manager pages: the HTML form that works without JavaScript (post/redirect/get).

``GET /playlists`` shows the form and the playlists made so far; ``POST /playlists`` previews
(``action=preview``: the form comes back with the chosen tracks) or creates the playlist on
Spotify and redirects to its result page. The JSON twin for ``fetch()`` is playlists_api.py;
both run the same code below and in the ``playlists`` package.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Mapping

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue

from ..csv_cells import spreadsheet_safe_row
from ..db import get_db
from ..db import playlists as saved
from ..db.accounts import get_account
from ..db.artwork import track_image_keys
from ..db.explore import get_artist
from ..playlists.builder import NoTracks, Preview, build_preview, pinned_preview
from ..playlists.creator import (
    AlreadyAdding,
    CreationOutcome,
    NothingToAdd,
    create_on_spotify,
    finish_adding,
    wait_text,
)
from ..playlists.options import (
    FIELDS_FOR_SOURCES,
    MOOD_SOURCES,
    SIZE_DEFAULT,
    TIME_MACHINE_SOURCES,
    PlaylistOptions,
    parse_options,
)
from ..spotify.client import (
    Forbidden,
    NeedsReconnect,
    NotConnected,
    RateLimited,
    SpotifyClient,
    SpotifyError,
)
from .current_user import local_today, login_required
from .errors import found
from .images import image_path

bp = Blueprint("playlists", __name__)


# -- shared with the JSON API -------------------------------------------------------------


def preview_for(form: Mapping[str, str], options: PlaylistOptions) -> Preview:
    """The preview the user saw when the form carries one for these options, else a new one."""
    conn, user_id, today = get_db(), g.user["id"], local_today()
    ids = _track_ids(form.get("track_ids", ""))
    if ids and form.get("selection_key") == options.selection_key():
        return pinned_preview(conn, user_id, options, today, ids)
    return build_preview(conn, user_id, options, today)


def _track_ids(raw: str | None) -> list[int]:
    try:
        return [int(part) for part in (raw or "").split(",") if part.strip()][:100]
    except ValueError:
        return []


def spotify_client() -> SpotifyClient:
    """A client for the current user, refusing early when the account cannot be used."""
    conn, user_id = get_db(), g.user["id"]
    account = get_account(conn, user_id)
    if account is None or account["status"] == "disconnected":
        raise NotConnected("Spotify is not connected")
    if account["status"] == "needs_reconnect":
        raise NeedsReconnect("Spotify needs to be reconnected", 401)
    return SpotifyClient.from_config(conn, user_id, current_app.config)


def spotify_problem(error: SpotifyError) -> tuple[int, str]:
    """HTTP status and a message that says what happened and what to do."""
    take_along = "Meanwhile you can copy the tracks' Spotify URIs or download them as CSV."
    if isinstance(error, NotConnected):
        return 409, (
            "Spotify is not connected, so the playlist cannot be created yet. "
            "Connect Spotify in Settings, then create it. " + take_along
        )
    if isinstance(error, NeedsReconnect):
        return 401, (
            "Spotify needs to be reconnected: it no longer accepts this app's "
            "authorisation. Reconnect in Settings, then create the playlist. " + take_along
        )
    if isinstance(error, RateLimited):
        return 429, (
            f"Spotify asked us to slow down: try again in "
            f"{wait_text(error.retry_after)}. Nothing was created."
        )
    if isinstance(error, Forbidden):
        return 502, (
            "Spotify refused to create the playlist (403). The app may lack the "
            "playlist permission: reconnect Spotify in Settings. Nothing was created."
        )
    return 502, (
        f"Spotify is not working right now ({error}). Nothing was created; try again in a minute."
    )


def repeat_of_last(preview: Preview) -> saved.SavedPlaylist | None:
    """The playlist this preview would copy, when it is the last one the user created:
    the same name and the same tracks in the same order. Creating it again straight away
    is almost always a double press or a reload, so both the page and the API ask first."""
    last = saved.recent_playlists(get_db(), g.user["id"], limit=1)
    if last and last[0].name == preview.name and last[0].track_uris == preview.uris:
        return last[0]
    return None


def repeat_question(playlist: saved.SavedPlaylist) -> str:
    return (
        f"You just created “{playlist.name}” from this preview. "
        "Create it again as a second playlist on Spotify?"
    )


#: What the page and the JSON say for a playlist id that is not the user's (or is gone).
NO_SUCH_PLAYLIST = "There is no such playlist."
#: The submit value that confirms creating a second copy of the last playlist.
CREATE_AGAIN = "create_again"

#: The form as first shown.
DEFAULT_FORM = {
    "source": "forgotten_gems",
    "size": SIZE_DEFAULT,
    "visibility": "private",
    "per_artist": 2,
    "gems_from_days": 365,
    "gems_quiet_days": 90,
}


def page_context(**extra: object) -> dict:
    conn, user_id = get_db(), g.user["id"]
    account = get_account(conn, user_id)
    form = extra.get("form") or {}
    artist = str(form.get("artist") or "")  # type: ignore[attr-defined]
    return {
        # Forgotten gems of one artist (from the artist page): named, and removable.
        "gems_artist": get_artist(conn, user_id, int(artist))
        if artist.isdigit() and len(artist) < 19
        else None,
        "time_machine_sources": TIME_MACHINE_SOURCES,
        "mood_sources": MOOD_SOURCES,
        "fields_for": {k: " ".join(v) for k, v in FIELDS_FOR_SOURCES.items()},
        "account_status": account["status"] if account else None,
        "recent": saved.recent_playlists(conn, user_id),
        "form": dict(DEFAULT_FORM),
        "errors": {},
        **extra,
        "track_art": _track_art(conn, user_id, extra.get("preview")),
    }


def _track_art(conn: sqlite3.Connection, user_id: int, preview: object) -> dict[int, str]:
    """track id -> the same-origin path of its album's picture, for the preview's tracks."""
    if not isinstance(preview, Preview):
        return {}
    keys = track_image_keys(conn, user_id, preview.track_ids)
    return {track_id: image_path(key) for track_id, key in keys.items()}


def preview_csv(preview: Preview) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["position", "title", "artist", "album", "spotify_uri", "why", "score_source"])
    for position, t in enumerate(preview.tracks, start=1):
        writer.writerow(
            spreadsheet_safe_row(
                [position, t.title, t.artist, t.album or "", t.uri or "", t.why, t.score_source]
            )
        )
    return out.getvalue()


# -- pages ------------------------------------------------------------------------------


@bp.get("/playlists")
@login_required
def index() -> ResponseReturnValue:
    form: dict = dict(DEFAULT_FORM)
    if request.args.get("source") in {**TIME_MACHINE_SOURCES, **MOOD_SOURCES}:
        form["source"] = request.args["source"]
    if request.args.get("artist"):  # the artist page's forgotten gems
        form["artist"] = request.args["artist"]
    return render_template("playlists/index.html", **page_context(form=form))


@bp.post("/playlists")
@login_required
def submit() -> ResponseReturnValue:
    """Preview or create. Errors re-render the form; success redirects (post/redirect/get)."""
    form = request.form
    action = form.get("action", "create")
    options, errors = parse_options(form, local_today())
    if options is None:
        return render_template(
            "playlists/index.html", **page_context(form=form, errors=errors)
        ), 400
    try:
        preview = preview_for(form, options)
    except NoTracks as empty:
        return render_template(
            "playlists/index.html", **page_context(form=form, no_match=str(empty))
        )
    if action == "preview":
        return render_template("playlists/index.html", **page_context(form=form, preview=preview))
    repeat = repeat_of_last(preview) if action != CREATE_AGAIN else None
    if repeat is not None:
        return render_template(
            "playlists/index.html",
            **page_context(form=form, preview=preview, ask_again=repeat_question(repeat)),
        )
    try:
        outcome = create_on_spotify(get_db(), spotify_client(), g.user["id"], preview)
    except SpotifyError as error:
        status, message = spotify_problem(error)
        return render_template(
            "playlists/index.html", **page_context(form=form, preview=preview, problem=message)
        ), status
    except NothingToAdd as error:
        return render_template(
            "playlists/index.html", **page_context(form=form, preview=preview, problem=str(error))
        ), 400
    return redirect(url_for("playlists.result", playlist_id=outcome.playlist.id), 303)


@bp.get("/playlists/<int:playlist_id>")
@login_required
def result(playlist_id: int) -> ResponseReturnValue:
    playlist = found(saved.get_playlist(get_db(), g.user["id"], playlist_id), NO_SUCH_PLAYLIST)
    return render_template("playlists/result.html", playlist=playlist)


@bp.post("/playlists/<int:playlist_id>/finish")
@login_required
def finish(playlist_id: int) -> ResponseReturnValue:
    """Add the tracks a failed attempt left out, to the same Spotify playlist."""
    _playlist, outcome = finish_own(playlist_id)
    if isinstance(outcome, SpotifyError):
        flash(
            spotify_problem(outcome)[1].replace("Nothing was created", "Nothing was added"),
            "error",
        )
    elif isinstance(outcome, AlreadyAdding):
        flash(str(outcome), "warning")
    elif outcome.error is None:
        flash(f"All {len(outcome.playlist.track_uris)} tracks are in the playlist.")
    return redirect(url_for("playlists.result", playlist_id=playlist_id), 303)


def finish_own(
    playlist_id: int,
) -> tuple[saved.SavedPlaylist, CreationOutcome | SpotifyError | AlreadyAdding]:
    """Finish the signed-in user's playlist, for the page and its JSON twin alike.

    A 404 when it is not theirs (or gone); otherwise the playlist and either the outcome or
    what stopped it, returned rather than raised so that each caller says it in its own
    way (a flash message, a JSON error with the playlist).
    """
    conn, user_id = get_db(), g.user["id"]
    playlist = found(saved.get_playlist(conn, user_id, playlist_id), NO_SUCH_PLAYLIST)
    try:
        return playlist, finish_adding(conn, spotify_client(), user_id, playlist)
    except (SpotifyError, AlreadyAdding) as stopped:
        return playlist, stopped


@bp.get("/playlists/preview.csv")
@login_required
def download_csv() -> ResponseReturnValue:
    """The previewed tracks as CSV: works without Spotify and without JavaScript."""
    options, errors = parse_options(request.args, local_today())
    if options is None:
        return render_template(
            "errors/error.html", status=400, message=" ".join(errors.values())
        ), 400
    try:
        preview = preview_for(request.args, options)
    except NoTracks as empty:
        return render_template("errors/error.html", status=404, message=str(empty)), 404
    filename = (
        "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in preview.name.lower())[
            :60
        ].strip("-")
        or "playlist"
    )
    return Response(
        preview_csv(preview),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )

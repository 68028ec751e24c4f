"""A preview becomes a Spotify playlist: create it, remember it, then add the tracks.

The playlist is remembered as soon as Spotify has created it and *before* any track is
added, with every URI in order and a resume point (``added_count``) moved forward after
each batch of at most 100. If adding stops half-way (429, 5xx), "finish adding" continues
from the resume point on the same playlist: never a second playlist, never a track twice.
Tracks without a Spotify URI (account-data imports) cannot be added; they are listed.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass

from ..db import playlists as q
from ..spotify.client import RateLimited, SpotifyClient, SpotifyError
from .builder import Preview

BATCH = 100


class NothingToAdd(Exception):
    """None of the chosen tracks has a Spotify URI; no playlist was created."""


class AlreadyAdding(Exception):
    """Another request is adding tracks to this playlist right now."""


@dataclass
class CreationOutcome:
    playlist: q.SavedPlaylist
    #: Why adding stopped, when it did (the playlist exists but is incomplete).
    error: SpotifyError | None = None


def create_on_spotify(
    conn: sqlite3.Connection, client: SpotifyClient, user_id: int, preview: Preview
) -> CreationOutcome:
    """Create the playlist and add the previewed tracks in order.

    Errors creating the playlist propagate (nothing exists yet, nothing is stored); errors
    while adding are returned in the outcome with the playlist marked incomplete.
    """
    uris = preview.uris
    if not uris:
        raise NothingToAdd(
            "None of these tracks has a Spotify link, so there is nothing to "
            "add; a playlist was not created. Download the CSV instead."
        )
    created = client.create_playlist(preview.name, preview.options.public, preview.description)
    playlist_id = q.save_playlist(
        conn,
        user_id,
        spotify_id=created["id"],
        name=preview.name,
        source=preview.options.source,
        options=preview.options.to_json(),
        url=(created.get("external_urls") or {}).get("spotify"),
        track_uris=uris,
        tracks=[
            {
                "title": t.title,
                "artist": t.artist,
                "uri": t.uri,
                "why": t.why,
                "score_source": t.score_source,
                "track_id": t.track_id,
                "credits": t.credits,
            }
            for t in preview.tracks
            if t.on_spotify
        ],
        skipped=[{"title": t.title, "artist": t.artist} for t in preview.without_uri],
    )
    return _add_remaining(conn, client, q.get_playlist(conn, user_id, playlist_id))


def finish_adding(
    conn: sqlite3.Connection, client: SpotifyClient, user_id: int, playlist: q.SavedPlaylist
) -> CreationOutcome:
    """Resume adding where the last attempt stopped, to the same Spotify playlist."""
    if playlist.status == "done":
        return CreationOutcome(playlist)
    if not q.claim_adding(conn, playlist.id):
        raise AlreadyAdding(
            "Tracks are being added to this playlist right now; reload in a moment."
        )
    return _add_remaining(conn, client, q.get_playlist(conn, user_id, playlist.id))


def _add_remaining(
    conn: sqlite3.Connection, client: SpotifyClient, playlist: q.SavedPlaylist
) -> CreationOutcome:
    added = playlist.added_count
    try:
        while added < len(playlist.track_uris):
            batch = playlist.track_uris[added : added + BATCH]
            client.add_items(playlist.spotify_id, batch)
            added += len(batch)
            q.record_progress(conn, playlist.id, added)
    except SpotifyError as error:
        retry_at = int(time.time()) + error.retry_after if isinstance(error, RateLimited) else None
        q.finish_attempt(
            conn,
            playlist.id,
            "incomplete",
            adding_stopped_message(error, added, len(playlist.track_uris)),
            retry_at,
        )
        return CreationOutcome(q.get_playlist(conn, playlist.user_id, playlist.id), error)
    except BaseException:
        q.finish_attempt(conn, playlist.id, "incomplete", "Adding tracks was interrupted.")
        raise
    q.finish_attempt(conn, playlist.id, "done")
    return CreationOutcome(q.get_playlist(conn, playlist.user_id, playlist.id))


def adding_stopped_message(error: SpotifyError, added: int, total: int) -> str:
    if isinstance(error, RateLimited):
        why = f"Spotify asked us to wait {wait_text(error.retry_after)}"
    else:
        why = f"Spotify failed ({error})"
    return (
        f"The playlist was created, but only {added} of {total} tracks were added: {why}. "
        "Use \u201cFinish adding\u201d to add the rest to the same playlist."
    )


def wait_text(seconds: int) -> str:
    """'45 seconds', '3 minutes', '2 hours' — how long Spotify asked us to wait."""
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} minutes"
    return f"{round(seconds / 3600)} hours"

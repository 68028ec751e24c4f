"""Where a name links to: the URL of an artist, track, album or genre page, for payloads
that the pages and their JavaScript render (one rule for the HTML and the JSON)."""

from __future__ import annotations

from flask import current_app, url_for

#: The genre page belongs to another blueprint (years.genre); until it is registered,
#: genres stay text.
GENRE_ENDPOINT = "years.genre"


def artist_url(artist_id: int) -> str:
    return url_for("explore.artist", artist_id=artist_id)


def track_url(track_id: int) -> str:
    return url_for("explore.track", track_id=track_id)


def album_url(album_id: int | None) -> str | None:
    return url_for("explore.album", album_id=album_id) if album_id else None


def genre_url(name: str) -> str | None:
    if GENRE_ENDPOINT not in current_app.view_functions:
        return None
    return url_for(GENRE_ENDPOINT, name=name)

"""Where a name links to: the URL of an artist, track, album or genre page, for payloads
that the pages and their JavaScript render (one rule for the HTML and the JSON)."""

from __future__ import annotations

from flask import Flask, url_for


def artist_url(artist_id: int) -> str:
    return url_for("explore.artist", artist_id=artist_id)


def track_url(track_id: int) -> str:
    return url_for("explore.track", track_id=track_id)


def album_url(album_id: int | None) -> str | None:
    return url_for("explore.album", album_id=album_id) if album_id else None


def genre_url(name: str) -> str:
    return url_for("years.genre", name=name)


_ITEM_URLS = {"artist": artist_url, "track": track_url, "album": album_url}


def item_url(kind: str, item_id: int) -> str:
    """The page of one catalogue item ('artist', 'album' or 'track'), for templates that
    hold the kind as data (search results, full lists)."""
    return _ITEM_URLS[kind](item_id)


def init_app(app: Flask) -> None:
    app.add_template_global(item_url, "item_url")

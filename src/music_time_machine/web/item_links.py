"""Where an artist, album or track links to: its story page (issue #16a's ``explore``
blueprint). Until that blueprint is registered the same fixed paths are used, so links from
search and the full lists are right on every branch and never raise a BuildError."""

from __future__ import annotations

from flask import Flask, url_for
from werkzeug.routing import BuildError

#: kind → (endpoint, its id argument, the fixed path the endpoint serves).
_PAGES = {
    "artist": ("explore.artist", "artist_id", "/artists/{}"),
    "album": ("explore.album", "album_id", "/albums/{}"),
    "track": ("explore.track", "track_id", "/tracks/{}"),
}


def item_url(kind: str, item_id: int) -> str:
    """The page of one catalogue item ('artist', 'album' or 'track')."""
    endpoint, arg, path = _PAGES[kind]
    try:
        return url_for(endpoint, **{arg: item_id})
    except BuildError:
        return path.format(int(item_id))


def init_app(app: Flask) -> None:
    app.jinja_env.globals["item_url"] = item_url

"""Spotify Web API objects → the app's catalogue records.

Names are held to ``limits.MAX_NAME_CHARS`` like an import's, but cut rather than refused:
they come from Spotify itself, and dropping the play would lose real listening.
"""

from __future__ import annotations

from ..db.catalogue import ArtistInfo, TrackInfo
from ..limits import clip_name


def _name(value: object, default: str | None) -> str | None:
    return clip_name(value) if type(value) is str and value else default


def artist_info(artist: dict) -> ArtistInfo:
    genres = artist.get("genres")
    return ArtistInfo(
        name=_name(artist.get("name"), "Unknown artist"),
        spotify_id=artist.get("id"),
        genres=list(genres) if genres else None,
    )


#: The album image kept from a track object: the smallest at least this wide (Spotify sends
#: 640, 300 and 64 px); the artwork phase downloads it once and scales it down.
ALBUM_IMAGE_WIDTH = 300


def album_image_url(album: dict) -> str | None:
    """The URL of the album's image closest above ``ALBUM_IMAGE_WIDTH`` (else its largest)."""
    images = [
        i
        for i in album.get("images") or []
        if isinstance(i, dict) and type(i.get("url")) is str and i["url"]
    ]
    if not images:
        return None
    width = lambda i: i.get("width") if isinstance(i.get("width"), int) else 0  # noqa: E731
    wide = [i for i in images if width(i) >= ALBUM_IMAGE_WIDTH]
    return (min(wide, key=width) if wide else max(images, key=width))["url"]


def track_info(track: dict) -> TrackInfo:
    album = track.get("album") or {}
    return TrackInfo(
        name=_name(track.get("name"), "Unknown track"),
        artists=[artist_info(a) for a in track.get("artists") or []]
        or [ArtistInfo("Unknown artist")],
        album=_name(album.get("name"), None),
        album_spotify_id=album.get("id"),
        album_image_url=album_image_url(album),
        spotify_uri=track.get("uri"),
        kind="podcast" if track.get("type") == "episode" else "music",
        duration_ms=track.get("duration_ms"),
    )

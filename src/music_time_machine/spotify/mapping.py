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
    return ArtistInfo(name=_name(artist.get("name"), "Unknown artist"),
                      spotify_id=artist.get("id"),
                      genres=list(genres) if genres else None)


def track_info(track: dict) -> TrackInfo:
    album = track.get("album") or {}
    return TrackInfo(
        name=_name(track.get("name"), "Unknown track"),
        artists=[artist_info(a) for a in track.get("artists") or []]
        or [ArtistInfo("Unknown artist")],
        album=_name(album.get("name"), None),
        album_spotify_id=album.get("id"),
        spotify_uri=track.get("uri"),
        kind="podcast" if track.get("type") == "episode" else "music",
        duration_ms=track.get("duration_ms"),
    )

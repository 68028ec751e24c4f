"""Spotify Web API objects → the app's catalogue records."""

from __future__ import annotations

from ..db.catalogue import ArtistInfo, TrackInfo


def artist_info(artist: dict) -> ArtistInfo:
    genres = artist.get("genres")
    return ArtistInfo(name=artist.get("name") or "Unknown artist", spotify_id=artist.get("id"),
                      genres=list(genres) if genres else None)


def track_info(track: dict) -> TrackInfo:
    album = track.get("album") or {}
    return TrackInfo(
        name=track.get("name") or "Unknown track",
        artists=[artist_info(a) for a in track.get("artists") or []]
        or [ArtistInfo("Unknown artist")],
        album=album.get("name"),
        album_spotify_id=album.get("id"),
        spotify_uri=track.get("uri"),
        kind="podcast" if track.get("type") == "episode" else "music",
        duration_ms=track.get("duration_ms"),
    )

"""Spotify's JSON object shapes (TrackObject, ArtistObject, PlaylistObject, ...) for the fake.

Shapes follow the 2026 OpenAPI description: ``href`` links point back at the fake so a client
can follow them, ``external_urls`` point at open.spotify.com like the real service. What the
2026 development mode dropped (artist genres, popularity, followers; track popularity; album
``available_markets``) is left out unless the fake runs in extended-quota mode.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from .catalogue import Album, Artist, AudioFeatures, Catalogue, SeededPlaylist, Track
from .state import USER_ID, USER_NAME, UserPlaylist

OPEN = "https://open.spotify.com"
# i.scdn.co image ids start with a prefix that encodes the kind and size of the image. The
# fake keeps the ids but serves the pictures itself (``images.py``): see ``image_url``.
ALBUM_IMAGE_SIZES = [("ab67616d0000b273", 640), ("ab67616d00001e02", 300), ("ab67616d00004851", 64)]
ARTIST_IMAGE_SIZES = [
    ("ab6761610000e5eb", 640),
    ("ab67616100005174", 320),
    ("ab6761610000f178", 160),
]


def iso_ms(epoch_ms: int) -> str:
    """Spotify's timestamp format: ISO-8601 UTC with milliseconds and a ``Z``."""
    moment = datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def iso_s(epoch_ms: int) -> str:
    return datetime.fromtimestamp(epoch_ms // 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


USER_IMAGE = ("ab6775700000ee85", 300)
PLAYLIST_IMAGE = ("ab67706f00000002", 640)
#: Every image id prefix the fake serves, with its size in pixels.
IMAGE_SIZES = dict([*ALBUM_IMAGE_SIZES, *ARTIST_IMAGE_SIZES, USER_IMAGE, PLAYLIST_IMAGE])


def image_url(api: str, image_id: str) -> str:
    """Where the fake serves the picture Spotify would serve at ``i.scdn.co/image/<id>``: on
    the fake itself, so nothing in the sandbox reaches for the network."""
    return f"{api.removesuffix('/v1')}/_fake/images/{image_id}"


def _images(api: str, prefix_sizes: list[tuple[str, int]], image_hash: str) -> list[dict]:
    return [
        {"url": image_url(api, prefix + image_hash), "height": size, "width": size}
        for prefix, size in prefix_sizes
    ]


def _link(api: str, kind: str, item_id: str) -> dict:
    return {
        "external_urls": {"spotify": f"{OPEN}/{kind}/{item_id}"},
        "href": f"{api}/{kind}s/{item_id}",
        "id": item_id,
        "type": kind,
        "uri": f"spotify:{kind}:{item_id}",
    }


def simplified_artist(api: str, artist: Artist) -> dict:
    return {**_link(api, "artist", artist.id), "name": artist.name}


def artist_object(api: str, artist: Artist, extended: bool) -> dict:
    body = {
        **_link(api, "artist", artist.id),
        "images": _images(api, ARTIST_IMAGE_SIZES, artist.image_hash),
        "name": artist.name,
    }
    if extended:
        body["genres"] = list(artist.genres)
        body["popularity"] = artist.popularity
        body["followers"] = {"href": None, "total": artist.followers}
    return body


def simplified_album(api: str, catalogue: Catalogue, album: Album) -> dict:
    return {
        "album_type": album.album_type,
        "total_tracks": len(album.track_ids),
        **_link(api, "album", album.id),
        "images": _images(api, ALBUM_IMAGE_SIZES, album.image_hash),
        "name": album.name,
        "release_date": album.release_date,
        "release_date_precision": album.release_date_precision,
        "artists": [simplified_artist(api, catalogue.artists[a]) for a in album.artist_ids],
        "is_playable": True,
    }


def track_object(api: str, catalogue: Catalogue, track: Track, extended: bool) -> dict:
    body = {
        "album": simplified_album(api, catalogue, catalogue.albums[track.album_id]),
        "artists": [simplified_artist(api, catalogue.artists[a]) for a in track.artist_ids],
        "disc_number": 1,
        "duration_ms": track.duration_ms,
        "explicit": track.explicit,
        "external_ids": {"isrc": track.isrc},
        **_link(api, "track", track.id),
        "is_local": False,
        "is_playable": True,
        "name": track.name,
        "preview_url": None,
        "track_number": track.track_number,
    }
    if extended:
        body["popularity"] = track.popularity
    return body


def audio_features_object(api: str, track: Track) -> dict:
    features: AudioFeatures = track.features
    return {
        "acousticness": features.acousticness,
        "analysis_url": f"{api}/audio-analysis/{track.id}",
        "danceability": features.danceability,
        "duration_ms": track.duration_ms,
        "energy": features.energy,
        "id": track.id,
        "instrumentalness": features.instrumentalness,
        "key": features.key,
        "liveness": features.liveness,
        "loudness": features.loudness,
        "mode": features.mode,
        "speechiness": features.speechiness,
        "tempo": features.tempo,
        "time_signature": features.time_signature,
        "track_href": f"{api}/tracks/{track.id}",
        "type": "audio_features",
        "uri": f"spotify:track:{track.id}",
        "valence": features.valence,
    }


def user_link(api: str, user_id: str) -> dict:
    return {
        "external_urls": {"spotify": f"{OPEN}/user/{user_id}"},
        "href": f"{api}/users/{user_id}",
        "id": user_id,
        "type": "user",
        "uri": f"spotify:user:{user_id}",
    }


def private_user(api: str, scopes: frozenset[str], extended: bool) -> dict:
    """The current user; country/product/explicit_content and email depend on scopes."""
    body = {
        **user_link(api, USER_ID),
        "display_name": USER_NAME,
        "images": [
            {
                "url": image_url(api, USER_IMAGE[0] + "a1c3d2e5f4b6a7c8d9e0f1a2b3c4"),
                "height": USER_IMAGE[1],
                "width": USER_IMAGE[1],
            }
        ],
    }
    if "user-read-private" in scopes:
        body["country"] = "GB"
        body["product"] = "premium"
        body["explicit_content"] = {"filter_enabled": False, "filter_locked": False}
    if "user-read-email" in scopes:
        body["email"] = "demo.listener@example.com"
    if extended:
        body["followers"] = {"href": None, "total": 12}
    return body


def page(href: str, items: list, limit: int, offset: int, total: int, base: str) -> dict:
    """An offset paging object with absolute ``next``/``previous`` links, like Spotify's."""
    joiner = "&" if "?" in base else "?"
    next_url = None
    if offset + limit < total:
        next_url = f"{base}{joiner}offset={offset + limit}&limit={limit}"
    previous_url = None
    if offset > 0:
        previous_url = f"{base}{joiner}offset={max(0, offset - limit)}&limit={limit}"
    return {
        "href": href,
        "items": items,
        "limit": limit,
        "next": next_url,
        "offset": offset,
        "previous": previous_url,
        "total": total,
    }


def playlist_track(
    api: str, catalogue: Catalogue, track_id: str, added_ms: int, owner: str, extended: bool
) -> dict:
    track = track_object(api, catalogue, catalogue.tracks[track_id], extended)
    return {
        "added_at": iso_s(added_ms),
        "added_by": user_link(api, owner),
        "is_local": False,
        "item": track,
        "track": track,
    }


def playlist_items_page(
    api: str,
    catalogue: Catalogue,
    playlist: UserPlaylist | SeededPlaylist,
    limit: int,
    offset: int,
    extended: bool,
) -> dict:
    entries = playlist_entries(playlist)
    chosen = entries[offset : offset + limit]
    items = [
        playlist_track(api, catalogue, track_id, added, playlist.owner_id, extended)
        for track_id, added in chosen
    ]
    base = f"{api}/playlists/{playlist.id}/items"
    href = f"{base}?offset={offset}&limit={limit}"
    return page(href, items, limit, offset, len(entries), base)


def playlist_entries(playlist: UserPlaylist | SeededPlaylist) -> list[tuple[str, int]]:
    if isinstance(playlist, UserPlaylist):
        return list(playlist.items)
    return [(track_id, 1_704_067_200_000) for track_id in playlist.track_ids]


def playlist_object(
    api: str, catalogue: Catalogue, playlist: UserPlaylist | SeededPlaylist, extended: bool
) -> dict:
    items = playlist_items_page(api, catalogue, playlist, 100, 0, extended)
    user_owned = isinstance(playlist, UserPlaylist)
    return {
        "collaborative": playlist.collaborative if user_owned else False,
        "description": playlist.description or "",
        "external_urls": {"spotify": f"{OPEN}/playlist/{playlist.id}"},
        "followers": {"href": None, "total": 0 if user_owned else 1_250_000},
        "href": f"{api}/playlists/{playlist.id}",
        "id": playlist.id,
        "images": [] if user_owned else _playlist_cover(api, playlist.id),
        "name": playlist.name,
        "owner": {**user_link(api, playlist.owner_id), "display_name": playlist.owner_name},
        "primary_color": None,
        "public": playlist.public if user_owned else True,
        "snapshot_id": playlist.snapshot_id if user_owned else "AAAAAEditorial00000000000000",
        "items": items,
        "tracks": items,
        "type": "playlist",
        "uri": f"spotify:playlist:{playlist.id}",
    }


def _playlist_cover(api: str, playlist_id: str) -> list[dict]:
    digest = hashlib.sha1(playlist_id.encode()).hexdigest()[:24]
    prefix, size = PLAYLIST_IMAGE
    return [{"url": image_url(api, prefix + digest), "height": size, "width": size}]


def context_object(api: str, kind: str, item_id: str) -> dict:
    return {
        "type": kind,
        "href": f"{api}/{kind}s/{item_id}",
        "external_urls": {"spotify": f"{OPEN}/{kind}/{item_id}"},
        "uri": f"spotify:{kind}:{item_id}",
    }

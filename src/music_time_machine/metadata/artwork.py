"""The artwork phase of enrichment: a picture for each played album and Spotify artist.

``fetch_artwork`` is called by the enrichment job (one of its phases) and works alone as well;
see its docstring for the contract. Where a picture comes from, in order:

1. **Spotify**: the album image the sync saw in a track object (``albums.image_url``) or the
   artist's picture (``artists.image_url``), downloaded only from ``SPOTIFY_IMAGE_HOSTS``
   (a stored URL is never trusted to point anywhere else: no requests to a local address);
2. **the Cover Art Archive**, albums only: the front cover of the release group found by a
   recording search for the user's most played song on the album (one MusicBrainz request,
   through the client's rate limit), taken only when the recording's first credited artist
   is the song's artist and the release group has the album's title. No agreement, no
   cover: a missing picture is better than a wrong one.

Every answer is committed as soon as it is known (a stored key, or "none found", which is
not asked again for ``db.artwork.NONE_FOUND_RETRY_DAYS``), so a stopped or failed run loses
nothing and the next one starts where this one stopped. The browser never sees a third-party
address: the pages show the store's copies (``web.images``).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..db import transaction
from ..db.artwork import (
    AlbumDue,
    albums_due,
    artists_due,
    forget_images,
    image_keys,
    save_album_art,
    save_artist_art,
)
from ..hosts import is_loopback_host
from ..normalise import name_key
from .coverart import CoverArtClient
from .errors import ImageRejected, MetadataError, RateLimited, Unavailable
from .image_pruning import prune_unshown_images
from .image_store import ImageStore
from .musicbrainz import MusicBrainzClient

log = logging.getLogger(__name__)

#: Where Spotify serves album art and artist pictures (``*.`` matches any subdomain).
SPOTIFY_IMAGE_HOSTS = ("i.scdn.co", "*.spotifycdn.com", "*.fbcdn.net")
#: The Cover Art Archive thumbnail asked for: the smallest at least this wide.
COVER_WIDTH = 300
#: Recording search results looked at for an agreeing artist credit.
RECORDINGS_LOOKED_AT = 10


@dataclass
class ArtworkSummary:
    """What one run did. ``stopped``: ``should_stop`` asked; ``paused_for``: MusicBrainz or
    the Archive asked to wait that many seconds; ``error``: a service failed (``cause`` is
    the error's word). In all three cases the rest is due again on the next run."""

    albums_total: int = 0
    albums_from_spotify: int = 0
    albums_from_coverart: int = 0
    albums_none: int = 0
    artists_total: int = 0
    artists_found: int = 0
    artists_none: int = 0
    rejected: int = 0  # downloads that were not a picture of a sane size
    stopped: bool = False
    paused_for: float | None = None
    error: str | None = None
    cause: str | None = None

    @property
    def done(self) -> int:
        return (
            self.albums_from_spotify
            + self.albums_from_coverart
            + self.albums_none
            + self.artists_found
            + self.artists_none
        )

    @property
    def finished(self) -> bool:
        return not self.stopped and self.paused_for is None and self.error is None


def image_hosts_for(spotify_api_url: str) -> tuple[str, ...]:
    """The hosts Spotify image URLs may be downloaded from: Spotify's CDN, plus the
    configured Spotify API's own ``host:port`` when that is a loopback address (the bundled
    fake, which serves its pictures itself). A real deployment's API is never loopback, so
    this opens no local address there; and only that one port, not the whole machine."""
    parts = urlsplit(spotify_api_url)
    host = (parts.hostname or "").lower()
    if parts.scheme in ("http", "https") and host and is_loopback_host(host):
        return (*SPOTIFY_IMAGE_HOSTS, f"{host}:{parts.port or _DEFAULT_PORTS[parts.scheme]}")
    return SPOTIFY_IMAGE_HOSTS


_DEFAULT_PORTS = {"http": 80, "https": 443}


def host_allowed(url: str, hosts: tuple[str, ...]) -> bool:
    """Whether ``url`` is an http(s) address on one of ``hosts`` (``*.`` = any subdomain;
    an entry with a ``:port`` matches that host and port only)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("https", "http") or not host:
        return False
    try:
        netloc = f"{host}:{parts.port or _DEFAULT_PORTS[parts.scheme]}"
    except ValueError:  # a port that is not a number
        return False
    return any(
        netloc == h if ":" in h else host == h or (h.startswith("*.") and host.endswith(h[1:]))
        for h in hosts
    )


def fetch_artwork(
    conn: sqlite3.Connection,
    user_id: int,
    mb: MusicBrainzClient,
    caa: CoverArtClient,
    store: ImageStore,
    progress: Callable[[int, int], None],
    should_stop: Callable[[], bool],
    *,
    image_hosts: tuple[str, ...] = SPOTIFY_IMAGE_HOSTS,
) -> ArtworkSummary:
    """Fetch, scale and store the pictures of ``user_id``'s albums and artists that are due.

    Contract for the enrichment job:

    - Work order: albums by the user's plays (most played first), then artists with a
      Spotify picture, most played first. Only items without an answer are due (see
      ``db.artwork``), so calling it again resumes; calling it when nothing is due costs one
      query and no request.
    - ``progress(done, total)`` is called before the first item and after each one (total =
      albums + artists due at the start). ``should_stop()`` is checked before each item; when
      it returns true the run ends at once with ``summary.stopped``.
    - Requests: at most one MusicBrainz search per album without a Spotify image (through
      ``mb``'s process-wide rate limiter), one Archive listing and one download per cover.
      A 503 the client could not ride out ends the run with ``summary.paused_for`` (seconds to
      wait); an unreachable or failing service ends it with ``summary.error``. Neither loses
      an answer already committed, nor records "none" for the item it was on.
    - Each answer is its own short transaction on ``conn``: the job may run beside the web
      app. It never raises for a service's failure; a programming error still raises.
    - Works without Spotify (local mode): albums then come from the Archive alone.
    - A picture whose files are missing from ``store`` (the images folder was deleted, or
      the database moved without it) is forgotten first, so its item is fetched again; the
      renditions it had left go too once nobody shows it (``prune_unshown_images``): the
      item may now get another picture.
    """
    missing = {key for key in image_keys(conn, user_id) if not store.has(key)}
    if missing:  # the images folder was emptied or not restored: fetch those again
        with transaction(conn):
            forget_images(conn, user_id, missing)
        prune_unshown_images(conn, store)
    albums = albums_due(conn, user_id)
    artists = artists_due(conn, user_id)
    summary = ArtworkSummary(albums_total=len(albums), artists_total=len(artists))
    total = len(albums) + len(artists)
    spotify_reachable = True
    progress(0, total)
    try:
        for album in albums:
            if should_stop():
                summary.stopped = True
                return summary
            key = source = None
            if album.image_url and spotify_reachable and host_allowed(album.image_url, image_hosts):
                try:
                    key, source = _download(caa, store, album.image_url, summary), "spotify"
                except Unavailable:
                    log.info("Spotify's image host is unreachable; covers from the Archive")
                    spotify_reachable = False
            if key is None:
                cover_url = _cover_url(mb, caa, album)
                if cover_url is not None:
                    key, source = (_download(caa, store, cover_url, summary), "coverartarchive")
            with transaction(conn):
                save_album_art(conn, user_id, album.album_id, key, key and source)
            if key is None:
                summary.albums_none += 1
            elif source == "spotify":
                summary.albums_from_spotify += 1
            else:
                summary.albums_from_coverart += 1
            progress(summary.done, total)
        for artist in artists:
            if should_stop():
                summary.stopped = True
                return summary
            key = None
            if spotify_reachable and host_allowed(artist.image_url, image_hosts):
                try:
                    key = _download(caa, store, artist.image_url, summary)
                except Unavailable:
                    spotify_reachable = False
                    continue  # not an answer: asked again next run
            with transaction(conn):
                save_artist_art(conn, user_id, artist.artist_id, key, key and "spotify")
            if key is None:
                summary.artists_none += 1
            else:
                summary.artists_found += 1
            progress(summary.done, total)
    except RateLimited as error:
        summary.paused_for, summary.error, summary.cause = (
            error.retry_after,
            str(error),
            error.cause,
        )
    except MetadataError as error:
        summary.error, summary.cause = str(error), error.cause
    return summary


def _download(
    caa: CoverArtClient, store: ImageStore, url: str, summary: ArtworkSummary
) -> str | None:
    """The stored key of the picture at ``url``; None when it is gone or was refused."""
    try:
        image = caa.download(url)
        return store.put(image.data) if image is not None else None
    except ImageRejected as error:
        log.info("refused a picture from %s: %s", urlsplit(url).hostname, error)
        summary.rejected += 1
        return None


def _cover_url(mb: MusicBrainzClient, caa: CoverArtClient, album: AlbumDue) -> str | None:
    """The Archive's front cover of the album's release group, found through the user's
    most played song on it, or None when nothing agrees (see the module docstring)."""
    if not album.track_title or not album.artist_name:
        return None
    group = release_group_for(mb, album.track_title, album.artist_name, album.name)
    if group is None:
        return None
    cover = caa.front_image(group)
    return cover.url_for(COVER_WIDTH) if cover is not None else None


def release_group_for(mb: MusicBrainzClient, title: str, artist: str, album: str) -> str | None:
    """The MBID of the release group called ``album`` holding a recording of ``title`` whose
    first credited artist is ``artist`` (as a person would compare names); else None."""
    page = mb.search_recordings(title, artist, limit=RECORDINGS_LOOKED_AT)
    want_artist, want_album = artist_words(artist), name_key(album)
    for recording in page.items:
        if not recording.credit:
            continue
        first = recording.credit[0]
        if want_artist not in (artist_words(first.artist.name), artist_words(first.credited_as)):
            continue
        for release in recording.releases:
            group_title = release.release_group_title or release.title
            if release.release_group_mbid and name_key(group_title) == want_album:
                return release.release_group_mbid
    return None


def artist_words(name: str) -> tuple[str, ...]:
    """An artist's name compared as a person would: case, accents and punctuation folded,
    a leading "The" and the difference between "&" and "and" ignored."""
    words = name_key(name).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return tuple(w for w in words if w != "and")

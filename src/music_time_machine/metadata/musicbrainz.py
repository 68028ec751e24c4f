"""MusicBrainz's web service (WS/2, JSON) for enrichment: typed results, shared rate limit.

``MusicBrainzClient(base_url, user_agent, rate_per_s, timeout, data_dir)`` takes the service
root (``https://musicbrainz.org``, a mirror, or the fake) and adds ``/ws/2/...`` itself. Every
request goes through the limiter for that root (``ratelimit.shared_limiter``: shared by the
process's threads, and with ``data_dir`` by every process using that folder) and the retry
policy of ``service.ServiceSession``. Results are dataclasses holding what the
enrichment needs; raw JSON stays inside this module.

What each method costs, in requests: ``lookup_urls`` one per 100 URLs (use it for every
artist with a Spotify id at once), ``artist`` one, ``search_artists`` one (its candidates
already carry tags), ``search_recordings`` one, ``all_genres`` one per 100 genres.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from .errors import BadResponse
from .ratelimit import shared_limiter
from .service import ServiceSession

T = TypeVar("T")
A = TypeVar("A", bound="ArtistRef")

#: The most ``resource`` values MusicBrainz accepts in one URL lookup.
MAX_URLS_PER_LOOKUP = 100
SPOTIFY_ARTIST_URL = "https://open.spotify.com/artist/{}"
_LUCENE_SPECIAL = re.compile(r'([+\-&|!(){}\[\]^"~*?:\\/])')


def spotify_artist_url(spotify_id: str) -> str:
    """The URL MusicBrainz relates to an artist's Spotify page."""
    return SPOTIFY_ARTIST_URL.format(spotify_id)


def lucene_phrase(text: str) -> str:
    """``text`` as a quoted Lucene phrase, its special characters escaped."""
    return '"' + _LUCENE_SPECIAL.sub(r"\\\1", " ".join(text.split())) + '"'


@dataclass(frozen=True)
class Count:
    """A genre or tag with its votes (MusicBrainz's ``count``)."""

    name: str
    count: int


@dataclass(frozen=True)
class ArtistRef:
    """An artist as MusicBrainz names it, the same in credits, lookups and search results
    (read from JSON by ``_artist``)."""

    mbid: str
    name: str
    sort_name: str
    disambiguation: str


@dataclass(frozen=True)
class ArtistDetails(ArtistRef):
    """An artist lookup with ``inc=genres+tags``; genres and tags most voted first."""

    type: str | None
    country: str | None
    genres: tuple[Count, ...]
    tags: tuple[Count, ...]


@dataclass(frozen=True)
class ArtistCandidate(ArtistRef):
    """One artist search result; ``score`` 0-100 is MusicBrainz's own."""

    score: int
    type: str | None
    country: str | None
    tags: tuple[Count, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class CreditedArtist:
    """One name in an artist credit: the artist, as credited, and the join after it."""

    artist: ArtistRef
    credited_as: str
    joinphrase: str


@dataclass(frozen=True)
class ReleaseRef:
    mbid: str
    title: str
    release_group_mbid: str | None
    release_group_title: str | None
    primary_type: str | None
    date: str | None


@dataclass(frozen=True)
class RecordingCandidate:
    mbid: str
    title: str
    score: int
    length_ms: int | None
    credit: tuple[CreditedArtist, ...]
    releases: tuple[ReleaseRef, ...]
    tags: tuple[Count, ...]
    first_release_date: str | None

    @property
    def artist_mbids(self) -> tuple[str, ...]:
        return tuple(c.artist.mbid for c in self.credit)


@dataclass(frozen=True)
class Genre:
    mbid: str
    name: str
    disambiguation: str


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a search or browse: ``total`` matches, these from ``offset``."""

    total: int
    offset: int
    items: tuple[T, ...]


class MusicBrainzClient:
    """Thread-safe: one instance may serve several threads (they share the limiter)."""

    def __init__(
        self,
        base_url: str,
        user_agent: str,
        rate_per_s: float = 1.0,
        timeout: float = 10.0,
        data_dir: str | Path | None = None,
        **session_options: Any,
    ) -> None:
        root = base_url.rstrip("/")
        self.api_url = root + "/ws/2"
        # With a data folder the rate holds across every process using it (ratelimit.py).
        self.limiter = shared_limiter(root, rate_per_s, data_dir)
        self.session = ServiceSession(
            "MusicBrainz", user_agent, timeout, limiter=self.limiter, **session_options
        )

    def _get(self, path: str, params: list[tuple[str, str]]) -> dict | None:
        response = self.session.get(
            f"{self.api_url}/{path}",
            [*params, ("fmt", "json")],
            headers={"Accept": "application/json"},
        )
        if response is None:
            return None
        try:
            body = response.json()
        except ValueError:
            raise BadResponse(
                f"MusicBrainz answered {path} with something other than JSON", response.status_code
            ) from None
        if not isinstance(body, dict):
            raise BadResponse(f"MusicBrainz answered {path} with unexpected JSON")
        return body

    # -- lookups ----------------------------------------------------------------------------
    def lookup_urls(self, urls: Iterable[str]) -> dict[str, tuple[ArtistRef, ...]]:
        """The artists related to each known URL (``inc=artist-rels``); unknown URLs are
        absent. Asks for up to 100 URLs per request."""
        wanted = list(dict.fromkeys(urls))
        found: dict[str, tuple[ArtistRef, ...]] = {}
        for start in range(0, len(wanted), MAX_URLS_PER_LOOKUP):
            batch = wanted[start : start + MAX_URLS_PER_LOOKUP]
            body = self._get("url", [*(("resource", u) for u in batch), ("inc", "artist-rels")])
            if body is None:  # a single unknown URL is a 404
                continue
            for entry in body.get("urls", [body]) if len(batch) > 1 else [body]:
                resource = entry.get("resource")
                if isinstance(resource, str):
                    found[resource] = tuple(
                        _artist(rel["artist"], ArtistRef)
                        for rel in entry.get("relations", [])
                        if rel.get("target-type") == "artist"
                        and isinstance(rel.get("artist"), dict)
                    )
        return found

    def lookup_spotify_artists(
        self, spotify_ids: Iterable[str]
    ) -> dict[str, tuple[ArtistRef, ...]]:
        """``lookup_urls`` for Spotify artist ids: spotify id -> related MusicBrainz artists."""
        by_url = {spotify_artist_url(i): i for i in spotify_ids}
        return {
            by_url[url]: artists
            for url, artists in self.lookup_urls(by_url).items()
            if url in by_url
        }

    def artist(self, mbid: str) -> ArtistDetails | None:
        """One artist with its genres and tags (None when MusicBrainz does not know it)."""
        body = self._get(f"artist/{mbid}", [("inc", "genres+tags")])
        if body is None:
            return None
        return _artist(
            body,
            ArtistDetails,
            type=body.get("type"),
            country=body.get("country"),
            genres=_counts(body.get("genres")),
            tags=_counts(body.get("tags")),
        )

    # -- searches ---------------------------------------------------------------------------
    def search_artists(self, name: str, limit: int = 10, offset: int = 0) -> Page[ArtistCandidate]:
        """Artists by name, best first (``artist:"<name>"``)."""
        body = self._search("artist", f"artist:{lucene_phrase(name)}", limit, offset)
        return Page(
            _int(body.get("count")),
            _int(body.get("offset")),
            tuple(
                _artist(
                    a,
                    ArtistCandidate,
                    score=_int(a.get("score")),
                    type=a.get("type"),
                    country=a.get("country"),
                    tags=_counts(a.get("tags")),
                    aliases=tuple(x.get("name", "") for x in a.get("aliases") or []),
                )
                for a in _entries(body, "artists")
            ),
        )

    def search_recordings(
        self, title: str, artist_name: str, limit: int = 10, offset: int = 0
    ) -> Page[RecordingCandidate]:
        """Recordings by title and artist (``recording:"<title>" AND artist:"<name>"``)."""
        query = f"recording:{lucene_phrase(title)} AND artist:{lucene_phrase(artist_name)}"
        body = self._search("recording", query, limit, offset)
        try:
            found = tuple(_recording(r) for r in _entries(body, "recordings"))
        except (KeyError, TypeError, AttributeError):
            raise BadResponse(
                "MusicBrainz sent a recording without the documented fields"
            ) from None
        return Page(_int(body.get("count")), _int(body.get("offset")), found)

    def _search(self, entity: str, query: str, limit: int, offset: int) -> dict:
        if not 1 <= limit <= 100:
            raise ValueError("limit must be from 1 to 100")
        body = self._get(entity, [("query", query), ("limit", str(limit)), ("offset", str(offset))])
        if body is None:
            raise BadResponse(f"MusicBrainz answered 404 to a {entity} search", 404)
        return body

    # -- genres -----------------------------------------------------------------------------
    def genres(self, limit: int = 100, offset: int = 0) -> Page[Genre]:
        """One page of MusicBrainz's genre list (``genre/all``), by name."""
        body = self._get("genre/all", [("limit", str(limit)), ("offset", str(offset))])
        if body is None:
            raise BadResponse("MusicBrainz answered 404 to genre/all", 404)
        return Page(
            _int(body.get("genre-count")),
            _int(body.get("genre-offset")),
            tuple(
                Genre(g["id"], g["name"], g.get("disambiguation", ""))
                for g in _entries(body, "genres")
            ),
        )

    def all_genres(self) -> list[Genre]:
        """Every genre, a page of 100 per request."""
        found: list[Genre] = []
        while True:
            page = self.genres(100, len(found))
            found.extend(page.items)
            if not page.items or len(found) >= page.total:
                return found


# -- JSON to dataclasses ----------------------------------------------------------------------


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _entries(body: dict, key: str) -> list[dict]:
    items = body.get(key, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) and "id" in i for i in items):
        raise BadResponse(f"MusicBrainz's {key} are not a list of objects with ids")
    return items


def _counts(items: Sequence[dict] | None) -> tuple[Count, ...]:
    counts = [
        Count(str(i["name"]), _int(i.get("count")))
        for i in items or []
        if isinstance(i, dict) and i.get("name")
    ]
    return tuple(sorted(counts, key=lambda c: (-c.count, c.name)))


def _artist(body: dict, kind: type[A], **more: Any) -> A:
    """``kind`` (``ArtistRef``, or a kind that adds the fields in ``more``) from an artist
    object: the one reading of its id and names."""
    try:
        mbid, name = body["id"], body.get("name", "")
        sort_name, disambiguation = body.get("sort-name", ""), body.get("disambiguation")
    except (KeyError, TypeError, AttributeError):
        raise BadResponse("MusicBrainz sent an artist without an id") from None
    return kind(mbid, name, sort_name, disambiguation or "", **more)


def _recording(body: dict) -> RecordingCandidate:
    credit = tuple(
        CreditedArtist(_artist(c["artist"], ArtistRef), c.get("name", ""), c.get("joinphrase", ""))
        for c in body.get("artist-credit") or []
        if isinstance(c, dict)
    )
    releases = []
    for release in body.get("releases") or []:
        group = release.get("release-group") or {}
        releases.append(
            ReleaseRef(
                release["id"],
                release.get("title", ""),
                group.get("id"),
                group.get("title"),
                group.get("primary-type"),
                release.get("date"),
            )
        )
    return RecordingCandidate(
        body["id"],
        body.get("title", ""),
        _int(body.get("score")),
        body.get("length"),
        credit,
        tuple(releases),
        _counts(body.get("tags")),
        body.get("first-release-date"),
    )

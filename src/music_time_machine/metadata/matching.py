"""Which MusicBrainz artist is the user's artist: exact by Spotify id, else by name.

1. **Exact**: MusicBrainz relates the artist to ``https://open.spotify.com/artist/<id>``
   (``lookup_spotify_artists``, 100 ids per request, done for the whole batch up front);
   then one artist lookup for its genres and tags. Confidence 1.
2. **By name**: one artist search. Candidates whose name or an alias is the same name *as a
   person would read it* (``same_name``: case, accents, punctuation, a leading "The", "&"
   versus "and", and a "feat. ..." tail do not matter) are kept; MusicBrainz's score of a
   longer name ("Tide of Moths Revival" for "Tide of Moths") never makes it a match.
   - one such candidate: matched with ``NAME_CONFIDENCE`` × score/100; its search result
     already carries its tags, so no further request is made (genres are the tags that are
     in MusicBrainz's genre list);
   - several (homonyms): the user's own most played titles by that artist are searched as
     recordings (``recording:"<title>" AND artist:"<name>"``), up to ``MAX_TITLES``; the one
     candidate credited on a recording with the same title wins, with ``CONFIRMED_CONFIDENCE``
     and that recording's tags kept for the track. No agreement: unmatched.
   Anything below ``THRESHOLD`` stays unmatched rather than wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..normalise import name_key
from .musicbrainz import ArtistCandidate, Count, MusicBrainzClient

THRESHOLD = 0.7
NAME_CONFIDENCE = 0.85
CONFIRMED_CONFIDENCE = 0.95
#: How many of the user's titles are tried to tell homonyms apart (one request each).
MAX_TITLES = 3
#: Search results read per artist search.
SEARCH_LIMIT = 10
#: Tags kept per artist (the long tail is noise).
MAX_TAGS = 15

_FEATURING = re.compile(r"\s*[\(\[]?\s*\b(?:feat\.?|ft\.?|featuring)\s+.*$", re.IGNORECASE)
_AND = re.compile(r"\s+(?:&|and|\+)\s+", re.IGNORECASE)


def search_name(name: str) -> str:
    """The name to search for: without a "feat. ..." tail."""
    return _FEATURING.sub("", name).strip() or name.strip()


def comparable(name: str) -> str:
    """A name reduced to what a person compares: see the module docstring."""
    text = _AND.sub(" and ", search_name(name))
    words = name_key(text).split()
    if words[:1] == ["the"] and len(words) > 1 and words[1] != "the":  # "The The" stays
        words = words[1:]
    return " ".join(w for w in words if w != "and")


def same_name(a: str, b: str) -> bool:
    return bool(comparable(a)) and comparable(a) == comparable(b)


@dataclass(frozen=True)
class Match:
    """A found artist (``mbid``) or a miss (``mbid`` None, ``confidence`` the best seen)."""

    mbid: str | None
    method: str | None  # exact | name
    confidence: float
    genres: tuple[Count, ...] = ()
    tags: tuple[Count, ...] = ()
    track_tags: tuple[tuple[int, tuple[Count, ...]], ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return self.mbid is not None and self.confidence >= THRESHOLD


def split_tags(
    tags: Sequence[Count], genre_list: set[str]
) -> tuple[tuple[Count, ...], tuple[Count, ...]]:
    """(genres, other tags) of a search result's tags: a tag in the genre list is a genre."""
    genres = tuple(t for t in tags if t.name.lower() in genre_list and t.count > 0)
    rest = tuple(t for t in tags if t.name.lower() not in genre_list and t.count > 0)
    return genres, rest[:MAX_TAGS]


def exact(client: MusicBrainzClient, mbid: str) -> Match | None:
    """The artist MusicBrainz relates to the Spotify id, with its genres and tags (one
    request); None when the related artist has gone (then try by name)."""
    details = client.artist(mbid)
    if details is None:
        return None
    return Match(
        details.mbid,
        "exact",
        1.0,
        details.genres,
        tuple(t for t in details.tags if t.name not in {g.name for g in details.genres})[:MAX_TAGS],
    )


def by_name(
    client: MusicBrainzClient, name: str, titles: Sequence[tuple[int, str]], genre_list: set[str]
) -> Match:
    """Search by name, disambiguating homonyms with ``titles`` ((track id, title), most
    played first). Never raises for "not found": returns a miss."""
    wanted = search_name(name)
    page = client.search_artists(wanted, limit=SEARCH_LIMIT)
    same = [
        c
        for c in page.items
        if same_name(c.name, name) or any(same_name(a, name) for a in c.aliases)
    ]
    if not same:
        best = max((c.score for c in page.items), default=0)
        return Match(None, None, round(0.5 * best / 100, 3))
    if len(same) == 1:
        return _accept(same[0], NAME_CONFIDENCE * same[0].score / 100, genre_list)
    by_id = {c.mbid: c for c in same}
    for track_id, title in titles[:MAX_TITLES]:
        recordings = client.search_recordings(title, wanted, limit=SEARCH_LIMIT)
        agreeing = {}
        for rec in recordings.items:
            if not same_name(rec.title, title):
                continue
            for mbid in rec.artist_mbids:
                if mbid in by_id:
                    agreeing.setdefault(mbid, rec)
        if len(agreeing) == 1:
            mbid, rec = next(iter(agreeing.items()))
            match = _accept(by_id[mbid], CONFIRMED_CONFIDENCE, genre_list)
            kept = tuple(t for t in rec.tags if t.count > 0)[:MAX_TAGS]
            return Match(
                match.mbid,
                match.method,
                match.confidence,
                match.genres,
                match.tags,
                ((track_id, kept),) if kept else (),
            )
    return Match(None, None, round(NAME_CONFIDENCE / len(same), 3))


def _accept(candidate: ArtistCandidate, confidence: float, genre_list: set[str]) -> Match:
    if confidence < THRESHOLD:
        return Match(None, None, round(confidence, 3))
    genres, tags = split_tags(candidate.tags, genre_list)
    return Match(candidate.mbid, "name", round(confidence, 3), genres, tags)

"""The enrichment run for one user: find each artist on MusicBrainz, store genres and tags.

A run is a short ordered list of phases (``PHASES``), each a function of the run:

1. ``links``: the exact matches of every pending artist with a Spotify id, 100 per request;
2. ``artists``: every pending artist, most plays first, matched (``matching.py``) and stored
   in its own transaction, so the genre chart is right for most plays within minutes and
   improves as matches land; a stopped run loses at most the artist it was on, and the next
   run asks only for artists not yet stored (``db.enrichment.pending_artists``).

(Artwork is meant to follow as a further phase appended to ``PHASES``.)

MusicBrainz's 503 with a long ``Retry-After`` (``RateLimited``) pauses the run for that long
and then asks again for the same artist: nothing is skipped. A service that does not answer
(``Unavailable``) or refuses (``MetadataError``) ends the run with its reason; what was stored
stays, and the rest waits for the next run.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..db import enrichment as store
from . import matching
from .errors import MetadataError, RateLimited
from .musicbrainz import MAX_URLS_PER_LOOKUP, MusicBrainzClient

T = TypeVar("T")
#: Granularity of a pause for ``Retry-After``: the job's Cancel is honoured this often.
PAUSE_STEP_S = 0.5


@dataclass(frozen=True)
class EnrichProgress:
    """Where the run is, for the progress bar: ``done`` of ``total`` in ``phase``."""

    phase: str
    done: int
    total: int
    note: str = ""

    #: The share of the bar each phase takes (the link lookups are few and quick).
    SHARES = {"links": 0.05, "artists": 0.95}

    @property
    def fraction(self) -> float:
        before = 0.0
        for name, share in self.SHARES.items():
            if name == self.phase:
                return min(1.0, before + share * (self.done / self.total if self.total else 1))
            before += share
        return min(1.0, before)

    def describe(self) -> str:
        if self.note:
            return self.note
        if self.phase == "links":
            return f"Looking up Spotify links on MusicBrainz ({self.done:,} of {self.total:,})"
        return f"Finding genres: {self.done:,} of {self.total:,} artists"


@dataclass
class EnrichSummary:
    """What one run did, and where the user's artists stand after it."""

    exact: int = 0
    by_name: int = 0
    not_found: int = 0
    totals: dict = field(default_factory=dict)
    error: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def looked_up(self) -> int:
        return self.exact + self.by_name + self.not_found

    def headline(self) -> str:
        done = (f"{self.looked_up:,} artist{'s' if self.looked_up != 1 else ''} looked up: "
                f"{self.exact:,} matched exactly, {self.by_name:,} by name, "
                f"{self.not_found:,} not found.")
        if self.error:
            left = self.totals.get("pending", 0)
            return f"{self.error} {done} {left:,} left for the next run."
        return done

    def to_dict(self) -> dict:
        return {"kind": "enrich", "exact": self.exact, "by_name": self.by_name,
                "not_found": self.not_found, "totals": self.totals, "error": self.error,
                "seconds": round(self.seconds, 2)}


class EnrichmentRun:
    def __init__(self, conn: sqlite3.Connection, user_id: int, client: MusicBrainzClient,
                 progress: Callable[[EnrichProgress], None],
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.conn, self.user_id, self.client = conn, user_id, client
        self._report, self.sleep = progress, sleep
        self._last = EnrichProgress("links", 0, 0)
        self.summary = EnrichSummary()
        self.pending = store.pending_artists(conn, user_id)
        self.links: dict[str, tuple[str, ...]] = {}  # spotify id -> related MBIDs
        self._genre_list: set[str] | None = None

    def progress(self, where: EnrichProgress) -> None:
        self._last = where
        self._report(where)

    # -- the phases ---------------------------------------------------------------------------
    def link_phase(self) -> None:
        ids = [a.spotify_id for a in self.pending if a.spotify_id]
        for start in range(0, len(ids), MAX_URLS_PER_LOOKUP):
            self.progress(EnrichProgress("links", start, len(ids)))
            batch = ids[start:start + MAX_URLS_PER_LOOKUP]
            found = self._patiently(lambda b=batch: self.client.lookup_spotify_artists(b))
            self.links.update({sid: tuple(a.mbid for a in refs) for sid, refs in found.items()})

    def artist_phase(self) -> None:
        total = len(self.pending)
        for done, artist in enumerate(self.pending):
            self.progress(EnrichProgress("artists", done, total))
            match = self._patiently(lambda a=artist: self._match(a))
            if match.found:
                store.save_match(self.conn, artist.id, match.mbid, match.method,
                                 match.confidence,
                                 [(g.name, g.count) for g in match.genres],
                                 [(t.name, t.count) for t in match.tags],
                                 [(tid, [(t.name, t.count) for t in tags])
                                  for tid, tags in match.track_tags])
                if match.method == "exact":
                    self.summary.exact += 1
                else:
                    self.summary.by_name += 1
            else:
                store.save_not_found(self.conn, artist.id, match.confidence)
                self.summary.not_found += 1
        self.progress(EnrichProgress("artists", total, total))

    # -- one artist ---------------------------------------------------------------------------
    def _match(self, artist: store.PendingArtist) -> matching.Match:
        related = self.links.get(artist.spotify_id or "", ())
        if len(related) == 1:
            found = matching.exact(self.client, related[0])
            if found is not None:
                return found
        titles = store.top_titles(self.conn, artist.id, matching.MAX_TITLES)
        return matching.by_name(self.client, artist.name, titles, self.genre_list())

    def genre_list(self) -> set[str]:
        """MusicBrainz's genres (stored for 90 days; fetched on first need)."""
        if self._genre_list is None:
            known = store.genre_names(self.conn)
            if known is None:
                names = [g.name for g in self._patiently(self.client.all_genres)]
                store.store_genre_names(self.conn, names)
                known = set(names)
            self._genre_list = {n.lower() for n in known}
        return self._genre_list

    def _patiently(self, call: Callable[[], T]) -> T:
        """``call()``, waiting out MusicBrainz's "too fast" as long as it asks (the job's
        Cancel still works during the wait) and asking again."""
        while True:
            try:
                return call()
            except RateLimited as limited:
                waited = 0.0
                while waited < limited.retry_after:
                    self._report(EnrichProgress(
                        self._last.phase, self._last.done, self._last.total,
                        f"MusicBrainz asked us to slow down: waiting "
                        f"{limited.retry_after - waited:.0f} s…"))
                    step = min(PAUSE_STEP_S, limited.retry_after - waited)
                    self.sleep(step)
                    waited += step


#: The phases of a run, in order. An artwork phase appends itself here.
PHASES: list[tuple[str, Callable[[EnrichmentRun], None]]] = [
    ("links", EnrichmentRun.link_phase),
    ("artists", EnrichmentRun.artist_phase),
]


def run_enrichment(conn: sqlite3.Connection, user_id: int, client: MusicBrainzClient,
                   progress: Callable[[Any], None] = lambda _p: None,
                   sleep: Callable[[float], None] = time.sleep) -> EnrichSummary:
    """Look up every pending artist of ``user_id``; see the module docstring.

    ``progress`` may raise (the job's Cancel): what was stored stays stored.
    """
    started = time.perf_counter()
    run = EnrichmentRun(conn, user_id, client, progress, sleep)
    try:
        for _name, phase in PHASES:
            phase(run)
    except MetadataError as error:
        run.summary.error = f"Stopped: {error}."
    run.summary.totals = store.counts(conn, user_id).to_dict()
    run.summary.seconds = time.perf_counter() - started
    return run.summary

"""The enrichment run for one user: find each artist on MusicBrainz, store genres and tags.

A run is a short ordered list of phases (``PHASES``), each a function of the run:

1. ``links``: the exact matches of every pending artist with a Spotify id, 100 per request;
2. ``artists``: every pending artist, most plays first, matched (``matching.py``) and stored
   in its own transaction, so the genre chart is right for most plays within minutes and
   improves as matches land; a stopped run loses at most the artist it was on, and the next
   run asks only for artists not yet stored (``db.enrichment.pending_artists``).

3. ``artwork``: album covers and artist pictures (``artwork.fetch_artwork``), when the run
   is given the tools for it (``ArtworkTools``; the job, ``mtm enrich`` and the demo always
   are, built by ``MetadataSettings.artwork_tools``). It runs after the genres: the charts
   matter more than the pictures.

Artwork's own pause (the Archive's or MusicBrainz's 503 the client could not ride out):
a wait up to ``ARTWORK_PAUSE_MAX_S`` is waited out (Cancel still works) and the phase asked
again, which resumes where it stopped; a longer one ends the run with its reason and keeps
the wish, so the next run (or server start) continues: a long pause never holds a thread.

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
from .artwork import fetch_artwork
from .coverart import CoverArtClient
from .errors import MetadataError, RateLimited
from .image_store import ImageStore
from .musicbrainz import MAX_URLS_PER_LOOKUP, MusicBrainzClient

T = TypeVar("T")
#: Granularity of a pause for ``Retry-After``: the job's Cancel is honoured this often.
PAUSE_STEP_S = 0.5
#: The longest artwork pause waited out inside a run; a longer one ends it (wish kept).
ARTWORK_PAUSE_MAX_S = 60.0


@dataclass(frozen=True)
class ArtworkTools:
    """What the artwork phase needs beside MusicBrainz: the Cover Art Archive, the image
    store, and the hosts a Spotify image URL may be downloaded from."""

    coverart: CoverArtClient
    images: ImageStore
    image_hosts: tuple[str, ...]


@dataclass(frozen=True)
class EnrichProgress:
    """Where the run is, for the progress bar: ``done`` of ``total`` in ``phase``."""

    phase: str
    done: int
    total: int
    note: str = ""

    #: The share of the bar each phase takes (the link lookups are few and quick).
    SHARES = {"links": 0.05, "artists": 0.75, "artwork": 0.20}

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
        if self.phase == "artwork":
            return f"Fetching artwork: {self.done:,} of {self.total:,} albums and artists"
        return f"Finding genres: {self.done:,} of {self.total:,} artists"


@dataclass
class EnrichSummary:
    """What one run did, and where the user's artists stand after it."""

    exact: int = 0
    by_name: int = 0
    not_found: int = 0
    covers_found: int = 0  # album covers and artist pictures stored by this run
    covers_none: int = 0  # looked for, none found
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
        done = (
            f"{self.looked_up:,} artist{'s' if self.looked_up != 1 else ''} looked up: "
            f"{self.exact:,} matched exactly, {self.by_name:,} by name, "
            f"{self.not_found:,} not found."
        )
        if self.covers_found or self.covers_none:
            done += f" Artwork: {self.covers_found:,} found, {self.covers_none:,} without one."
        if self.error:
            left = self.totals.get("pending", 0)
            return f"{self.error} {done} {left:,} left for the next run."
        return done

    def to_dict(self) -> dict:
        return {
            "kind": "enrich",
            "exact": self.exact,
            "by_name": self.by_name,
            "not_found": self.not_found,
            "covers_found": self.covers_found,
            "covers_none": self.covers_none,
            "totals": self.totals,
            "error": self.error,
            "seconds": round(self.seconds, 2),
        }


class EnrichmentRun:
    def __init__(
        self,
        conn: sqlite3.Connection,
        user_id: int,
        client: MusicBrainzClient,
        progress: Callable[[EnrichProgress], None],
        sleep: Callable[[float], None] = time.sleep,
        artwork: ArtworkTools | None = None,
    ) -> None:
        self.conn, self.user_id, self.client, self.artwork = conn, user_id, client, artwork
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
            batch = ids[start : start + MAX_URLS_PER_LOOKUP]
            found = self._patiently(lambda b=batch: self.client.lookup_spotify_artists(b))
            self.links.update({sid: tuple(a.mbid for a in refs) for sid, refs in found.items()})

    def artist_phase(self) -> None:
        total = len(self.pending)
        for done, artist in enumerate(self.pending):
            self.progress(EnrichProgress("artists", done, total))
            match = self._patiently(lambda a=artist: self._match(a))
            if match.found:
                store.save_match(
                    self.conn,
                    artist.id,
                    match.mbid,
                    match.method,
                    match.confidence,
                    [(g.name, g.count) for g in match.genres],
                    [(t.name, t.count) for t in match.tags],
                    [(tid, [(t.name, t.count) for t in tags]) for tid, tags in match.track_tags],
                )
                if match.method == "exact":
                    self.summary.exact += 1
                else:
                    self.summary.by_name += 1
            else:
                store.save_not_found(self.conn, artist.id, match.confidence)
                self.summary.not_found += 1
        self.progress(EnrichProgress("artists", total, total))

    def artwork_phase(self) -> None:
        """Pictures for the user's albums and artists (see the module docstring for pauses).
        Cancel works through ``progress``, which raises; each answer is already committed."""
        if self.artwork is None:
            return
        tools = self.artwork
        while True:
            found = fetch_artwork(
                self.conn,
                self.user_id,
                self.client,
                tools.coverart,
                tools.images,
                lambda done, total: self.progress(EnrichProgress("artwork", done, total)),
                lambda: False,
                image_hosts=tools.image_hosts,
            )
            self.summary.covers_found += (
                found.albums_from_spotify + found.albums_from_coverart + found.artists_found
            )
            self.summary.covers_none += found.albums_none + found.artists_none
            if found.paused_for is not None and found.paused_for <= ARTWORK_PAUSE_MAX_S:
                self._wait(found.paused_for, "The cover art service asked us to slow down")
                continue
            if found.error is not None:
                raise MetadataError(f"artwork: {found.error.rstrip('.')}")
            return

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
                self._wait(limited.retry_after, "MusicBrainz asked us to slow down")

    def _wait(self, seconds: float, why: str) -> None:
        """Sleep ``seconds`` in short steps, saying why on the bar; the job's Cancel (a
        raising ``progress``) is honoured at every step."""
        waited = 0.0
        while waited < seconds:
            self._report(
                EnrichProgress(
                    self._last.phase,
                    self._last.done,
                    self._last.total,
                    f"{why}: waiting {seconds - waited:.0f} s…",
                )
            )
            step = min(PAUSE_STEP_S, seconds - waited)
            self.sleep(step)
            waited += step


#: The phases of a run, in order (their shares of the bar: ``EnrichProgress.SHARES``).
PHASES: list[tuple[str, Callable[[EnrichmentRun], None]]] = [
    ("links", EnrichmentRun.link_phase),
    ("artists", EnrichmentRun.artist_phase),
    ("artwork", EnrichmentRun.artwork_phase),
]


def run_enrichment(
    conn: sqlite3.Connection,
    user_id: int,
    client: MusicBrainzClient,
    progress: Callable[[Any], None] = lambda _p: None,
    sleep: Callable[[float], None] = time.sleep,
    *,
    artwork: ArtworkTools | None = None,
) -> EnrichSummary:
    """Look up every pending artist of ``user_id``, then (given ``artwork``) fetch the
    pictures that are due; see the module docstring.

    ``progress`` may raise (the job's Cancel): what was stored stays stored.
    """
    started = time.perf_counter()
    run = EnrichmentRun(conn, user_id, client, progress, sleep, artwork)
    try:
        for _name, phase in PHASES:
            phase(run)
    except MetadataError as error:
        run.summary.error = f"Stopped: {error}."
    run.summary.totals = store.counts(conn, user_id).to_dict()
    run.summary.seconds = time.perf_counter() - started
    return run.summary

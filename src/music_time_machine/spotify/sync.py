"""The sync: bring one user's archive up to date from the Spotify Web API.

Each step commits what it fetched before the next begins, so a failure (rate limit, outage,
revoked token) keeps everything fetched so far and a later run completes the gap. A per-user
lease in the database makes sure only one sync runs for a user at a time, across threads and
processes.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from ..db import accounts, sync_state, transaction
from ..db.catalogue import (
    Catalogue,
    a_spotify_track_and_artist,
    adopt_play_uris,
    artists_missing_metadata,
    save_artist_metadata,
    save_features,
    tracks_missing_features,
)
from ..db.plays import NewPlay, insert_plays
from ..db.snapshots import save_snapshot
from ..db.users import get_settings
from ..limits import ms_played_ok, played_at_ok
from ..reconcile import Reconciler
from ..timezones import parse_iso_utc_ms
from .client import Forbidden, NeedsReconnect, RateLimited, SpotifyClient, SpotifyError
from .mapping import artist_info, track_info

log = logging.getLogger(__name__)

TIME_RANGES = ("short_term", "medium_term", "long_term")
#: Recently played: pages followed per run at most (Spotify keeps only 50 plays anyway).
MAX_PAGES = 10
#: Artists fetched one by one per run (politeness without the batch endpoint).
ARTISTS_PER_RUN = 50
#: Capabilities are re-checked after this many seconds.
CAPABILITY_TTL_S = 7 * 24 * 3600


@dataclass
class SyncResult:
    outcome: str  # running | ok | partial | rate_limited | needs_reconnect | failed | skipped
    plays_added: int = 0
    details: dict = field(default_factory=dict)
    error: str | None = None
    run_id: int | None = None
    resume_after: int | None = None
    lease_owner: str | None = None
    step: str = ""  # the step running now (a failure's report names it)


#: The steps of a run, in order, as the Settings page names them when one fails.
STEP_CAPABILITIES = "checking what Spotify allows this app"
STEP_RECENT = "fetching your recent plays"
STEP_SNAPSHOTS = "fetching your top lists"
STEP_ARTISTS = "fetching artist details"
STEP_FEATURES = "fetching audio features"


def lease_owner() -> str:
    return f"{os.getpid()}:{threading.get_ident()}"


def sync_user(
    conn: sqlite3.Connection,
    user_id: int,
    client: SpotifyClient,
    trigger: str = "manual",
    now: float | None = None,
) -> SyncResult:
    """Run one sync for ``user_id`` unless one is running or Spotify asked us to wait."""
    result = begin_sync(conn, user_id, trigger, now)
    if result.outcome != "running":
        return result
    return finish_sync(conn, user_id, lambda: client, result)


def begin_sync(
    conn: sqlite3.Connection, user_id: int, trigger: str, now: float | None = None
) -> SyncResult:
    """Take the lease and record a ``running`` run, or say why not (``skipped``).

    Split from :func:`finish_sync` so that "Sync now" can record the run before it answers
    (the page then shows "running" at once) and do the slow part on another thread.
    """
    now = int(now or time.time())
    state = sync_state.get_state(conn, user_id)
    if state and state["resume_after"] and state["resume_after"] > now:
        return SyncResult(
            "skipped",
            error="Spotify asked us to pause syncing until "
            f"{datetime.fromtimestamp(state['resume_after'], UTC):%H:%M UTC}",
            resume_after=state["resume_after"],
        )
    owner = lease_owner()
    if not sync_state.acquire_lease(conn, user_id, owner, now):
        return SyncResult("skipped", error="A sync for this account is already running.")
    run_id = sync_state.start_run(conn, user_id, trigger)
    return SyncResult("running", run_id=run_id, lease_owner=owner)


def finish_sync(
    conn: sqlite3.Connection,
    user_id: int,
    make_client: Callable[[], SpotifyClient],
    result: SyncResult,
) -> SyncResult:
    """Run the steps of a run :func:`begin_sync` started, record its outcome, free the lease.

    The outcome is ``failed`` when the recent plays could not be fetched (nothing new was
    saved) and ``partial`` when they were but a later step stopped; ``details["failure"]``
    keeps the cause, the HTTP status and the step for the Settings page to explain.
    """
    if result.run_id is None or result.lease_owner is None:
        raise ValueError("finish_sync needs a run started by begin_sync")
    result.outcome, result.step = "ok", STEP_CAPABILITIES
    try:
        _run_steps(conn, user_id, make_client(), result)
    except SpotifyError as error:
        _record_failure(result, error.cause, error.status, str(error))
        if isinstance(error, RateLimited):
            result.outcome = "rate_limited"
            result.resume_after = int(time.time()) + error.retry_after
            result.details["failure"]["retry_after"] = error.retry_after
            sync_state.pause_until(conn, user_id, result.resume_after)
        elif isinstance(error, NeedsReconnect):
            result.outcome = "needs_reconnect"
        else:
            result.outcome = "partial" if result.details.get("plays_saved") else "failed"
    except Exception as error:  # recorded for the Settings page, then re-raised
        _record_failure(result, "crash", None, f"{error.__class__.__name__}: {error}")
        result.outcome = "failed"
        raise
    finally:
        sync_state.finish_run(
            conn, result.run_id, result.outcome, result.plays_added, result.details, result.error
        )
        sync_state.release_lease(conn, user_id, result.lease_owner)
    return result


def _record_failure(result: SyncResult, cause: str, status: int | None, error: str) -> None:
    result.error = error
    result.details["failure"] = {"cause": cause, "status": status, "step": result.step}


def _run_steps(
    conn: sqlite3.Connection, user_id: int, client: SpotifyClient, result: SyncResult
) -> None:
    """The steps in order; ``result.step`` names the one running (for a failure's report)."""
    caps = _capabilities(conn, user_id, client)
    result.details["capabilities"] = caps
    result.step = STEP_RECENT
    result.plays_added = _recently_played(conn, user_id, client, result)
    result.details["plays_saved"] = True  # the recent plays are up to date from here on
    today = datetime.now(UTC).date().isoformat()
    state = sync_state.get_state(conn, user_id)
    if state is None or state["snapshot_taken_on"] != today:
        result.step = STEP_SNAPSHOTS
        result.details["snapshots"] = _snapshots(conn, user_id, client, today)
    result.step = STEP_ARTISTS
    result.details["artists_fetched"] = _artist_metadata(conn, user_id, client, caps)
    if caps.get("audio_features"):
        result.step = STEP_FEATURES
        result.details["features_fetched"] = _audio_features(conn, user_id, client)
    sync_state.mark_success(
        conn, user_id, int(time.time()), today if "snapshots" in result.details else None
    )


def _recently_played(
    conn: sqlite3.Connection, user_id: int, client: SpotifyClient, result: SyncResult
) -> int:
    """Fetch plays newer than the newest stored API play, following cursors."""
    after = sync_state.newest_play_ms(conn, user_id, "api")
    items: dict[tuple[int, str], dict] = {}
    page = client.recently_played(after_ms=after)
    for _ in range(MAX_PAGES):
        fresh = 0
        for item in page.get("items") or []:
            played_at = parse_iso_utc_ms(item["played_at"])
            if not played_at_ok(played_at):
                continue  # a broken time (the importer's rule): not a play to keep
            if after is None or played_at > after:
                fresh += items.setdefault((played_at, item["track"]["uri"]), item) is item
        # Without a cursor the first page is everything Spotify keeps (50 plays); with
        # ``after``, ``next`` walks forward to newer plays.
        if after is None or not fresh or not page.get("next"):
            break
        page = client.next_page(page)
        if not page:
            break
    result.details["recent_items"] = len(items)
    return store_recent_plays(conn, user_id, items)


def store_recent_plays(
    conn: sqlite3.Connection, user_id: int, items: dict[tuple[int, str], dict]
) -> int:
    """Store Web API play-history objects, keyed by (played_at ms, track URI); returns how
    many plays were added. Streams an import or an earlier sync stored are recognised
    (``Reconciler``) and lend them their URI."""
    if not items:
        return 0
    with transaction(conn):
        settings = get_settings(conn, user_id)
        catalogue = Catalogue(conn, user_id)
        reconciler = Reconciler(conn, user_id)
        plays = []
        adopted: list[tuple[int, int]] = []  # (stored play, URI id): see adopt_play_uris
        for (played_at, _uri), item in sorted(items.items()):
            info = track_info(item["track"])
            for artist in info.artists:  # links artists first known by name (imports)
                catalogue.artist_id(artist)
            track_id, uri_id = catalogue.track(info)
            if reconciler.is_duplicate(info.match_key, played_at, "api"):
                if uri_id is not None:
                    adopted.append((reconciler.last_match, uri_id))
                continue
            # The API reports no listening time; it lists streams of 30 s and more, and
            # most of them ran to the end, so the track length stands in for ms_played.
            length = info.duration_ms
            plays.append(
                NewPlay(
                    track_id=track_id,
                    played_at=played_at,
                    ms_played=length if ms_played_ok(length) else 0,
                    source="api",
                    uri_id=uri_id,
                )
            )
        adopt_play_uris(conn, user_id, adopted)
        return insert_plays(conn, user_id, plays, settings).added


def _snapshots(conn: sqlite3.Connection, user_id: int, client: SpotifyClient, today: str) -> int:
    saved = 0
    for time_range in TIME_RANGES:
        tracks = client.top("tracks", time_range).get("items") or []
        artists = client.top("artists", time_range).get("items") or []
        with transaction(conn):
            catalogue = Catalogue(conn, user_id)
            save_snapshot(
                conn,
                user_id,
                today,
                "track",
                time_range,
                [catalogue.track_id(track_info(t)) for t in tracks],
            )
            save_snapshot(
                conn,
                user_id,
                today,
                "artist",
                time_range,
                [catalogue.artist_id(artist_info(a)) for a in artists],
            )
        saved += len(tracks) + len(artists)
    return saved


def _capabilities(conn: sqlite3.Connection, user_id: int, client: SpotifyClient) -> dict:
    """Detect (and remember) what this app may still call; re-checked weekly."""
    age = accounts.capabilities_age_s(conn, user_id)
    known = accounts.capabilities(conn, user_id)
    if known and age is not None and age < CAPABILITY_TTL_S:
        return known
    found = {"audio_features": False, "artists_batch": False, "genres": False}
    probe = a_spotify_track_and_artist(conn, user_id)
    if probe is None:  # nothing to probe with yet: look at recent plays first
        recent = client.recently_played(limit=1).get("items") or []
        if not recent:
            return known
        track = recent[0]["track"]
        probe = (track["uri"], track["artists"][0]["id"])
    track_id = probe[0].rsplit(":", 1)[-1]
    for name, action in (
        ("audio_features", lambda: client.audio_features([track_id])),
        ("artists_batch", lambda: client.artists([probe[1]])),
    ):
        try:
            action()
            found[name] = True
        except Forbidden:
            found[name] = False
    found["genres"] = bool(client.artist(probe[1]).get("genres"))
    accounts.save_capabilities(conn, user_id, found)
    return found


def _artist_metadata(
    conn: sqlite3.Connection, user_id: int, client: SpotifyClient, caps: dict
) -> int:
    missing = artists_missing_metadata(conn, user_id, ARTISTS_PER_RUN)
    if caps.get("artists_batch"):
        return _fetch_in_batches(conn, user_id, missing, 50, client.artists, save_artist_metadata)
    fetched = 0
    for artist_id, spotify_id in missing:  # one at a time, each kept as soon as fetched
        artist = client.artist(spotify_id)
        with transaction(conn):
            save_artist_metadata(conn, user_id, artist_id, artist)
        fetched += 1
    return fetched


def _audio_features(conn: sqlite3.Connection, user_id: int, client: SpotifyClient) -> int:
    missing = tracks_missing_features(conn, user_id, 500)
    return _fetch_in_batches(conn, user_id, missing, 100, client.audio_features, save_features)


def _fetch_in_batches(
    conn: sqlite3.Connection,
    user_id: int,
    missing: list[tuple[int, str]],
    batch: int,
    fetch: Callable[[list[str]], Sequence[dict | None]],
    save: Callable[[sqlite3.Connection, int, int, dict], None],
) -> int:
    """Fetch ``missing`` (local id, Spotify id) pairs ``batch`` ids a request (the endpoint's
    limit) and ``save`` each object Spotify answers with on the user's local row; one
    transaction a batch, so what was fetched is kept when a later batch fails. Returns how
    many were saved."""
    saved = 0
    for start in range(0, len(missing), batch):
        chunk = missing[start : start + batch]
        found = fetch([spotify_id for _, spotify_id in chunk])
        with transaction(conn):
            for (local_id, _), obj in zip(chunk, found, strict=False):
                if obj:
                    save(conn, user_id, local_id, obj)
                    saved += 1
    return saved

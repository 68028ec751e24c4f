"""The whole enrichment run against the fake MusicBrainz and Cover Art Archive over real HTTP:
links -> artists -> artwork, covers stored and counted, Cancel during artwork, and the
artwork phase's pauses (a short one waited out, a long one ending the run, nothing lost)."""

from __future__ import annotations

import pytest
import requests
from musicbrainz_helpers import (
    Sleeps,
    albums_to_play,
    coverart_client,
    fault,
    mb_client,
    server_fixture,
)

from music_time_machine.db import transaction
from music_time_machine.db.artwork import artwork_counts
from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo
from music_time_machine.db.plays import NewPlay, insert_plays
from music_time_machine.jobcontrol import JobStopped
from music_time_machine.metadata.artwork import SPOTIFY_IMAGE_HOSTS
from music_time_machine.metadata.enrichment import (
    ArtworkTools,
    EnrichProgress,
    run_enrichment,
)
from music_time_machine.metadata.image_store import ImageStore
from music_time_machine.metadata.musicbrainz import MusicBrainzClient

START_MS = 1_700_000_000_000

server, fresh = server_fixture(rate=1000)


@pytest.fixture
def history(server, fresh_db):
    conn, user = fresh_db()
    albums = albums_to_play(server, exact_only=True)
    with transaction(conn):
        catalogue, plays = Catalogue(conn, user), []
        for rank, a in enumerate(albums):
            track_id = catalogue.track_id(
                TrackInfo(
                    name=a["title"],
                    artists=[ArtistInfo(a["artist"], a["spotify_id"])],
                    album=a["album"],
                )
            )
            plays += [
                NewPlay(
                    track_id=track_id,
                    played_at=START_MS + (rank * 20 + k) * 60_000,
                    ms_played=200_000,
                    source="extended",
                )
                for k in range(10 - rank)
            ]
        insert_plays(conn, user, plays)
    return conn, user, albums


def tools(server, tmp_path, **options) -> tuple[MusicBrainzClient, ArtworkTools]:
    options.setdefault("backoff_s", 0.01)
    return (
        mb_client(server, **options),
        ArtworkTools(
            coverart_client(server, **options), ImageStore(tmp_path / "images"), SPOTIFY_IMAGE_HOSTS
        ),
    )


def covers(conn, user) -> dict[str, str | None]:
    return {
        r[0]: r[1]
        for r in conn.execute(
            "SELECT al.name, aa.image_key FROM album_art aa JOIN albums al ON al.id = aa.album "
            "WHERE aa.user_id = ?",
            (user,),
        )
    }


def test_a_run_goes_links_then_artists_then_artwork_and_stores_the_covers(
    server, history, tmp_path
):
    conn, user, albums = history
    mb, artwork = tools(server, tmp_path)
    seen: list[EnrichProgress] = []

    summary = run_enrichment(conn, user, mb, seen.append, artwork=artwork)

    assert summary.ok and (summary.exact, summary.not_found) == (5, 1)
    phases = [p.phase for p in seen]
    assert phases.index("links") < phases.index("artists") < phases.index("artwork")
    assert phases[-1] == "artwork" and seen[-1].fraction == 1.0
    bar = [p.fraction for p in seen if not p.note]
    assert bar == sorted(bar)  # the bar only moves forward through the three phases
    assert min(p.fraction for p in seen if p.phase == "artwork") >= 0.8
    assert (summary.covers_found, summary.covers_none) == (4, 2)
    stored = covers(conn, user)
    assert all(stored[a["album"]] and artwork.images.has(stored[a["album"]]) for a in albums[:4])
    assert stored[albums[4]["album"]] is None and stored[albums[5]["album"]] is None
    assert "Artwork: 4 found, 2 without one." in summary.headline()
    assert summary.to_dict() | {"covers_found": 4, "covers_none": 2} == summary.to_dict()
    assert artwork_counts(conn, user) | {"found": 4, "none": 2, "to_look_up": 0} == artwork_counts(
        conn, user
    )
    # A second run asks nothing of the Archive: every album has its answer.
    requests.post(f"{server.url}/_fake/reset", timeout=5).raise_for_status()
    again = run_enrichment(conn, user, mb, artwork=artwork)
    assert again.ok and (again.covers_found, again.covers_none) == (0, 0)
    assert server.traffic()["requests"] == 0


def test_cancel_during_artwork_keeps_the_covers_found_and_the_next_run_finishes(
    server, history, tmp_path
):
    conn, user, albums = history
    mb, artwork = tools(server, tmp_path)

    def cancel_at_two(p: EnrichProgress) -> None:
        if p.phase == "artwork" and p.done == 2:
            raise JobStopped("Cancelled.")

    with pytest.raises(JobStopped):
        run_enrichment(conn, user, mb, cancel_at_two, artwork=artwork)
    assert list(covers(conn, user)) == [albums[0]["album"], albums[1]["album"]]
    assert artwork_counts(conn, user)["to_look_up"] == 4

    summary = run_enrichment(conn, user, mb, artwork=artwork)
    assert summary.ok and (summary.covers_found, summary.covers_none) == (2, 2)
    assert len(covers(conn, user)) == 6


def run_through_an_artwork_pause(server, history, tmp_path, retry_after, times, **options):
    """One run while the Archive's first ``times`` answers are 503 asking to wait
    ``retry_after`` seconds: the summary, the waits the clients and the run asked for, and
    the tools (for a run after it)."""
    conn, user, _albums = history
    waits, run_waits = Sleeps(), Sleeps()
    mb, artwork = tools(server, tmp_path, sleep=waits, **options)
    fault(server, status=503, path_prefix="/release-group", retry_after=retry_after, times=times)
    summary = run_enrichment(conn, user, mb, sleep=run_waits, artwork=artwork)
    return summary, waits, run_waits, (mb, artwork)


def test_a_short_artwork_pause_is_waited_out_and_the_phase_goes_on(server, history, tmp_path):
    summary, _waits, run_waits, _tools = run_through_an_artwork_pause(
        server, history, tmp_path, retry_after=5, times=2, max_attempts=2
    )

    assert summary.ok and (summary.covers_found, summary.covers_none) == (4, 2)
    assert sum(run_waits) == 5  # the run waited the 5 s the Archive asked for, in steps


def test_a_long_artwork_pause_ends_the_run_without_waiting_and_loses_nothing(
    server, history, tmp_path
):
    conn, user, _albums = history
    summary, waits, run_waits, (mb, artwork) = run_through_an_artwork_pause(
        server, history, tmp_path, retry_after=3600, times=1
    )

    assert not summary.ok and "3600" in summary.error and "artwork" in summary.error
    assert sum(run_waits) == 0 and sum(waits) < 60  # nobody sat out the hour
    assert summary.exact == 5  # the genres were stored before the pause
    assert covers(conn, user) == {}  # the album it was on is not recorded as "none"
    summary = run_enrichment(conn, user, mb, artwork=artwork)
    assert summary.ok and summary.covers_found == 4 and len(covers(conn, user)) == 6

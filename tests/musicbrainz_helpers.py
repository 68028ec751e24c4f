"""The bundled fake MusicBrainz (and Cover Art Archive) as the integration tests use it: one
invented world, a module-wide server reset before each test, its faults, clients and the
app's settings pointed at it, and the albums of that world the artwork tests play. One home,
so the tests agree on the world."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from music_time_machine.metadata.coverart import CoverArtClient
from music_time_machine.metadata.musicbrainz import MusicBrainzClient
from music_time_machine.metadata.settings import user_agent
from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer
from music_time_machine.sandbox.fake_musicbrainz.catalogue import mbid
from music_time_machine.sandbox.world import build_world

AGENT = user_agent("tests@example.org")
SEED, ARTISTS = 42, 300


@pytest.fixture(autouse=True)
def fresh(server: FakeMusicBrainzServer) -> None:
    """Every test starts from the fake's first state (no faults, counters at zero). A module
    with its own ``server`` fixture imports it; ``server_fixture`` hands it out with one."""
    requests.post(f"{server.url}/_fake/reset", timeout=5).raise_for_status()


def server_fixture(rate: float = 1000) -> tuple[Callable[[], Iterator[FakeMusicBrainzServer]], Any]:
    """A module-scoped ``server`` fixture (the fake answering ``rate`` requests a second, 503
    to anything faster) and the autouse ``fresh`` that resets it before each test. Assign
    both in the test module: ``server, fresh = server_fixture()``."""

    @pytest.fixture(scope="module")
    def server() -> Iterator[FakeMusicBrainzServer]:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        with FakeMusicBrainzServer(seed=SEED, artists=ARTISTS, rate=rate) as running:
            yield running

    return server, fresh


def fault(server: FakeMusicBrainzServer, **rule) -> None:
    """Adds a fault to the fake (``path_prefix``, ``status``, ``retry_after``, ``delay``,
    ``times``: see its ``/_fake/faults``); it lasts until ``clear_faults`` or the reset
    before the next test."""
    requests.post(f"{server.url}/_fake/faults", json=rule, timeout=5).raise_for_status()


def clear_faults(server: FakeMusicBrainzServer) -> None:
    """Removes every fault (and wakes any request the fake is holding)."""
    requests.delete(f"{server.url}/_fake/faults", timeout=5).raise_for_status()


def musicbrainz_config(app_config: dict, server: FakeMusicBrainzServer) -> dict:
    """``app_config`` with MusicBrainz and the Cover Art Archive both on the fake, at a rate
    that keeps a test's run short."""
    return {
        **app_config,
        "MTM_MUSICBRAINZ_URL": server.url,
        "MTM_COVERART_URL": server.url,
        "MTM_MUSICBRAINZ_RATE": 100,
    }


class Sleeps(list):
    """Records the waits asked for, without waiting (the fake is told the time passed)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def mb_client(server: FakeMusicBrainzServer, rate: float = 1000, **options) -> MusicBrainzClient:
    """A MusicBrainz client on the fake, with a short back-off unless told otherwise."""
    options.setdefault("backoff_s", 0.01)
    return MusicBrainzClient(server.url, AGENT, rate_per_s=rate, timeout=5, **options)


def coverart_client(server: FakeMusicBrainzServer, **options) -> CoverArtClient:
    """A Cover Art Archive client on the fake, with a short back-off unless told otherwise."""
    options.setdefault("backoff_s", 0.01)
    return CoverArtClient(server.url, AGENT, timeout=5, **options)


def albums_to_play(server: FakeMusicBrainzServer, *, exact_only: bool) -> list[dict]:
    """Six albums from the world, most played first: four known artists' albums with a
    cover in the Archive, one known album without a cover, one by an artist MusicBrainz does
    not know. ``exact_only`` keeps known artists to those matched exactly (not by alias)."""
    world, cat = build_world(SEED, ARTISTS), server.catalogue
    covered, bare, unknown = [], [], []
    for truth, artist in zip(cat.truth, world.artists, strict=True):
        for album_index in artist.albums:
            album = world.albums[album_index]
            track = next(
                (world.tracks[t] for t in album.tracks if world.tracks[t].featured is None), None
            )
            if track is None:
                continue
            group = cat.release_groups.get(mbid(SEED, "release-group", album_index))
            item = {
                "artist": artist.name,
                "spotify_id": artist.spotify_id,
                "title": track.title,
                "album": album.title,
                "cover": group.cover_image_id if group else None,
            }
            known = truth.mb_name == artist.name and group is not None
            if truth.fate == "missing":
                unknown.append(item)
            elif known and (truth.fate == "exact" or not exact_only):
                (covered if group.cover_image_id else bare).append(item)
            break
    chosen = covered[:4] + bare[:1] + unknown[:1]
    assert len(chosen) == 6
    return chosen

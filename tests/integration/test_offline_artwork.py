"""The demo's setup offline: the fake Spotify's pictures are its own, so a sync then an
enrichment run (MetadataSettings' tools, as the job, ``mtm enrich`` and ``mtm demo`` build
them) stores covers and never opens a connection to a host other than this machine."""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterator

import pytest
import requests
from spotify_helpers import connect_via_app, control

from music_time_machine.metadata.artwork import (
    SPOTIFY_IMAGE_HOSTS,
    host_allowed,
    image_hosts_for,
)
from music_time_machine.metadata.enrichment import run_enrichment
from music_time_machine.metadata.settings import MetadataSettings
from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer
from music_time_machine.spotify.client import SpotifyClient
from music_time_machine.spotify.sync import sync_user

pytestmark = pytest.mark.fake_spotify


@pytest.fixture(scope="module")
def metadata() -> Iterator[FakeMusicBrainzServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with FakeMusicBrainzServer(seed=42, rate=1000) as running:
        yield running


@pytest.fixture
def app_config(app_config: dict, metadata: FakeMusicBrainzServer) -> dict:
    requests.post(f"{metadata.url}/_fake/reset", timeout=5).raise_for_status()
    return {
        **app_config,
        "MTM_MUSICBRAINZ_URL": metadata.url,
        "MTM_COVERART_URL": metadata.url,
        "MTM_MUSICBRAINZ_RATE": 100,
    }


def is_loopback(host: str) -> bool:
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def test_the_demo_setup_gets_covers_from_the_fake_and_asks_no_other_host(
    app, client, conn, local_user, fake, monkeypatch
):
    asked: list[str] = []
    real = socket.getaddrinfo

    def recording(host, *args, **kwargs):
        asked.append(host if isinstance(host, str) else host.decode())
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", recording)
    assert connect_via_app(client).status_code == 302
    control(fake, "POST", "clock", now=1_760_000_000)
    spotify = SpotifyClient.from_config(conn, local_user, app.config, sleep=lambda _s: None)
    assert sync_user(conn, local_user, spotify).outcome == "ok"
    settings = MetadataSettings.from_config(app.config)

    summary = run_enrichment(
        conn, local_user, settings.musicbrainz(), artwork=settings.artwork_tools()
    )

    assert summary.ok and summary.covers_found > 0
    sources = dict(
        conn.execute(
            "SELECT source, COUNT(*) FROM album_art WHERE image_key IS NOT NULL GROUP BY source"
        )
    )
    assert sources.get("spotify", 0) > 0  # the fake Spotify's own pictures
    assert asked and all(is_loopback(h) for h in asked), sorted(set(asked))


def test_only_a_loopback_spotify_api_adds_its_own_host_and_port():
    assert image_hosts_for("http://127.0.0.1:5001/v1") == (*SPOTIFY_IMAGE_HOSTS, "127.0.0.1:5001")
    assert image_hosts_for("http://localhost/v1")[-1] == "localhost:80"
    for real in (
        "https://api.spotify.com/v1",
        "http://10.0.0.5:5001/v1",
        "http://example.org:5001/v1",
        "not a url",
    ):
        assert image_hosts_for(real) == SPOTIFY_IMAGE_HOSTS, real
    hosts = image_hosts_for("http://127.0.0.1:5001/v1")
    assert host_allowed("http://127.0.0.1:5001/_fake/images/ab67616d00001e02aa", hosts)
    for elsewhere in (
        "http://127.0.0.1:5002/x",
        "http://127.0.0.1/x",
        "http://[::1]:5001/x",
        "http://127.0.0.1:notaport/x",
        "http://localhost:5001/x",
    ):
        assert not host_allowed(elsewhere, hosts), elsewhere

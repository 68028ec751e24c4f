"""The empty Home speaks of Spotify as it is: after clearing the data a connected account
keeps collecting, so the page must not ask to connect it again."""

from __future__ import annotations

import pytest
from spotify_helpers import connect_via_app

from music_time_machine.db import accounts


def test_an_empty_home_without_spotify_asks_to_connect(client, local_user):
    page = client.get("/").get_data(as_text=True)
    assert "No listening history yet" in page
    assert ">Connect Spotify</a>" in page and "Spotify is connected" not in page


@pytest.mark.fake_spotify
def test_an_empty_home_with_spotify_connected_says_plays_are_on_their_way(client, local_user):
    assert connect_via_app(client).status_code == 302
    page = client.get("/").get_data(as_text=True)
    assert "No listening history yet" in page
    assert "Spotify is connected" in page and "after the next sync" in page
    assert ">Connect Spotify</a>" not in page
    assert 'href="/settings#sync"' in page


@pytest.mark.fake_spotify
def test_an_empty_home_with_spotify_refusing_asks_to_reconnect(client, conn, local_user):
    assert connect_via_app(client).status_code == 302
    accounts.set_status(conn, local_user, "needs_reconnect")
    page = client.get("/").get_data(as_text=True)
    assert ">Reconnect Spotify</a>" in page and "<h3>Spotify is connected" not in page

"""Creating playlists on the fake Spotify over real HTTP, in dev and extended-quota mode.

The fake's own record of each playlist (``GET /_fake/playlists``) must hold exactly the
previewed tracks in order; after an injected failure, "finish adding" completes the same
playlist instead of creating a second one.
"""

from datetime import UTC, datetime, timedelta

import pytest
from factories import add_plays
from spotify_helpers import (
    clear_faults,
    connect_via_app,
    fake_playlists,
    fault,
    plays_of,
    solo_tracks,
)
from web_client import csrf, csrf_headers

from music_time_machine.db.playlists import claim_adding, finish_attempt
from music_time_machine.spotify.fake import FakeSpotifyServer

TODAY = datetime.now(UTC).date()

pytestmark = pytest.mark.fake_spotify


@pytest.fixture(params=["dev", "extended"])
def fake(request):
    with FakeSpotifyServer(port=0, mode=request.param) as server:
        yield server


def history_from_fake(conn, user_id, fake, tracks=14):
    """Plays of real catalogue tracks 3 days ago: track i is played (tracks - i) times."""
    rows = []
    day = TODAY - timedelta(days=3)
    for i, (artist, track) in enumerate(solo_tracks(fake)[:tracks]):
        rows += plays_of(artist, track, day, minute=i, times=tracks - i)
    add_plays(conn, user_id, rows)


@pytest.fixture
def connected(client, conn, local_user, fake):
    assert connect_via_app(client).status_code == 302
    history_from_fake(conn, local_user, fake)
    return local_user


def preview(client, **fields) -> dict:
    body = {"source": "current_rotation", "size": 10, **fields}
    response = client.post(
        "/api/playlists/preview", json=body, headers=csrf_headers(client, "/playlists")
    )
    assert response.status_code == 200, response.get_json()
    return {**body, **response.get_json()}


def create(client, seen: dict, **fields):
    body = {
        "source": seen["source"],
        "size": seen["size"],
        **fields,
        "selection_key": seen["selection_key"],
        "track_ids": ",".join(map(str, seen["track_ids"])),
    }
    return client.post("/api/playlists", json=body, headers=csrf_headers(client, "/playlists"))


@pytest.mark.parametrize("source", ["current_rotation", "recent_discoveries", "party", "chill"])
def test_json_create_adds_exactly_the_previewed_tracks_in_order(client, connected, fake, source):
    seen = preview(client, source=source)
    assert len(seen["uris"]) == len(seen["tracks"]) > 0
    response = create(client, seen, name="My mix", description="From the test")
    assert response.status_code == 201, response.get_json()
    playlist = response.get_json()["playlist"]
    assert playlist["status"] == "done"
    assert (playlist["added"], playlist["total"]) == (len(seen["uris"]),) * 2
    [stored] = fake_playlists(fake)
    assert stored["uris"] == seen["uris"]
    assert (stored["name"], stored["description"], stored["public"]) == (
        "My mix",
        "From the test",
        False,
    )
    assert stored["id"] in playlist["url"]
    assert "Open in Spotify" in playlist["html"]
    assert "My mix" in response.get_json()["list_html"]


def test_html_form_creates_and_redirects_to_the_result_page(client, connected, fake):
    seen = preview(client)
    form = {
        "csrf_token": csrf(client, "/playlists"),
        "action": "create",
        "source": "current_rotation",
        "size": "10",
        "visibility": "public",
        "selection_key": seen["selection_key"],
        "track_ids": ",".join(map(str, seen["track_ids"])),
    }
    response = client.post("/playlists", data=form)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Playlist created" in page and "Open in Spotify" in page
    assert f"Current rotation — {TODAY:%B %Y}" in page
    for track_id in seen["track_ids"]:  # every track links to its page
        assert f'href="/tracks/{track_id}"' in page
    assert 'href="/artists/' in page
    [stored] = fake_playlists(fake)
    assert stored["uris"] == seen["uris"] and stored["public"] is True
    assert f"Current rotation — {TODAY:%B %Y}" in client.get("/playlists").get_data(as_text=True)


@pytest.mark.parametrize("status", [429, 503])
def test_finish_adding_completes_the_same_playlist_after_a_failure(client, connected, fake, status):
    seen = preview(client)
    fault(fake, path_prefix="/v1/playlists/", method="POST", status=status, retry_after=30, times=3)
    response = create(client, seen)
    assert response.status_code == (429 if status == 429 else 502)
    data = response.get_json()
    assert "only 0 of 10 tracks were added" in data["error"]
    assert data["playlist"]["status"] == "incomplete"
    assert "Finish adding" in data["playlist"]["html"]
    if status == 429:
        assert data["retry_after"] == 30 and response.headers["Retry-After"] == "30"
    [stored] = fake_playlists(fake)
    assert stored["uris"] == []
    clear_faults(fake)
    finished = client.post(
        data["playlist"]["finish_url"], headers=csrf_headers(client, "/playlists")
    )
    assert finished.status_code == 200, finished.get_json()
    assert finished.get_json()["playlist"]["status"] == "done"
    [stored] = fake_playlists(fake)  # still one playlist
    assert stored["uris"] == seen["uris"]


def test_finish_adding_without_javascript(client, connected, fake):
    seen = preview(client)
    fault(fake, path_prefix="/v1/playlists/", method="POST", status=429, retry_after=5)
    form = {
        "csrf_token": csrf(client, "/playlists"),
        "action": "create",
        "source": "current_rotation",
        "size": "10",
    }
    result_url = client.post("/playlists", data=form).headers["Location"]
    page = client.get(result_url).get_data(as_text=True)
    assert "Playlist not finished" in page and "Finish adding" in page
    again = client.post(f"{result_url}/finish", data={"csrf_token": form["csrf_token"]})
    assert again.status_code == 303
    assert "Playlist created" in client.get(result_url).get_data(as_text=True)
    [stored] = fake_playlists(fake)
    assert stored["uris"] == seen["uris"]


def test_finish_adding_says_what_stopped_it_on_the_page_and_in_json(client, conn, connected, fake):
    """Both ways to finish (the page without JavaScript, the JSON the script calls) share
    one path: each still says, its own way, that Spotify failed again, that another
    request is adding right now, or that the playlist is not the user's."""
    seen = preview(client)
    fault(fake, path_prefix="/v1/playlists/", method="POST", status=503, times=50)
    data = create(client, seen).get_json()
    api_url = data["playlist"]["finish_url"]
    playlist_id = int(api_url.split("/")[-2])
    page_url = f"/playlists/{playlist_id}/finish"
    headers = csrf_headers(client, "/playlists")

    failed = client.post(api_url, headers=headers)  # Spotify still answers 503
    assert failed.status_code == 502
    assert "only 0 of 10 tracks were added" in failed.get_json()["error"]
    assert failed.get_json()["playlist"]["status"] == "incomplete"
    assert client.post(page_url, data={"csrf_token": headers["X-CSRFToken"]}).status_code == 303
    assert "Playlist not finished" in client.get(f"/playlists/{playlist_id}").get_data(as_text=True)

    assert claim_adding(conn, playlist_id)  # as if another request were adding right now
    busy = client.post(api_url, headers=headers)
    assert busy.status_code == 409
    assert "being added to this playlist right now" in busy.get_json()["error"]
    assert client.post(page_url, data={"csrf_token": headers["X-CSRFToken"]}).status_code == 303
    assert "being added to this playlist right now" in client.get(
        f"/playlists/{playlist_id}"
    ).get_data(as_text=True)

    finish_attempt(conn, playlist_id, "incomplete")  # the other request gives up
    clear_faults(fake)
    fault(fake, expire_access_tokens=True, revoke_refresh_tokens=True)
    revoked = client.post(api_url, headers=headers)
    assert revoked.status_code == 401
    assert "reconnect" in revoked.get_json()["error"].lower()
    assert revoked.get_json()["playlist"]["status"] == "incomplete"
    assert client.post(page_url, data={"csrf_token": headers["X-CSRFToken"]}).status_code == 303
    shown = client.get(f"/playlists/{playlist_id}").get_data(as_text=True)
    assert "Spotify needs to be reconnected" in shown  # flashed from the same error

    gone = playlist_id + 1000
    missing = client.post(f"/api/playlists/{gone}/finish", headers=headers)
    assert missing.status_code == 404
    assert missing.get_json()["error"] == "There is no such playlist."
    page = client.post(f"/playlists/{gone}/finish", data={"csrf_token": headers["X-CSRFToken"]})
    assert page.status_code == 404 and "There is no such playlist." in page.get_data(as_text=True)
    [stored] = fake_playlists(fake)  # none of this made a second playlist or added a track
    assert stored["uris"] == []


def test_a_rate_limit_before_creating_says_when_to_retry(client, connected, fake):
    seen = preview(client)
    fault(fake, path_prefix="/v1/me/playlists", status=429, retry_after=7200)
    response = create(client, seen)
    assert response.status_code == 429
    assert response.get_json()["retry_after"] == 7200
    assert "2 hours" in response.get_json()["error"]
    assert fake_playlists(fake) == []


def test_a_revoked_authorisation_asks_to_reconnect(client, connected, fake):
    seen = preview(client)
    fault(fake, expire_access_tokens=True, revoke_refresh_tokens=True)
    response = create(client, seen)
    assert response.status_code == 401
    assert "reconnect" in response.get_json()["error"].lower()
    again = create(client, seen)  # now known before calling Spotify
    assert again.status_code == 401
    assert fake_playlists(fake) == []

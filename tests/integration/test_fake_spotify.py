"""The bundled fake Spotify, over real HTTP: OAuth, Web API, listening clock, modes, faults."""

from __future__ import annotations

import base64
import hashlib
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import spotipy
from spotipy.oauth2 import SpotifyOAuth

from music_time_machine.spotify.fake import FakeSpotifyServer, create_fake_app

REDIRECT = "http://127.0.0.1:5000/callback"
ALL_SCOPES = (
    "user-read-private user-read-email user-read-recently-played user-top-read "
    "playlist-modify-public playlist-modify-private playlist-read-private"
)
# 2026-03-10 21:00 UTC: inside the fake listener's evening session on most days.
START = datetime(2026, 3, 10, 21, 0, tzinfo=UTC).timestamp()
PLAYED_AT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


class ManualClock:
    def __init__(self) -> None:
        self.t = START

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture(scope="module")
def server(clock: ManualClock) -> Iterator[FakeSpotifyServer]:
    with FakeSpotifyServer(now=clock) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(server: FakeSpotifyServer, clock: ManualClock) -> None:
    clock.t = START
    requests.post(f"{server.url}/_fake/reset", timeout=5).raise_for_status()


def control(server: FakeSpotifyServer, path: str, body=None, method: str = "POST") -> dict:
    response = requests.request(method, f"{server.url}/_fake/{path}", json=body, timeout=5)
    assert response.status_code < 300, response.text
    return response.json()


def token(server: FakeSpotifyServer, scope: str = ALL_SCOPES) -> dict:
    return control(server, "tokens", {"scope": scope})


def api(server: FakeSpotifyServer, access_token: str, path: str, method: str = "GET", **kw):
    headers = {"Authorization": f"Bearer {access_token}"}
    url = path if path.startswith("http") else f"{server.api_url}{path}"
    return requests.request(method, url, headers=headers, timeout=5, **kw)


def authorize(server: FakeSpotifyServer, **extra: str) -> requests.Response:
    params = {
        "client_id": server.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "state": "xyz",
        "scope": ALL_SCOPES,
        **extra,
    }
    return requests.get(f"{server.accounts_url}/authorize", params=params, timeout=5)


def decide(server: FakeSpotifyServer, page: requests.Response, decision: str) -> dict:
    """Submit the consent form as a browser would; return the redirect's query."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {name: html.unescape(value) for name, value in fields.items()}
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    response = requests.post(
        f"{server.accounts_url}/{action}",
        data={**fields, "decision": decision},
        allow_redirects=False,
        timeout=5,
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def exchange(server: FakeSpotifyServer, data: dict, basic: bool = True) -> requests.Response:
    auth = (server.client_id, server.client_secret) if basic else None
    return requests.post(f"{server.accounts_url}/api/token", data=data, auth=auth, timeout=5)


def code_grant(code: str, redirect_uri: str = REDIRECT) -> dict:
    return {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}


# --- OAuth -----------------------------------------------------------------------------------


def test_consent_page_then_code_then_tokens_with_basic_auth(server):
    page = authorize(server)
    assert page.status_code == 200
    assert "Music Time Machine" in page.text and "Demo Listener" in page.text
    assert "user-read-recently-played" in page.text
    assert "<script" not in page.text and "style=" not in page.text
    answer = decide(server, page, "agree")
    assert answer["state"] == "xyz"

    response = exchange(server, code_grant(answer["code"]))
    assert response.status_code == 200
    tokens = response.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600
    assert set(tokens["scope"].split()) == set(ALL_SCOPES.split())
    assert tokens["refresh_token"]
    assert api(server, tokens["access_token"], "/me").json()["id"] == "demo-listener"


def test_code_is_single_use(server):
    code = decide(server, authorize(server), "agree")["code"]
    assert exchange(server, code_grant(code)).status_code == 200
    again = exchange(server, code_grant(code))
    assert again.status_code == 400
    assert again.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid authorization code",
    }


def test_code_expires_after_ten_minutes(server, clock):
    code = decide(server, authorize(server), "agree")["code"]
    clock.t += 601
    assert exchange(server, code_grant(code)).json()["error"] == "invalid_grant"


def test_redirect_uri_must_match(server):
    code = decide(server, authorize(server), "agree")["code"]
    response = exchange(server, code_grant(code, "http://127.0.0.1:5000/other"))
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid redirect URI",
    }


def test_wrong_secret_and_unknown_grant_type(server):
    code = decide(server, authorize(server), "agree")["code"]
    bad = requests.post(
        f"{server.accounts_url}/api/token",
        data=code_grant(code),
        auth=(server.client_id, "not-the-secret"),
        timeout=5,
    )
    assert bad.status_code in (400, 401)
    assert bad.json() == {"error": "invalid_client", "error_description": "Invalid client"}
    odd = exchange(server, {"grant_type": "password"})
    assert odd.status_code == 400 and odd.json()["error"] == "unsupported_grant_type"


def _pkce_pair() -> tuple[str, str]:
    verifier = base64.urlsafe_b64encode(b"0123456789abcdef" * 4).rstrip(b"=").decode()
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_pkce_verifier_success_and_mismatch(server):
    verifier, challenge = _pkce_pair()
    pkce = {"code_challenge": challenge, "code_challenge_method": "S256"}

    code = decide(server, authorize(server, **pkce), "agree")["code"]
    wrong = exchange(
        server,
        {**code_grant(code), "client_id": server.client_id, "code_verifier": verifier + "x"},
        basic=False,
    )
    assert wrong.status_code == 400
    assert wrong.json() == {
        "error": "invalid_grant",
        "error_description": "code_verifier was incorrect",
    }

    code = decide(server, authorize(server, **pkce), "agree")["code"]
    ok = exchange(
        server,
        {**code_grant(code), "client_id": server.client_id, "code_verifier": verifier},
        basic=False,
    )
    assert ok.status_code == 200, ok.text
    refreshed = exchange(
        server,
        {
            "grant_type": "refresh_token",
            "refresh_token": ok.json()["refresh_token"],
            "client_id": server.client_id,
        },
        basic=False,
    )
    assert refreshed.status_code == 200 and refreshed.json()["access_token"]


def test_cancel_redirects_with_access_denied(server):
    answer = decide(server, authorize(server), "cancel")
    assert answer == {"error": "access_denied", "state": "xyz"}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (
            {"redirect_uri": "http://localhost:5000/callback"},
            "INVALID_CLIENT: Insecure redirect URI",
        ),
        ({"redirect_uri": "http://example.com/callback"}, "INVALID_CLIENT: Insecure redirect URI"),
        ({"redirect_uri": ""}, "INVALID_CLIENT: Invalid redirect URI"),
        ({"client_id": "someone-else"}, "INVALID_CLIENT: Invalid client"),
        ({"scope": "user-read-everything"}, "INVALID_SCOPE: Invalid scope"),
    ],
)
def test_authorize_refuses_bad_requests_with_an_error_page(server, params, message):
    page = authorize(server, **params)
    assert page.status_code == 400
    assert message in page.text


def test_auto_approve_skips_the_consent_page_unless_show_dialog(server):
    control(server, "settings", {"auto_approve": True})
    params = {
        "client_id": server.client_id,
        "response_type": "code",
        "redirect_uri": REDIRECT,
        "scope": ALL_SCOPES,
    }
    url = f"{server.accounts_url}/authorize"
    quick = requests.get(url, params=params, allow_redirects=False, timeout=5)
    assert quick.status_code == 302
    assert quick.headers["Location"].startswith(REDIRECT + "?code=")
    shown = requests.get(url, params={**params, "show_dialog": "true"}, timeout=5)
    assert shown.status_code == 200 and "Agree" in shown.text


def test_https_and_ipv6_loopback_redirects_are_accepted(server):
    assert authorize(server, redirect_uri="https://mtm.example.org/callback").status_code == 200
    assert authorize(server, redirect_uri="http://[::1]:8080/callback").status_code == 200


def test_refresh_omits_refresh_token_unless_configured(server):
    first = token(server)
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    answer = exchange(server, refresh).json()
    assert "refresh_token" not in answer
    assert api(server, answer["access_token"], "/me").status_code == 200

    control(server, "settings", {"refresh_returns_refresh_token": True})
    rotated = exchange(server, refresh).json()
    assert rotated["refresh_token"] != first["refresh_token"]
    assert exchange(server, refresh).json()["error"] == "invalid_grant"


def test_revoked_refresh_token_is_invalid_grant(server):
    first = token(server)
    control(server, "faults", {"revoke_refresh_tokens": True})
    response = exchange(
        server, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid_grant",
        "error_description": "Invalid refresh token",
    }


def test_spotipy_oauth_client_works_against_the_fake(server):
    cache = spotipy.MemoryCacheHandler()
    auth = SpotifyOAuth(
        client_id=server.client_id,
        client_secret=server.client_secret,
        redirect_uri=REDIRECT,
        scope=ALL_SCOPES,
        cache_handler=cache,
        open_browser=False,
    )
    auth.OAUTH_AUTHORIZE_URL = f"{server.accounts_url}/authorize"
    auth.OAUTH_TOKEN_URL = f"{server.accounts_url}/api/token"
    page = requests.get(auth.get_authorize_url(state="s1"), timeout=5)
    code = decide(server, page, "agree")["code"]
    auth.get_access_token(code, as_dict=False, check_cache=False)
    info = cache.get_cached_token()
    refreshed = auth.refresh_access_token(info["refresh_token"])
    assert refreshed["refresh_token"] == info["refresh_token"]  # kept by the client
    sp = spotipy.Spotify(
        auth=refreshed["access_token"], requests_timeout=5, retries=0, status_retries=0
    )
    sp.prefix = server.api_url + "/"
    assert sp.current_user()["display_name"] == "Demo Listener"


# --- Web API: auth and errors ----------------------------------------------------------------


def test_missing_unknown_and_expired_tokens(server, clock):
    assert requests.get(f"{server.api_url}/me", timeout=5).json() == {
        "error": {"status": 401, "message": "Invalid access token"}
    }
    assert api(server, "nope", "/me").status_code == 401
    access = token(server)["access_token"]
    clock.t += 3601
    expired = api(server, access, "/me")
    assert expired.status_code == 401
    assert expired.json() == {"error": {"status": 401, "message": "The access token expired"}}


def test_scopes_are_enforced(server):
    access = token(server, "user-read-private")["access_token"]
    response = api(server, access, "/me/player/recently-played")
    assert response.status_code == 403
    assert response.json()["error"]["status"] == 403


def test_unknown_endpoint_is_a_json_404(server):
    access = token(server)["access_token"]
    response = api(server, access, "/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"]["status"] == 404


# --- recently played and the listening clock -------------------------------------------------


def recent(server, access, **params) -> dict:
    response = api(server, access, "/me/player/recently-played", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_recently_played_serves_the_last_50_plays_newest_first(server):
    access = token(server)["access_token"]
    page = recent(server, access, limit=50)
    played = [item["played_at"] for item in page["items"]]
    assert len(played) == 50
    assert played == sorted(played, reverse=True)
    assert all(PLAYED_AT.fullmatch(p) for p in played)
    assert page["next"] is None  # nothing older than the 50-play window
    assert int(page["cursors"]["before"]) < int(page["cursors"]["after"]) <= START * 1000
    track = page["items"][0]["track"]
    # The fake serves its own pictures (never Spotify's CDN: the sandbox works offline).
    cover = track["album"]["images"][0]["url"]
    assert cover.startswith(f"{server.url}/_fake/images/ab67616d0000b273")
    picture = requests.get(cover, timeout=5)
    assert picture.status_code == 200 and picture.headers["Content-Type"] == "image/jpeg"
    assert picture.content.startswith(b"\xff\xd8")  # a JPEG, 640 px as its id says
    assert track["uri"] == f"spotify:track:{track['id']}" and len(track["id"]) == 22
    assert track["artists"][0]["type"] == "artist"
    oldest = page["cursors"]["before"]
    assert recent(server, access, before=oldest)["items"] == []


def test_before_cursor_next_is_absolute_and_followable(server):
    access = token(server)["access_token"]
    first = recent(server, access, limit=20)
    assert first["next"].startswith(f"{server.api_url}/me/player/recently-played?")
    second = api(server, access, first["next"]).json()
    third = api(server, access, second["next"]).json()
    assert [len(p["items"]) for p in (first, second, third)] == [20, 20, 10]
    assert third["next"] is None
    stamps = [i["played_at"] for p in (first, second, third) for i in p["items"]]
    assert len(set(stamps)) == 50 and stamps == sorted(stamps, reverse=True)
    assert second["cursors"]["after"] < first["cursors"]["before"]


def test_after_returns_only_newer_plays(server):
    access = token(server)["access_token"]
    window = recent(server, access, limit=50)["items"]
    tenth = window[9]["played_at"]
    cursor = int(datetime.fromisoformat(tenth.replace("Z", "+00:00")).timestamp() * 1000)
    newer = recent(server, access, after=cursor, limit=50)
    assert [i["played_at"] for i in newer["items"]] == [i["played_at"] for i in window[:9]]
    chunk = recent(server, access, after=cursor, limit=4)
    assert [i["played_at"] for i in chunk["items"]] == [i["played_at"] for i in window[5:9]]
    assert "after=" in chunk["next"]


@pytest.mark.parametrize(
    "params", [{"limit": 0}, {"limit": 51}, {"limit": "x"}, {"after": 1, "before": 2}]
)
def test_recently_played_validates_parameters(server, params):
    access = token(server)["access_token"]
    response = api(server, access, "/me/player/recently-played", params=params)
    assert response.status_code == 400
    assert response.json()["error"]["status"] == 400


def test_advancing_the_clock_yields_new_plays(server, clock):
    access = token(server)["access_token"]
    newest = recent(server, access, limit=1)["cursors"]["after"]
    nothing = recent(server, access, after=newest)
    assert nothing["items"] == [] and nothing["cursors"] is None and nothing["next"] is None
    clock.t += 86_400
    access = token(server)["access_token"]
    later = recent(server, access, after=newest, limit=50)
    assert later["items"]
    assert all(i["played_at"] > recent_iso(newest) for i in later["items"])


def recent_iso(ms: str) -> str:
    moment = datetime.fromtimestamp(int(ms) / 1000, tz=UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(ms) % 1000:03d}Z"


def test_control_clock_offset_moves_time(server):
    before = control(server, "clock", method="GET")["now"]
    moved = control(server, "clock", {"advance": 7200})
    assert moved["now"] == pytest.approx(before + 7200)
    frozen = control(server, "clock", {"now": 1_700_000_000})
    assert frozen["now"] == 1_700_000_000 and frozen["frozen"]


def test_added_plays_are_served_exactly(server):
    catalogue = control(server, "catalogue", method="GET")
    ids = [t["id"] for t in catalogue["tracks"][:3]]
    control(server, "clock", {"auto_listening": False})
    base = int(START * 1000)
    control(
        server,
        "plays",
        [
            {"track_id": ids[0], "played_at": base - 600_000},
            {"uri": f"spotify:track:{ids[1]}", "played_at": base - 300_000},
            {"track_id": ids[2], "played_at": base + 300_000},  # in the future: not yet served
        ],
    )
    access = token(server)["access_token"]
    items = recent(server, access, limit=50)["items"]
    assert [i["track"]["id"] for i in items] == [ids[1], ids[0]]
    assert control(server, "plays", {"count": 5})["added"][0]["played_at_ms"] == base
    assert len(recent(server, access, limit=50)["items"]) == 7
    listed = control(server, "plays", method="GET")["plays"]
    assert listed[0]["played_at_ms"] == base


def test_configured_base_url_is_used_in_links():
    app = create_fake_app(base_url="https://fake.example/", now=lambda: START)
    client = app.test_client()
    access = client.post("/_fake/tokens", json={"scope": ALL_SCOPES}).json["access_token"]
    page = client.get(
        "/v1/me/player/recently-played?limit=5", headers={"Authorization": f"Bearer {access}"}
    ).json
    assert page["next"].startswith("https://fake.example/v1/me/player/recently-played?before=")
    assert page["items"][0]["track"]["href"].startswith("https://fake.example/v1/tracks/")


def test_same_seed_same_world_other_seed_other_world():
    one, same, other = (create_fake_app(seed=s, now=lambda: START) for s in (7, 7, 8))
    ids = [a.test_client().get("/_fake/catalogue").json["tracks"] for a in (one, same, other)]
    assert ids[0] == ids[1] and ids[0] != ids[2]
    assert 300 <= len(ids[0]) <= 2_000  # the sandbox world's full discographies of 60 artists
    plays = [a.test_client().get("/_fake/plays").json["plays"] for a in (one, same)]
    assert plays[0] == plays[1] and len(plays[0]) == 50
    artists = one.test_client().get("/_fake/catalogue").json["artists"]
    assert len(artists) == 60
    firsts = {g for a in artists for g in a["genres"][:1]}  # some artists have no genres
    assert {"ambient", "metal", "jazz", "folk", "house"} <= firsts


# --- top items -------------------------------------------------------------------------------


def test_top_tracks_paging(server):
    access = token(server)["access_token"]
    first = api(server, access, "/me/top/tracks", params={"limit": 10}).json()
    assert first["limit"] == 10 and first["offset"] == 0 and first["previous"] is None
    assert first["total"] > 20 and len(first["items"]) == 10
    second = api(server, access, first["next"]).json()
    assert second["offset"] == 10 and second["previous"].startswith(server.api_url)
    assert not {t["id"] for t in first["items"]} & {t["id"] for t in second["items"]}
    short = api(server, access, "/me/top/tracks?time_range=short_term&limit=50").json()
    long = api(server, access, "/me/top/tracks?time_range=long_term&limit=50").json()
    assert [t["id"] for t in short["items"]] != [t["id"] for t in long["items"]]
    bad = api(server, access, "/me/top/tracks?time_range=forever")
    assert bad.status_code == 400


def test_top_artists_with_spotipy(server):
    sp = spotipy.Spotify(
        auth=token(server)["access_token"], requests_timeout=5, retries=0, status_retries=0
    )
    sp.prefix = server.api_url + "/"
    top = sp.current_user_top_artists(limit=5, time_range="short_term")
    assert len(top["items"]) == 5 and all(a["type"] == "artist" for a in top["items"])
    played = sp.current_user_recently_played(limit=5)
    assert len(played["items"]) == 5


# --- development mode vs extended quota ------------------------------------------------------


def test_dev_mode_restrictions_and_extended_mode(server):
    access = token(server)["access_token"]
    track_id = control(server, "catalogue", method="GET")["tracks"][0]["id"]
    artist_id = control(server, "catalogue", method="GET")["artists"][0]["id"]
    playlist = api(server, access, "/me/playlists", "POST", json={"name": "x"}).json()["id"]
    restricted = [
        ("GET", f"/audio-features?ids={track_id}", None),
        ("GET", f"/audio-features/{track_id}", None),
        ("GET", f"/artists?ids={artist_id}", None),
        ("POST", "/users/demo-listener/playlists", {"name": "y"}),
        ("GET", f"/playlists/{playlist}/tracks", None),
        ("POST", f"/playlists/{playlist}/tracks", {"uris": [f"spotify:track:{track_id}"]}),
    ]
    for method, path, body in restricted:
        response = api(server, access, path, method, json=body)
        assert response.status_code == 403, path
        assert response.json()["error"]["status"] == 403
    artist = api(server, access, f"/artists/{artist_id}").json()
    assert "genres" not in artist and "popularity" not in artist and "followers" not in artist

    control(server, "mode", {"mode": "extended"})
    for method, path, body in restricted:
        response = api(server, access, path, method, json=body)
        assert response.status_code in (200, 201), path
    features = api(server, access, f"/audio-features/{track_id}").json()
    assert 0 <= features["energy"] <= 1 and features["tempo"] > 40
    artist = api(server, access, f"/artists/{artist_id}").json()
    assert artist["genres"] and isinstance(artist["popularity"], int)
    assert artist["followers"]["total"] >= 0


# --- playlists -------------------------------------------------------------------------------


def test_create_playlist_and_add_items_in_order(server):
    access = token(server)["access_token"]
    uris = [t["uri"] for t in control(server, "catalogue", method="GET")["tracks"][:8]]
    created = api(
        server,
        access,
        "/me/playlists",
        "POST",
        json={"name": "Forgotten gems", "public": False, "description": "d"},
    )
    assert created.status_code == 201
    playlist = created.json()
    assert (
        playlist["external_urls"]["spotify"]
        == f"https://open.spotify.com/playlist/{playlist['id']}"
    )
    assert playlist["owner"]["id"] == "demo-listener" and playlist["items"]["total"] == 0

    sp = spotipy.Spotify(auth=access, requests_timeout=5, retries=0, status_retries=0)
    sp.prefix = server.api_url + "/"
    assert sp.playlist_add_items(playlist["id"], uris[:3])["snapshot_id"]  # bare JSON array
    added = api(
        server,
        access,
        f"/playlists/{playlist['id']}/items",
        "POST",
        json={"uris": uris[3:5], "position": 0},
    )
    assert added.status_code == 201 and added.json()["snapshot_id"]
    by_query = api(
        server, access, f"/playlists/{playlist['id']}/items?uris={','.join(uris[5:7])}", "POST"
    )
    assert by_query.status_code == 201

    expected = uris[3:5] + uris[:3] + uris[5:7]
    fetched = api(server, access, f"/playlists/{playlist['id']}").json()
    assert [i["item"]["uri"] for i in fetched["items"]["items"]] == expected
    assert fetched["items"]["total"] == 7 and fetched["snapshot_id"] != playlist["snapshot_id"]
    listed = control(server, "playlists", method="GET")["playlists"]
    assert listed[0]["uris"] == expected and listed[0]["name"] == "Forgotten gems"


def test_add_items_refusals(server):
    access = token(server)["access_token"]
    catalogue = control(server, "catalogue", method="GET")
    uri = catalogue["tracks"][0]["uri"]
    playlist = api(server, access, "/me/playlists", "POST", json={"name": "p"}).json()["id"]
    cases = [
        (playlist, [uri] * 101, 400),
        (playlist, ["spotify:track:bad"], 400),
        (playlist, ["spotify:track:" + "A" * 22], 400),
        ("B" * 22, [uri], 404),
        (catalogue["playlists"][0]["id"], [uri], 403),
    ]
    for target, uris, status in cases:
        response = api(server, access, f"/playlists/{target}/items", "POST", json=uris)
        assert response.status_code == status, (target, uris[:1])
        assert response.json()["error"]["status"] == status
    assert api(server, access, "/me/playlists", "POST", json={}).status_code == 400


# --- faults ----------------------------------------------------------------------------------


def test_rate_limit_fault_fires_once_with_retry_after(server):
    access = token(server)["access_token"]
    control(
        server,
        "faults",
        {
            "path_prefix": "/v1/me/player/recently-played",
            "status": 429,
            "retry_after": 3600,
            "times": 1,
        },
    )
    limited = api(server, access, "/me/player/recently-played")
    assert limited.status_code == 429 and limited.headers["Retry-After"] == "3600"
    assert limited.json()["error"]["status"] == 429
    assert api(server, access, "/me/player/recently-played").status_code == 200


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_error_faults(server, status):
    access = token(server)["access_token"]
    control(server, "faults", {"path_prefix": "/v1/me", "status": status, "times": 2})
    for _ in range(2):
        response = api(server, access, "/me")
        assert response.status_code == status
        assert response.json()["error"]["status"] == status
    assert api(server, access, "/me").status_code == 200


def test_fault_without_times_limit_lasts_until_cleared(server):
    access = token(server)["access_token"]
    control(server, "faults", {"path_prefix": "/v1/me/top", "status": 503, "times": None})
    assert all(api(server, access, "/me/top/tracks").status_code == 503 for _ in range(3))
    assert api(server, access, "/me").status_code == 200
    control(server, "faults", method="DELETE")
    assert api(server, access, "/me/top/tracks").status_code == 200


def test_delay_fault_times_the_client_out(server):
    access = token(server)["access_token"]
    control(server, "faults", {"path_prefix": "/v1/me", "delay": 3})
    with pytest.raises(requests.Timeout):
        requests.get(
            f"{server.api_url}/me", headers={"Authorization": f"Bearer {access}"}, timeout=0.3
        )
    control(server, "faults", method="DELETE")  # wakes the stalled request
    assert api(server, access, "/me").status_code == 200


def test_expire_access_tokens_fault(server):
    access = token(server)["access_token"]
    control(server, "faults", {"expire_access_tokens": True})
    response = api(server, access, "/me")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The access token expired"
    assert api(server, token(server)["access_token"], "/me").status_code == 200


def test_token_endpoint_fault(server):
    first = token(server)
    control(server, "faults", {"path_prefix": "/api/token", "status": 503})
    refresh = {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    assert exchange(server, refresh).status_code == 503
    assert exchange(server, refresh).status_code == 200


def test_bad_fault_rule_is_refused(server):
    response = requests.post(f"{server.url}/_fake/faults", json={"status": 200}, timeout=5)
    assert response.status_code == 400

"""Every route in the URL map, checked for CSRF, sign-in and ownership.

The tests iterate ``app.url_map``, so a route added later is covered automatically: it
must either be listed in ``PUBLIC_ENDPOINTS`` (with a reason) or be protected, and if it
takes an id, ``OWNED_OBJECTS`` must know how to make one for user A.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from factories import add_plays, give_album_picture, sign_in
from flask import Flask, url_for
from web_client import csrf

from music_time_machine import create_app
from music_time_machine.db import connect, jobs
from music_time_machine.db import playlists as saved
from music_time_machine.db.users import create_user

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}

#: Reachable without a session, and why.
PUBLIC_ENDPOINTS = {
    "static": "CSS, JS and images",
    "health.healthz": "uptime probes; carries no personal data",
    "auth.login_page": "the sign-in page",
    "auth.login": "starts the Spotify sign-in",
    "auth.callback": "Spotify's redirect back (checks the single-use state)",
    "auth.logout": "ends whatever session there is",
    "password_login.unlock_form": "the MTM_PASSWORD form",
    "password_login.unlock": "checks the MTM_PASSWORD",
    "password_login.lock": "forgets the MTM_PASSWORD in this browser",
}


def _make_playlist(conn, user_id: int) -> int:
    return saved.save_playlist(
        conn,
        user_id,
        spotify_id=f"sp-{user_id}",
        name="A's playlist",
        source="forgotten",
        options={},
        url=None,
        track_uris=["spotify:track:1"],
        tracks=[],
        skipped=[],
    )


def _make_job(conn, user_id: int) -> str:
    return jobs.create_job(conn, user_id)


def _make_year(conn, user_id: int) -> int:
    """A year with plays (and a genre, below) is the user's own: another user has none."""
    add_plays(
        conn,
        user_id,
        [
            (
                "Owner Artist",
                "Owner Song",
                "2021-06-01 12:00:00",
                200_000,
                {"genres": ["sandbox polka"]},
            )
        ],
    )
    return 2021


def _make_genre(conn, user_id: int) -> str:
    _make_year(conn, user_id)
    return "sandbox polka"


def _make_song(conn, user_id: int) -> int:
    """A played song of the user's own (the names carry "Alice": Bob must not see them)."""
    add_plays(
        conn,
        user_id,
        [
            (
                "Alice's Band",
                "Alice's Song",
                "2024-01-01 12:00:00",
                90_000,
                {"album": "Alice's Album"},
            )
        ],
    )
    return conn.execute(
        "SELECT id FROM tracks WHERE user_id = ? AND name = ?", (user_id, "Alice's Song")
    ).fetchone()[0]


def _make_artist(conn, user_id: int) -> int:
    return conn.execute(
        "SELECT artist_id FROM track_artists WHERE track_id = ?", (_make_song(conn, user_id),)
    ).fetchone()[0]


def _make_album(conn, user_id: int) -> int:
    return conn.execute(
        "SELECT album_id FROM tracks WHERE id = ?", (_make_song(conn, user_id),)
    ).fetchone()[0]


def _make_picture(conn, user_id: int) -> str:
    data_dir = Path(conn.execute("PRAGMA database_list").fetchone()[2]).parent
    return give_album_picture(conn, user_id, data_dir)


#: URL argument name -> how to create such an object for a user (returns its id).
OWNED_OBJECTS: dict[str, Callable] = {
    "playlist_id": _make_playlist,
    "job_id": _make_job,
    "year": _make_year,
    "name": _make_genre,
    "track_id": _make_song,
    "artist_id": _make_artist,
    "album_id": _make_album,
    "key": _make_picture,  # a stored picture of one of the user's albums
    "size": lambda _conn, _user_id: 64,  # not an object: the picture's size
}
#: URL arguments that name no stored object, and what they are instead.
NOT_IDS = {
    "filename": "a static file",
    "what": "which full top list (artists, tracks or albums), the same for every user",
}
#: Dummy values where only the route's protection matters, not the object.
DUMMY = {"integer": 987654, "default": "no-such-thing", "path": "no/such/thing"}


def routes(app: Flask) -> Iterator[tuple[str, str, object]]:
    """(endpoint, method, rule) for every route and method (HEAD/OPTIONS left out)."""
    for rule in app.url_map.iter_rules():
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, rule


def dummy_url(app: Flask, rule, values: dict | None = None) -> str:
    args = {}
    for name in rule.arguments:
        converter = rule._converters[name]
        kind = type(converter).__name__.replace("Converter", "").lower()
        # An ``any(a, b)`` route answers only for its listed values (the full top lists).
        fallback = (
            sorted(converter.items)[0] if kind == "any" else DUMMY.get(kind, DUMMY["default"])
        )
        args[name] = (values or {}).get(name, fallback)
    with app.test_request_context():
        return url_for(rule.endpoint, **args)


@pytest.fixture
def local_app(app_config) -> Flask:
    return create_app(app_config)


def test_the_url_map_has_the_routes_these_tests_rely_on(local_app):
    endpoints = {endpoint for endpoint, _m, _r in routes(local_app)}
    assert {
        "settings.sync_now",
        "imports.upload",
        "playlists.finish",
        "imports.job_status",
        "health.healthz",
    } <= endpoints
    assert set(PUBLIC_ENDPOINTS) <= endpoints, "a public endpoint was renamed or removed"


def test_every_state_changing_route_needs_a_csrf_token(local_app):
    client = local_app.test_client()
    token = csrf(client, "/")  # a session with a real token exists
    checked = 0
    for endpoint, method, rule in routes(local_app):
        if method not in STATE_CHANGING:
            continue
        url = dummy_url(local_app, rule)
        missing = client.open(url, method=method, data={"x": "1"})
        assert missing.status_code == 400, f"{method} {url} ({endpoint}) without a token"
        wrong = client.open(
            url,
            method=method,
            data={"csrf_token": token[:-4] + "AAAA"},
            headers={"X-CSRFToken": "forged"},
        )
        assert wrong.status_code == 400, f"{method} {url} ({endpoint}) with a forged token"
        checked += 1
    assert checked >= 10


def test_every_state_changing_route_needs_a_csrf_token_without_a_session(local_app):
    for endpoint, method, rule in routes(local_app):
        if method in STATE_CHANGING:
            client = local_app.test_client()  # no cookie at all
            url = dummy_url(local_app, rule)
            assert client.open(url, method=method).status_code == 400, (endpoint, url)


def test_every_non_public_route_needs_a_session_in_multi_user_mode(multi_user_app):
    checked = 0
    for endpoint, method, rule in routes(multi_user_app):
        if endpoint in PUBLIC_ENDPOINTS:
            continue
        client = multi_user_app.test_client()
        token = csrf(client, "/signin")  # so POSTs are refused for the session alone
        url = dummy_url(multi_user_app, rule)
        response = client.open(url, method=method, headers={"X-CSRFToken": token})
        refused = response.status_code == 401 or (
            response.status_code in (301, 302, 303, 307, 308)
            and "/signin" in response.headers.get("Location", "")
        )
        assert refused, (
            f"{method} {url} ({endpoint}) answered {response.status_code} without a session"
        )
        checked += 1
    assert checked >= 20


def test_a_user_gets_404_for_another_users_objects(multi_user_app):
    conn = connect(multi_user_app.config["DATABASE"])
    try:
        alice = create_user(conn, "Alice", "UTC")
        bob = create_user(conn, "Bob", "UTC")
        owned = {name: make(conn, alice) for name, make in OWNED_OBJECTS.items()}
    finally:
        conn.close()

    def client_for(user_id: int):
        client = multi_user_app.test_client()
        sign_in(client, user_id)
        return client, csrf(client, "/")

    as_bob, bob_token = client_for(bob)
    as_alice, _ = client_for(alice)
    checked = 0
    for endpoint, method, rule in routes(multi_user_app):
        ids = [name for name in rule.arguments if name not in NOT_IDS]
        if not ids or endpoint == "static":
            continue
        unknown = [name for name in ids if name not in OWNED_OBJECTS]
        assert not unknown, f"{rule.rule} takes {unknown}: add a maker to OWNED_OBJECTS"
        url = dummy_url(multi_user_app, rule, owned)
        response = as_bob.open(url, method=method, headers={"X-CSRFToken": bob_token})
        assert response.status_code == 404, (
            f"Bob: {method} {url} ({endpoint}) answered {response.status_code}"
        )
        assert "Alice" not in response.get_data(as_text=True)
        if method == "GET":  # the control: the owner does see it
            assert as_alice.get(url).status_code == 200, f"Alice: GET {url}"
        checked += 1
    assert checked >= 5


FOREIGN_HOST = "rebind.attacker.example:5000"


def test_every_route_refuses_a_foreign_host(local_app):
    """DNS rebinding: whatever the route and method, an unknown Host gets 400 and no data."""
    checked = 0
    for endpoint, method, rule in routes(local_app):
        client = local_app.test_client()
        token = csrf(client, "/")
        url = dummy_url(local_app, rule)
        response = client.open(
            url, method=method, headers={"Host": FOREIGN_HOST, "X-CSRFToken": token}
        )
        assert response.status_code == 400, (
            f"{method} {url} ({endpoint}) answered {response.status_code} to a foreign Host"
        )
        assert "does not answer to" in response.get_data(as_text=True), (endpoint, method)
        checked += 1
    assert checked >= 30


def test_every_state_changing_route_refuses_a_foreign_origin(local_app):
    """With a valid CSRF token and the right Host, another site's Origin is still refused."""
    checked = 0
    for endpoint, method, rule in routes(local_app):
        if method not in STATE_CHANGING:
            continue
        client = local_app.test_client()
        token = csrf(client, "/")
        url = dummy_url(local_app, rule)
        for headers in (
            {"Origin": "http://evil.example"},
            {"Referer": "http://evil.example/attack.html"},
        ):
            response = client.open(
                url,
                method=method,
                data={"csrf_token": token},
                headers={"X-CSRFToken": token, **headers},
            )
            assert response.status_code == 403, (
                f"{method} {url} ({endpoint}) answered {response.status_code} to {headers}"
            )
        checked += 1
    assert checked >= 10

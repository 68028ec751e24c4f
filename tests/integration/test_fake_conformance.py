"""The fake Spotify's real response bodies validate against Spotify's published OpenAPI spec.

The spec (OpenAPI 3.0) is turned into JSON Schema 2020-12 (``nullable`` becomes a null
alternative, local ``$ref``s get an absolute base) and two known spec bugs are patched, as the
design brief records: ``AlbumBase.available_markets`` is not really required, and the
recently-played ``cursors``/``next``/``context`` can be null.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

yaml = pytest.importorskip("yaml")
jsonschema = pytest.importorskip("jsonschema")
from referencing import Registry, Resource  # noqa: E402
from referencing.jsonschema import DRAFT202012  # noqa: E402

from music_time_machine.spotify.fake import FakeSpotifyServer  # noqa: E402

SPEC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "spotify-openapi"
SPEC_FILE = SPEC_DIR / "fixed-spotify-open-api.yml"
if not SPEC_FILE.exists():
    pytest.skip(f"Spotify OpenAPI description not found at {SPEC_FILE}", allow_module_level=True)

BASE = "urn:spotify-openapi"
SCOPES = (
    "user-read-private user-read-email user-read-recently-played user-top-read "
    "playlist-modify-public playlist-modify-private playlist-read-private"
)
NOW = 1_773_176_400.0  # 2026-03-10 21:00 UTC


def _to_json_schema(node):
    """OpenAPI 3.0 schema dialect -> JSON Schema 2020-12, recursively."""
    if isinstance(node, list):
        return [_to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {}
    for key, value in node.items():
        if key in ("discriminator", "example", "nullable") or key.startswith("x-"):
            continue
        if key == "$ref" and isinstance(value, str) and value.startswith("#"):
            converted[key] = BASE + value
        elif key == "properties" and isinstance(value, dict):
            converted[key] = {name: _to_json_schema(sub) for name, sub in value.items()}
        else:
            converted[key] = _to_json_schema(value)
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


def _patch_known_spec_bugs(spec: dict) -> None:
    schemas = spec["components"]["schemas"]
    schemas["AlbumBase"]["required"].remove("available_markets")
    schemas["CursorPagingObject"]["properties"]["next"]["nullable"] = True
    schemas["CursorPagingObject"]["properties"]["cursors"]["nullable"] = True
    schemas["PlayHistoryObject"]["properties"]["context"]["nullable"] = True


@pytest.fixture(scope="module")
def spec() -> dict:
    raw = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    _patch_known_spec_bugs(raw)
    return _to_json_schema(raw)


@pytest.fixture(scope="module")
def check(spec):
    """``check(body, path, method, status)`` validates against that operation's response."""
    registry = Registry().with_resource(
        BASE, Resource.from_contents(spec, default_specification=DRAFT202012)
    )
    resolver = registry.resolver()

    def response_schema(path: str, method: str, status: int) -> dict:
        response = spec["paths"][path][method]["responses"][str(status)]
        if "$ref" in response:
            response = resolver.lookup(response["$ref"]).contents
        return response["content"]["application/json"]["schema"]

    def validate(body, path: str | None, method: str = "get", status: int = 200) -> None:
        if path is None:  # an error the spec lists no response for: Spotify's error wrapper
            schema = {
                "$ref": f"{BASE}#/components/responses/Forbidden/content/application~1json/schema"
            }
        else:
            schema = response_schema(path, method, status)
        validator = jsonschema.Draft202012Validator(
            schema, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
        )
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, "\n".join(
            f"{list(e.absolute_path)}: {e.message[:200]}" for e in errors[:5]
        )

    return validate


@pytest.fixture(scope="module")
def server() -> Iterator[FakeSpotifyServer]:
    with FakeSpotifyServer(now=lambda: NOW) as running:
        yield running


@pytest.fixture(scope="module")
def client(server):
    access = requests.post(f"{server.url}/_fake/tokens", json={"scope": SCOPES}, timeout=5)
    headers = {"Authorization": f"Bearer {access.json()['access_token']}"}

    def call(path: str, method: str = "GET", expect: int = 200, **kw):
        response = requests.request(
            method, f"{server.api_url}{path}", headers=headers, timeout=5, **kw
        )
        assert response.status_code == expect, response.text
        return response.json()

    return call


def set_mode(server, mode: str) -> None:
    requests.post(f"{server.url}/_fake/mode", json={"mode": mode}, timeout=5).raise_for_status()


def catalogue(server) -> dict:
    return requests.get(f"{server.url}/_fake/catalogue", timeout=5).json()


def test_me(client, check):
    check(client("/me"), "/me")


def test_recently_played_pages(client, check):
    page = client("/me/player/recently-played?limit=50")
    assert page["items"] and page["items"][0]["track"]["album"]["images"]
    check(page, "/me/player/recently-played")
    newest = page["cursors"]["after"]
    empty = client(f"/me/player/recently-played?after={newest}")
    assert empty["cursors"] is None and empty["next"] is None
    check(empty, "/me/player/recently-played")


@pytest.mark.parametrize("mode", ["dev", "extended"])
def test_top_items_and_artist(server, client, check, mode):
    set_mode(server, mode)
    try:
        check(client("/me/top/tracks?limit=50"), "/me/top/tracks")
        check(client("/me/top/artists?limit=50&time_range=long_term"), "/me/top/artists")
        artist_id = catalogue(server)["artists"][0]["id"]
        artist = client(f"/artists/{artist_id}")
        assert ("genres" in artist) == (mode == "extended")
        check(artist, "/artists/{id}")
    finally:
        set_mode(server, "dev")


def test_playlist_create_add_and_get(server, client, check):
    created = client("/me/playlists", "POST", 201, json={"name": "Conformance", "public": False})
    check(created, "/me/playlists", "post", 201)
    uris = [t["uri"] for t in catalogue(server)["tracks"][:5]]
    added = client(f"/playlists/{created['id']}/items", "POST", 201, json={"uris": uris})
    check(added, "/playlists/{playlist_id}/items", "post", 201)
    fetched = client(f"/playlists/{created['id']}")
    assert fetched["items"]["total"] == 5
    check(fetched, "/playlists/{playlist_id}")
    check(client(f"/playlists/{created['id']}/items"), "/playlists/{playlist_id}/items")
    check(client("/me/playlists?limit=50"), "/me/playlists")
    editorial = catalogue(server)["playlists"][0]["id"]
    check(client(f"/playlists/{editorial}"), "/playlists/{playlist_id}")


def test_extended_mode_only_endpoints(server, client, check):
    set_mode(server, "extended")
    try:
        tracks = catalogue(server)["tracks"]
        ids = ",".join(t["id"] for t in tracks[:3])
        check(client(f"/audio-features/{tracks[0]['id']}"), "/audio-features/{id}")
        check(client(f"/audio-features?ids={ids}"), "/audio-features")
        artist_ids = ",".join(a["id"] for a in catalogue(server)["artists"][:3])
        check(client(f"/artists?ids={artist_ids}"), "/artists")
    finally:
        set_mode(server, "dev")


def test_error_bodies(server, client, check):
    unauthorized = requests.get(f"{server.api_url}/me", timeout=5)
    assert unauthorized.status_code == 401
    check(unauthorized.json(), "/me", status=401)
    forbidden = client("/audio-features/" + catalogue(server)["tracks"][0]["id"], expect=403)
    check(forbidden, "/audio-features/{id}", status=403)
    bad_request = client("/me/player/recently-played?limit=99", expect=400)
    check(bad_request, None)
    not_found = client("/playlists/" + "B" * 22, expect=404)
    check(not_found, None)
    requests.post(
        f"{server.url}/_fake/faults", json={"path_prefix": "/v1/me/top", "status": 429}, timeout=5
    ).raise_for_status()
    limited = client("/me/top/tracks", expect=429)
    check(limited, "/me/top/tracks", status=429)


def test_the_check_rejects_wrong_shapes(client, check):
    """Guard against a validator that accepts anything."""
    page = client("/me/player/recently-played?limit=2")
    broken = [copy.deepcopy(page) for _ in range(5)]
    broken[0]["items"][0]["track"]["duration_ms"] = "3:45"
    del broken[1]["items"][0]["track"]["album"]["images"]
    broken[2]["items"][0]["track"]["type"] = "song"
    broken[3]["items"][0]["track"]["album"]["images"][0]["url"] = None
    broken[4]["items"][0]["played_at"] = "yesterday"
    for body in broken:
        with pytest.raises(AssertionError):
            check(body, "/me/player/recently-played")
    with pytest.raises(AssertionError):
        check({"error": {"status": "401", "message": "x"}}, "/me", status=401)
    with pytest.raises(AssertionError):
        check({"error": {"status": 404}}, None)
    with pytest.raises(AssertionError):
        check(
            {"next": None, "href": "x", "items": [], "limit": 20, "offset": 0, "previous": None},
            "/me/top/tracks",
        )  # "total" missing

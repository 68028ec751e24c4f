"""Test helpers for the fake Spotify: the consent page, connecting a user over HTTP, its
faults, a history drawn from its catalogue, and a stored account."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from music_time_machine.crypto import token_cipher
from music_time_machine.db import accounts


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = a.get("action")
        elif tag == "input" and a.get("type") == "hidden" and a.get("name"):
            self.fields[a["name"]] = a.get("value") or ""


def consent(authorize_url: str, decision: str = "agree") -> str:
    """Answer the fake's consent page like a person would; returns the redirect target."""
    page = requests.get(authorize_url, timeout=10)
    page.raise_for_status()
    form = _FormParser()
    form.feed(page.text)
    answer = requests.post(
        urljoin(authorize_url, form.action),
        data={**form.fields, "decision": decision},
        allow_redirects=False,
        timeout=10,
    )
    assert answer.status_code in (302, 303), answer.text
    return answer.headers["Location"]


def callback_path(location: str) -> str:
    """The app-relative callback path (with query) from the fake's redirect."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


def connect_via_app(client, decision: str = "agree"):
    """Run /login → fake consent → /callback through the app's test client."""
    start = client.get("/login")
    assert start.status_code == 302, start.data
    return client.get(callback_path(consent(start.headers["Location"], decision)))


def control(fake, verb: str, path: str, **body) -> dict:
    """Call the fake's control panel (``/_fake/...``) and return its JSON."""
    response = requests.request(verb, f"{fake.url}/_fake/{path}", json=body or None, timeout=10)
    assert response.status_code < 300, response.text
    return response.json()


def fake_playlists(fake) -> list[dict]:
    """The playlists the fake Spotify holds, from its own record: what a test checks a
    creation against (name, public flag, track URIs in order)."""
    return control(fake, "GET", "playlists")["playlists"]


def save_spotify_account(
    app, conn, user_id: int, tokens: accounts.Tokens, profile: dict | None = None
) -> None:
    """Stores ``user_id``'s Spotify account as connecting does: the profile (``me`` unless
    told otherwise) and the tokens, encrypted with the app's key."""
    profile = profile or {"id": "me", "display_name": "Me"}
    accounts.save_account(conn, token_cipher(app.config), user_id, profile, tokens)


def solo_tracks(fake) -> list[tuple[dict, dict]]:
    """(artist, track) from the fake's catalogue, in its order: one track per artist, each
    by that artist alone (no "&" in the name), so that neither the per-artist cap of a
    playlist nor a second credited artist changes what a test counts."""
    catalogue = control(fake, "GET", "catalogue")
    artists = {a["id"]: a for a in catalogue["artists"]}
    found, seen = [], set()
    for track in catalogue["tracks"]:
        artist = artists[track["artist_ids"][0]]
        alone = len(track["artist_ids"]) == 1 and " & " not in artist["name"]
        if alone and artist["id"] not in seen:
            seen.add(artist["id"])
            found.append((artist, track))
    return found


def plays_of(artist: dict, track: dict, day, minute: int, times: int) -> list[tuple]:
    """``times`` full plays (``add_plays`` rows) of a catalogue track on ``day``, one an hour
    from midnight at ``minute`` past, with its URI and its artist's genres."""
    return [
        (
            artist["name"],
            track["name"],
            f"{day} {h:02d}:{minute:02d}:00",
            200_000,
            {"uri": track["uri"], "genres": artist["genres"]},
        )
        for h in range(times)
    ]


def fault(fake, **rule) -> dict:
    """Adds a fault to the fake (``path_prefix``, ``method``, ``status``, ``retry_after``,
    ``delay``, ``times``, or a token fault such as ``expire_access_tokens=True``)."""
    return control(fake, "POST", "faults", **rule)


def clear_faults(fake) -> dict:
    """Removes every fault (and wakes any request the fake is holding)."""
    return control(fake, "DELETE", "faults")


def wait_for_sync(client, deadline_s: float = 60) -> dict:
    """Poll the Settings page's status JSON (as its script does) until the run has ended.

    The deadline only stops a broken test from hanging; nothing is asserted about time.
    """
    import time

    give_up = time.monotonic() + deadline_s
    while True:
        status = client.get("/api/sync", headers={"Accept": "application/json"}).get_json()
        if not status["running"] or time.monotonic() > give_up:
            return status
        time.sleep(0.05)

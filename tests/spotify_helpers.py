"""Test helpers for the fake Spotify: the consent page, and connecting a user over HTTP."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qs, urljoin, urlsplit

import requests


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

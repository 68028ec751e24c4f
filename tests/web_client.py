"""Talking to the app through Flask's test client as its pages do: the CSRF token a page
carries, the headers its scripts send, the unlock form, a hidden form field, a page's
embedded JSON and a background job's end. One way for every web test, so that a change in
how the app hands these out is fixed in one place."""

from __future__ import annotations

import json
import re
import time
from typing import Any

#: The layout's ``<meta name="csrf-token">``, where every page carries the session's token
#: (the scripts read it there and send it as ``X-CSRFToken``).
CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def page_csrf(html: str) -> str:
    """The CSRF token in a page already fetched (for a test that also reads the page)."""
    found = CSRF_META.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def csrf(client, path: str = "/settings") -> str:
    """The CSRF token of ``client``'s session, read from the page at ``path`` (one GET)."""
    return page_csrf(client.get(path).get_data(as_text=True))


def csrf_headers(client, path: str = "/settings", json: bool = False) -> dict[str, str]:
    """The header a page's script sends its CSRF token in, read from the page at ``path``;
    with ``json``, also the ``Accept: application/json`` the fetch helper asks for."""
    headers = {"X-CSRFToken": csrf(client, path)}
    if json:
        headers["Accept"] = "application/json"
    return headers


def unlock(client, password: str):
    """Submits ``password`` on the unlock form with the token of the unlock page, as a
    person does on a password-protected app; the app's answer."""
    return client.post(
        "/unlock", data={"password": password, "csrf_token": csrf(client, "/unlock")}
    )


def form_value(html: str, name: str) -> str:
    """The value of the form field ``name`` in a page (a hidden confirmation token, say)."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"the page has no field {name!r}"
    return found.group(1)


def page_data(html: str, element_id: str) -> Any:
    """The JSON a page embeds for its script in ``<script type="application/json" id=...>``."""
    found = re.search(rf'id="{re.escape(element_id)}">(.*?)</script>', html, re.S)
    assert found, f"the page embeds no {element_id!r}"
    return json.loads(found.group(1))


def wait_until(check, timeout: float = 60.0, what: str = "the condition"):
    """Calls ``check`` every 50 ms until it returns something true, and returns that. The
    timeout only stops a broken test from hanging."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def wait_for_job(client, status_url: str, timeout: float = 60) -> dict:
    """Polls a background job's status URL until it has ended (done, failed or cancelled);
    its last status."""

    def ended() -> dict | None:
        job = client.get(status_url).get_json()
        return job if job["status"] not in ("queued", "running") else None

    return wait_until(ended, timeout, "the job to finish")

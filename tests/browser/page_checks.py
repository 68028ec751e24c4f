"""Checks every browser test makes on a page (chart canvases drawn, no horizontal scroll), and
the steps many of them take first (connecting Spotify, waiting for an import's report).

They are JavaScript snippets for ``page.evaluate``/``page.wait_for_function`` so they test
what the browser actually rendered, not what the server sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from factories import demo_with_genres

from music_time_machine.demo import generate_demo

# True when the canvas with this id has at least one non-transparent pixel: Chart.js ran
# and drew, rather than leaving an empty box (a script error, or a zero-sized container).
CANVAS_HAS_INK = """(id) => {
  const c = document.getElementById(id);
  if (!c || !c.width || !c.height) return false;
  const data = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) return true;
  return false;
}"""

# Nothing wider than the viewport: a phone user never has to pan sideways.
NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"

_CANVAS_IDS = "() => Array.from(document.querySelectorAll('canvas[id]'), c => c.id)"
_WIDE_ELEMENTS = """() => {
  const limit = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll('body *'))
    .filter(e => e.getBoundingClientRect().right > limit + 1)
    .slice(0, 8)
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
              + (e.className && typeof e.className === 'string'
                 ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
}"""


def wait_for_charts(page: Any, timeout: float = 10_000) -> list[str]:
    """Wait until every ``<canvas>`` on the page has ink; returns their ids.

    Visible or not: a chart in a closed panel is still drawn by Chart.js when it has a size.
    """
    ids: list[str] = page.evaluate(_CANVAS_IDS)
    for canvas_id in ids:
        page.wait_for_function(CANVAS_HAS_INK, arg=canvas_id, timeout=timeout)
    return ids


def assert_no_horizontal_scroll(page: Any, where: str) -> None:
    """Fail naming the elements that stick out past the right edge of the viewport."""
    if not page.evaluate(NO_HORIZONTAL_SCROLL):
        wide = page.evaluate(_WIDE_ELEMENTS)
        raise AssertionError(
            f"{where} scrolls sideways at {page.viewport_size['width']} px; too wide: {wide}"
        )


def connect_spotify(app: Any, live_server: Any, page: Any) -> None:
    """Connects the fake Spotify from Settings › Spotify (agreeing on its consent page) and
    waits to be back on Settings."""
    app.config["SPOTIFY_REDIRECT_URI"] = f"{live_server.url}/callback"
    page.goto(live_server.url + "/settings#spotify")
    page.locator("#spotify").get_by_role("link", name="Connect Spotify").click()
    page.wait_for_selector("#agree")
    page.click("#agree")
    page.wait_for_url(f"{live_server.url}/settings**")


def wait_for_import_report(page: Any) -> None:
    """On a job page without JavaScript, reloads (as its refresh does) until the report shows."""
    for _ in range(60):
        if page.locator(".import-report").count():
            break
        page.wait_for_timeout(500)
        page.reload()


def demo_server_fixture(plays: int, seed: int, genres: bool = False) -> Callable:
    """A ``demo_server`` fixture: the live server over a demo history of ``plays`` plays
    (with artist genres when ``genres``). Assign it in the test module:
    ``demo_server = demo_server_fixture(plays=2000, seed=11)``."""

    @pytest.fixture
    def demo_server(conn, local_user, live_server):
        make = demo_with_genres if genres else generate_demo
        make(conn, local_user, plays=plays, seed=seed)
        return live_server

    return demo_server

"""Every page of the demo at 375 and 1280 px, light and dark: nothing scrolls sideways, no
console errors, and a screenshot ``screens-<page>-<width>-<scheme>`` in test-artifacts/ to
look at (issue #17: "look like one designed product")."""

from __future__ import annotations

import pytest
from conftest import save_screenshot
from factories import scalar
from page_checks import assert_no_horizontal_scroll, demo_server_fixture

pytestmark = pytest.mark.browser
demo_server = demo_server_fixture(plays=3000, seed=11, genres=True)
#: A table's full width and the width of the scroll box around it.
TABLE_AND_BOX = """(selector) => {
  const table = document.querySelector(selector);
  return [table.scrollWidth, table.closest('.table-scroll').clientWidth];
}"""


def first_id(conn, table: str) -> int:
    return scalar(conn, f"SELECT id FROM {table} ORDER BY id LIMIT 1")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_page_fits_and_is_captured(page_factory, demo_server, conn, width, scheme):
    year = scalar(conn, "SELECT MAX(strftime('%Y', played_at / 1000, 'unixepoch')) FROM plays")
    genre = scalar(
        conn,
        "SELECT j.value FROM artists, json_each(artists.genres) AS j WHERE genres != '[]' LIMIT 1",
    )
    pages = {
        "home": "/",
        "analytics": "/analytics?range=all",
        "top-tracks": "/analytics/top/tracks",
        "playlists": "/playlists",
        "settings": "/settings",
        "clear": "/settings/clear",
        "years": "/years",
        "year": f"/years/{year}",
        "search": "/search?q=a",
        "artist": f"/artists/{first_id(conn, 'artists')}",
        "track": f"/tracks/{first_id(conn, 'tracks')}",
        "album": f"/albums/{first_id(conn, 'albums')}",
        "genre": f"/genres/{genre}",
    }
    page = page_factory(width=width)
    page.emulate_media(color_scheme=scheme)
    for name, path in pages.items():
        response = page.goto(demo_server.url + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert_no_horizontal_scroll(page, path)
        if name == "year":  # its month table fits the card: no column cut off behind a scroll
            wide, room = page.evaluate(TABLE_AND_BOX, "table.year-months")
            assert wide <= room, (width, wide, room)
        save_screenshot(page, f"screens-{name}-{width}-{scheme}")
    assert page.console_errors == []

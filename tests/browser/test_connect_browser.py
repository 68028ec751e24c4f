"""Connecting the (fake) Spotify account from the browser, as in `mtm demo`."""

import pytest
from conftest import save_screenshot

pytestmark = [pytest.mark.browser, pytest.mark.fake_spotify(sync_on_connect=True)]


def test_connect_spotify_agree_and_come_back_with_synced_plays(app, live_server, page_factory):
    app.config["SPOTIFY_REDIRECT_URI"] = f"{live_server.url}/callback"
    page = page_factory(width=375)
    page.goto(live_server.url + "/")
    page.get_by_role("link", name="Connect Spotify").click()
    page.get_by_role("link", name="Connect Spotify").click()  # Settings › Spotify
    page.wait_for_selector("#agree")
    assert "user-read-recently-played" in page.content()
    page.click("#agree")
    page.wait_for_url(f"{live_server.url}/settings**")
    assert page.get_by_text("Spotify connected as").is_visible()
    # The first sync runs in the background right after connecting.
    for _ in range(40):
        page.goto(live_server.url + "/")
        if page.locator(".stat-card").count():
            break
        page.wait_for_timeout(250)
    assert page.locator(".stat-card").count() == 6
    save_screenshot(page, "connected-home-375")
    page.goto(live_server.url + "/settings")
    assert page.get_by_text("Connected", exact=True).is_visible()
    assert page.console_errors == []

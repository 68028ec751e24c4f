"""Pages that stay in step, in a real Chromium: after an in-place update every part of the
page that depends on it changes too (Settings' sync facts and history after "Sync now";
the playlist preview's notice after creating; asking before creating the same playlist
twice; previewing first when "Create on Spotify" is pressed without a preview)."""

from __future__ import annotations

import pytest
from a11y import assert_accessible
from conftest import save_screenshot

pytestmark = pytest.mark.browser

LAST_SYNC = "() => document.querySelector('.js-sync-facts dd').textContent.trim()"
HISTORY = "() => document.querySelector('.js-sync-history').textContent"


def connect(app, live_server, page) -> None:
    app.config["SPOTIFY_REDIRECT_URI"] = f"{live_server.url}/callback"
    page.goto(live_server.url + "/settings#spotify")
    page.locator("#spotify").get_by_role("link", name="Connect Spotify").click()
    page.wait_for_selector("#agree")
    page.click("#agree")
    page.wait_for_url(f"{live_server.url}/settings**")


@pytest.mark.fake_spotify
@pytest.mark.parametrize("width", [375, 1280])
def test_sync_now_updates_the_last_sync_and_the_history_in_place(app, live_server,
                                                                  page_factory, width):
    page = page_factory(width=width)
    connect(app, live_server, page)
    assert page.evaluate(LAST_SYNC) == "never"
    assert "No syncs yet." in page.evaluate(HISTORY)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function(
        "() => /Sync finished/.test(document.querySelector('.sync-status').textContent)",
        timeout=30_000)
    page.wait_for_function(f"() => ({LAST_SYNC})() !== 'never'")
    history = page.evaluate(HISTORY)
    assert "Recent syncs (1)" in history and "manual" in history and "Sync finished" in history
    # Focus went to the result, which is on screen.
    assert page.evaluate("document.activeElement.classList.contains('js-sync-status')")
    assert page.evaluate("""() => { const r = document.querySelector('.js-sync-status')
        .getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }""")
    save_screenshot(page, f"settings-sync-in-step-{width}")
    assert_accessible(page, "Settings after Sync now")
    assert page.console_errors == []

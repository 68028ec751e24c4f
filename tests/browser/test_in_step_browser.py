"""Pages that stay in step, in a real Chromium: after an in-place update every part of the
page that depends on it changes too (Settings' sync facts and history after "Sync now";
the playlist preview's notice after creating; asking before creating the same playlist
twice; previewing first when "Create on Spotify" is pressed without a preview)."""

from __future__ import annotations

import pytest
from a11y import assert_accessible
from conftest import save_screenshot
from page_checks import connect_spotify
from spotify_helpers import fake_playlists
from test_playlists_browser import connected  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

LAST_SYNC = "() => document.querySelector('.js-sync-facts dd').textContent.trim()"
HISTORY = "() => document.querySelector('.js-sync-history').textContent"


@pytest.mark.fake_spotify
def test_sync_now_updates_the_last_sync_and_the_history_in_place(
    app, live_server, page_factory, width
):
    page = page_factory(width=width)
    connect_spotify(app, live_server, page)
    assert page.evaluate(LAST_SYNC) == "never"
    assert "No syncs yet." in page.evaluate(HISTORY)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function(
        "() => /Sync finished/.test(document.querySelector('.sync-status').textContent)",
        timeout=30_000,
    )
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


ERRORS_BOX = ".playlist-form > .flash-error"


@pytest.mark.fake_spotify
@pytest.mark.usefixtures("connected")
def test_create_previews_first_then_the_notice_follows_and_a_second_copy_is_asked_for(
    live_server, page_factory, fake, width
):
    page = page_factory(width=width)
    page.goto(live_server.url + "/playlists")
    page.select_option("#source", "current_rotation")
    page.fill("#size", "10")
    create = page.get_by_role("button", name="Create on Spotify")

    create.click()  # no preview yet: the preview comes first, nothing is written
    page.wait_for_selector("#playlist-preview .track-item")
    assert "Here is the playlist first" in page.text_content("#playlist-error")
    assert fake_playlists(fake) == []
    assert page.evaluate("document.activeElement.id") == "preview-title"
    notice = page.locator(".js-preview-notice")
    assert "Nothing is written to Spotify" in notice.inner_text()

    create.click()
    page.wait_for_selector("#playlist-result .result-card, #playlist-result h2")
    page.wait_for_function(
        "() => /Created on Spotify as/.test("
        "document.querySelector('.js-preview-notice').textContent)"
    )
    assert "Nothing is written" not in notice.inner_text()
    assert len(fake_playlists(fake)) == 1
    assert page.evaluate("document.activeElement.closest('#playlist-result') !== null")
    assert page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
        return r.top >= -1 && r.bottom < innerHeight; }""")  # its heading is on screen

    create.click()  # the same preview again: asked first, nothing written
    ask = page.get_by_role("button", name="Create a second copy")
    ask.wait_for()
    assert "You just created" in page.text_content("#playlist-error")
    assert len(fake_playlists(fake)) == 1
    save_screenshot(page, f"playlists-ask-again-{width}")
    assert_accessible(page, "Playlists asking before a second copy")
    first = page.get_attribute("#playlist-result h2", "id")
    ask.click()
    page.wait_for_function(
        "(first) => { const h = document.querySelector('#playlist-result h2');"
        " return h && h.id !== first; }",
        arg=first,
    )
    assert page.locator("#playlist-error").is_hidden()
    assert len(fake_playlists(fake)) == 2
    assert page.console_errors == []


def form_errors(page) -> list[str]:
    return [t.strip() for t in page.locator(f"{ERRORS_BOX} li").all_inner_texts()]


@pytest.mark.fake_spotify
@pytest.mark.usefixtures("connected")
def test_with_javascript_the_same_field_messages_as_without_and_focus_on_the_first(
    live_server, page_factory, width
):
    pages = {}
    for javascript in (False, True):
        page = page_factory(width=width, javascript=javascript)
        page.goto(live_server.url + "/playlists")
        page.select_option("#source", "current_rotation")
        page.fill("#size", "5")
        page.fill("#per_artist", "99")
        page.get_by_role("button", name="Preview").click()
        page.wait_for_selector(ERRORS_BOX)
        pages[javascript] = page
    without, with_js = pages[False], pages[True]
    assert form_errors(with_js) == form_errors(without) and len(form_errors(without)) == 2
    assert "Please check the form." in with_js.text_content(ERRORS_BOX)
    assert with_js.evaluate("document.activeElement.id") == "size"
    for field in ("#size", "#per_artist"):
        assert with_js.get_attribute(field, "aria-invalid") == "true"
    assert with_js.url == live_server.url + "/playlists"  # in place
    save_screenshot(with_js, f"playlists-field-errors-{width}")
    assert_accessible(with_js, "Playlists with field errors")

    with_js.fill("#size", "10")
    with_js.fill("#per_artist", "2")
    with_js.get_by_role("button", name="Preview").click()
    with_js.wait_for_selector("#playlist-preview .track-item")
    assert with_js.locator(ERRORS_BOX).count() == 0
    assert with_js.locator("[aria-invalid]").count() == 0

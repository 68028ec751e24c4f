"""The Playlist Manager in Chromium, against the fake Spotify: without JavaScript (form,
redirect, result page) and with it (no navigation, loading state, result card in place)."""

from datetime import UTC, datetime, timedelta

import pytest
from conftest import save_screenshot
from factories import add_plays
from spotify_helpers import connect_via_app, fake_playlists, fault, plays_of, solo_tracks

pytestmark = [pytest.mark.browser, pytest.mark.fake_spotify]

TODAY = datetime.now(UTC).date()


@pytest.fixture
def connected(app, conn, local_user, fake):
    """The local user connected to the fake, with two weeks of plays of its catalogue."""
    assert connect_via_app(app.test_client()).status_code == 302
    rows = []
    for i, (artist, track) in enumerate(solo_tracks(fake)[:16], start=1):
        day = TODAY - timedelta(days=1 + i % 10)
        rows += plays_of(artist, track, day, minute=i, times=20 - i)
    add_plays(conn, local_user, rows)
    return local_user


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def previewed_titles(page) -> list[str]:
    texts = page.locator("#playlist-preview .track-item .track").all_inner_texts()
    return [t.strip() for t in texts]


def test_without_javascript_preview_create_and_result_page(
    live_server, page_factory, fake, connected, width
):
    page = page_factory(width=width, javascript=False)
    page.goto(live_server.url + "/playlists")
    assert no_horizontal_scroll(page)
    page.select_option("#source", "current_rotation")
    page.fill("#size", "10")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_load_state()
    titles = previewed_titles(page)
    assert len(titles) == 10
    assert page.get_by_text("Score: your play history").first.is_visible()
    assert page.locator(".js-copy-uris").is_hidden()  # needs JavaScript
    assert page.get_by_role("link", name="Download CSV").is_visible()
    assert no_horizontal_scroll(page)
    save_screenshot(page, f"playlists-preview-nojs-{width}")
    page.get_by_role("button", name="Create on Spotify").click()
    page.wait_for_url(f"{live_server.url}/playlists/*")
    assert page.get_by_role("heading", name="Playlist created").is_visible()
    assert page.get_by_role("link", name="Open in Spotify").is_visible()
    assert [t.strip() for t in page.locator(".track-item .track").all_inner_texts()] == titles
    assert no_horizontal_scroll(page)
    save_screenshot(page, f"playlists-result-nojs-{width}")
    [stored] = fake_playlists(fake)
    assert len(stored["uris"]) == 10
    assert page.console_errors == []


def test_with_javascript_everything_happens_in_place(
    live_server, page_factory, fake, connected, width
):
    page = page_factory(width=width)
    page.goto(live_server.url + "/playlists")
    page.evaluate("window.stayedOnPage = true")
    page.select_option("#source", "party")
    page.fill("#size", "10")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#playlist-preview .track-item")
    titles = previewed_titles(page)
    assert len(titles) == 10
    assert page.get_by_text("estimated from genre", exact=False).first.is_visible()
    assert page.locator(".js-copy-uris").is_visible()
    uris = page.input_value("#preview-uris").split("\n")
    # Spotify is slow for a moment: the loading state must show.
    fault(fake, path_prefix="/v1/me/playlists", delay=1.5)
    create = page.get_by_role("button", name="Create on Spotify")
    create.click()
    busy = page.locator(".js-create-button[aria-busy='true']")
    busy.wait_for()
    assert busy.is_disabled() and "Creating…" in busy.inner_text()
    card = page.locator("#playlist-result .result-card")
    card.wait_for()
    assert card.get_by_role("link", name="Open in Spotify").is_visible()
    assert "10 tracks added" in card.inner_text()
    assert page.evaluate("window.stayedOnPage") is True
    assert page.url == live_server.url + "/playlists"
    assert create.is_enabled()
    assert no_horizontal_scroll(page)
    save_screenshot(page, f"playlists-created-js-{width}")
    [stored] = fake_playlists(fake)
    assert stored["uris"] == uris
    assert page.locator("#saved-playlists li").count() == 1
    assert page.console_errors == []


def test_with_javascript_finish_adding_after_a_rate_limit(
    live_server, page_factory, fake, connected
):
    page = page_factory(width=1280)
    page.goto(live_server.url + "/playlists")
    page.select_option("#source", "current_rotation")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#playlist-preview .track-item")
    fault(fake, path_prefix="/v1/playlists/", method="POST", status=429, retry_after=2)
    page.get_by_role("button", name="Create on Spotify").click()
    page.wait_for_selector("#playlist-result .result-incomplete")
    assert "Spotify asked us to wait" in page.inner_text("#playlist-result")
    page.get_by_role("button", name="Finish adding").click()
    page.wait_for_selector("#playlist-result .result-done")
    [stored] = fake_playlists(fake)
    assert len(stored["uris"]) == page.locator("#playlist-preview .track-item").count()
    # The 429 response itself is logged by Chromium; nothing else may be.
    assert [e for e in page.console_errors if "429" not in e] == []

"""The Playlist Manager reads right, with and without JavaScript (issue #17): the preview
says in which order its tracks are listed and follows it, a field with an error is visibly
marked (light and dark), and creating the same playlist twice in a row asks first even
without JavaScript (the server asks; the script shows the same question in place)."""

from __future__ import annotations

import pytest
from a11y import assert_accessible
from conftest import save_screenshot
from spotify_helpers import fake_playlists
from test_playlists_browser import connected  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser, pytest.mark.fake_spotify]

ORDER_BY_FIT = "Listed by mood fit, best first"
ORDER_BY_PLAYS = "Listed by your plays, most first"

# The border of a field and the page's --danger colour, both as the browser computed them.
FIELD_LOOK = """(selector) => {
  const field = document.querySelector(selector);
  const probe = document.createElement('span');
  probe.style.color = 'var(--danger)';
  document.body.append(probe);
  const danger = getComputedStyle(probe).color;
  probe.remove();
  const style = getComputedStyle(field);
  return {colour: style.borderTopColor, width: parseFloat(style.borderTopWidth), danger};
}"""


def open_playlists(page_factory, live_server, width: int, javascript: bool, scheme=None):
    """The Playlist Manager in a fresh page of this width (and colour scheme, if given)."""
    page = page_factory(width=width, javascript=javascript)
    if scheme:
        page.emulate_media(color_scheme=scheme)
    page.goto(live_server.url + "/playlists")
    return page


def preview(page, source: str) -> None:
    page.select_option("#source", source)
    page.fill("#size", "10")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector("#playlist-preview .track-item")


@pytest.mark.usefixtures("connected")
@pytest.mark.parametrize("javascript", [False, True])
@pytest.mark.parametrize("width", [375, 1280])
def test_the_preview_says_its_order_and_the_fit_it_shows_follows_it(
    live_server, page_factory, width, javascript
):
    page = open_playlists(page_factory, live_server, width, javascript)
    preview(page, "party")
    assert ORDER_BY_FIT in page.inner_text(".preview-order")
    whys = page.locator("#playlist-preview .track-why").all_inner_texts()
    fits = [int(why.split("%")[0]) for why in whys]
    assert len(fits) == 10 and fits == sorted(fits, reverse=True), fits
    assert len(set(fits)) > 1  # the check above could fail on this data
    save_screenshot(page, f"playlists-order-{width}-{'js' if javascript else 'nojs'}")

    preview(page, "current_rotation")
    # With JS the new preview replaces the old one in place: wait for it, not the old list.
    page.locator(".preview-order", has_text=ORDER_BY_PLAYS).wait_for()
    assert page.console_errors == []


@pytest.mark.usefixtures("connected")
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("javascript", [False, True])
@pytest.mark.parametrize("width", [375, 1280])
def test_a_field_with_an_error_is_marked_in_red(
    live_server, page_factory, width, javascript, scheme
):
    page = open_playlists(page_factory, live_server, width, javascript, scheme)
    calm = page.evaluate(FIELD_LOOK, "#size")
    assert calm["colour"] != calm["danger"]
    page.select_option("#source", "current_rotation")
    page.fill("#size", "5")
    page.fill("#per_artist", "99")
    page.get_by_role("button", name="Preview").click()
    page.wait_for_selector(".playlist-form > .flash-error")
    for field in ("#size", "#per_artist"):
        assert page.get_attribute(field, "aria-invalid") == "true"
        look = page.evaluate(FIELD_LOOK, field)
        assert look["colour"] == look["danger"] and look["width"] >= 2, (field, look)
    # Each message names its field as the label does.
    messages = page.locator(".playlist-form > .flash-error li").all_inner_texts()
    assert messages == [
        "The number of tracks must be between 10 and 100.",
        "Tracks per artist must be between 1 and 10.",
    ]
    assert page.inner_text("label[for=size]") == "Number of tracks"
    assert page.inner_text("label[for=per_artist]").startswith("Tracks per artist")
    fine = page.evaluate(FIELD_LOOK, "#name")
    assert fine["colour"] != fine["danger"]
    save_screenshot(page, f"playlists-bad-fields-{width}-{scheme}-{'js' if javascript else 'nojs'}")
    assert_accessible(page, f"Playlists with bad fields ({scheme})", javascript=javascript)


@pytest.mark.usefixtures("connected")
@pytest.mark.parametrize("width", [375, 1280])
def test_without_javascript_creating_the_same_playlist_again_asks_first(
    live_server, page_factory, fake, width
):
    page = open_playlists(page_factory, live_server, width, javascript=False)
    preview(page, "current_rotation")
    page.get_by_role("button", name="Create on Spotify").click()
    page.wait_for_url(f"{live_server.url}/playlists/*")
    assert len(fake_playlists(fake)) == 1

    page.get_by_role("link", name="Make another playlist").click()
    preview(page, "current_rotation")  # the same playlist again
    page.get_by_role("button", name="Create on Spotify").click()
    page.wait_for_load_state()
    ask = page.get_by_role("button", name="Create a second copy")
    assert ask.is_visible()
    assert "You just created" in page.inner_text("#playlist-error")
    assert page.locator("#playlist-preview .track-item").count() == 10  # still in view
    assert len(fake_playlists(fake)) == 1  # nothing written
    save_screenshot(page, f"playlists-ask-again-nojs-{width}")
    assert_accessible(
        page, "Playlists asking before a second copy, without JavaScript", javascript=False
    )

    ask.click()
    page.wait_for_url(f"{live_server.url}/playlists/*")
    assert page.get_by_role("heading", name="Playlist created").is_visible()
    first, second = fake_playlists(fake)
    assert first["uris"] == second["uris"]

    # A different playlist is not a repeat: created without a question.
    page.goto(live_server.url + "/playlists")
    preview(page, "party")
    page.get_by_role("button", name="Create on Spotify").click()
    page.wait_for_url(f"{live_server.url}/playlists/*")
    assert len(fake_playlists(fake)) == 3
    assert page.console_errors == []

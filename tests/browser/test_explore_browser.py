"""Artist and track pages in a real headless Chromium: Home → artist → track → back, with
and without JavaScript, at phone and desktop width; a bar of the Analytics artist chart
opens that artist."""

import re

import pytest
from a11y import assert_accessible
from conftest import save_screenshot
from page_checks import (
    CANVAS_HAS_INK,
    assert_no_horizontal_scroll,
    demo_server_fixture,
    wait_for_charts,
)

pytestmark = pytest.mark.browser
demo_server = demo_server_fixture(plays=4000, seed=7, genres=True)


@pytest.mark.parametrize("width, javascript", [(375, True), (1280, True), (375, False)])
def test_home_to_artist_to_track_and_back(page_factory, demo_server, width, javascript):
    page = page_factory(width=width, javascript=javascript)
    page.goto(demo_server.url + "/")
    artist = page.locator(".stat-card .stat-value a")  # the most consistent artist
    name = artist.inner_text()
    artist.click()
    page.wait_for_url(re.compile(r"/artists/\d+$"))
    artist_url = page.url
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.get_by_role("button", name=f"Preview forgotten gems by {name}").is_visible()
    if javascript:
        assert set(wait_for_charts(page)) == {"months-chart", "hours-chart", "weekdays-chart"}
    assert_no_horizontal_scroll(page, "the artist page")
    assert_accessible(page, "the artist page", javascript=javascript)
    save_screenshot(page, f"artist-{width}{'' if javascript else '-nojs'}")

    track = page.locator("#artist-tracks-title + .table-scroll a").first
    title = track.inner_text()
    track.click()
    page.wait_for_url(re.compile(r"/tracks/\d+$"))
    assert page.get_by_role("heading", level=1).inner_text() == title
    assert page.get_by_role("link", name=name, exact=True).first.is_visible()
    if javascript:
        page.wait_for_function(CANVAS_HAS_INK, arg="months-chart", timeout=10_000)
    assert_no_horizontal_scroll(page, "the track page")
    assert_accessible(page, "the track page", javascript=javascript)
    save_screenshot(page, f"track-{width}{'' if javascript else '-nojs'}")

    page.go_back()
    page.wait_for_url(artist_url)
    assert page.get_by_role("heading", level=1).inner_text() == name
    if javascript:
        assert page.console_errors == []


def test_a_bar_of_the_artist_chart_opens_that_artist(page_factory, demo_server):
    page = page_factory(width=1280)
    page.goto(demo_server.url + "/analytics?range=all")
    page.wait_for_function(CANVAS_HAS_INK, arg="artist-chart", timeout=10_000)
    first = page.locator("#artist-rows a").first
    name, href = first.text_content(), first.get_attribute("href")
    page.locator("#artist-chart").scroll_into_view_if_needed()
    bar = page.evaluate("""() => {
      const bar = window.Chart.getChart('artist-chart').getDatasetMeta(0).data[0];
      const box = document.getElementById('artist-chart').getBoundingClientRect();
      return {x: box.left + (bar.base + bar.x) / 2, y: box.top + bar.y};
    }""")
    page.mouse.click(bar["x"], bar["y"])
    page.wait_for_url(f"**{href}")
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert page.console_errors == []

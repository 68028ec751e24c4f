"""Analytics in a real headless Chromium: charts drawn, ranges changed in place with
JavaScript (Back restores), and by plain links and forms without it."""

import pytest
from analytics_page import PLAYS, VOLUME_POINTS, change_range_in_place
from conftest import save_screenshot
from page_checks import CANVAS_HAS_INK, NO_HORIZONTAL_SCROLL, demo_server_fixture

pytestmark = pytest.mark.browser


demo_server = demo_server_fixture(plays=4000, seed=7, genres=True)


def wait_for_charts(page):
    for canvas in ("volume-chart", "genre-chart", "artist-chart", "discovery-chart"):
        page.wait_for_function(CANVAS_HAS_INK, arg=canvas, timeout=10_000)


def test_javascript_changes_the_range_in_place_and_back_restores_it(
    page_factory, demo_server, width
):
    page = page_factory(width=width)
    assert page.goto(demo_server.url + "/analytics").status == 200
    wait_for_charts(page)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    save_screenshot(page, f"analytics-{width}")
    year_plays = page.text_content(PLAYS)
    year_points = page.evaluate(VOLUME_POINTS)
    page.evaluate("window.__samePage = true")

    change_range_in_place(page, "30 days", "30d")
    assert page.url.endswith("/analytics?range=30d")
    assert page.evaluate("window.__samePage") is True  # no navigation
    assert page.evaluate(VOLUME_POINTS) == 30 != year_points
    assert page.text_content(PLAYS) != year_plays
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    page.go_back()
    page.wait_for_function(
        f"() => document.querySelector('{PLAYS}').textContent === {year_plays!r}"
    )
    assert page.evaluate("window.__samePage") is True
    assert page.evaluate(VOLUME_POINTS) == year_points
    assert page.get_attribute('[data-range="12m"]', "aria-current") == "true"

    page.fill("#range-start", "2000-01-01")
    page.fill("#range-end", "2000-01-31")
    page.get_by_role("button", name="Show range").click()
    page.wait_for_selector("#analytics-empty:not([hidden])")
    assert "start=2000-01-01" in page.url
    assert page.evaluate("window.__samePage") is True
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.console_errors == []


def test_a_failed_request_shows_an_in_page_error(page_factory, demo_server):
    page = page_factory(width=1280)
    page.goto(demo_server.url + "/analytics?range=7d")
    wait_for_charts(page)
    plays = page.text_content(PLAYS)
    page.route("**/api/stats/**", lambda route: route.abort())
    page.get_by_role("link", name="90 days", exact=True).click()
    page.wait_for_selector("#analytics-error:not([hidden])")
    assert page.text_content("#analytics-error").startswith(
        "Couldn't reach the server — your numbers below are from before."
    )
    assert page.text_content(PLAYS) == plays
    assert page.get_attribute("#analytics-results", "aria-busy") == "false"
    assert all("net::ERR_FAILED" in e for e in page.console_errors)


def test_without_javascript_links_and_the_form_navigate(page_factory, demo_server, width):
    page = page_factory(width=width, javascript=False)
    page.goto(demo_server.url + "/analytics")
    year_plays = page.text_content(PLAYS)
    assert page.locator("table.heatmap td.heat").count() == 7 * 24
    assert page.evaluate(NO_HORIZONTAL_SCROLL)

    with page.expect_navigation():
        page.get_by_role("link", name="7 days", exact=True).click()
    assert page.url.endswith("/analytics?range=7d")
    assert page.text_content(PLAYS) != year_plays
    assert page.get_attribute('[data-range="7d"]', "aria-current") == "true"

    page.fill("#range-start", "2000-01-01")
    page.fill("#range-end", "2000-12-31")
    with page.expect_navigation():
        page.get_by_role("button", name="Show range").click()
    assert "start=2000-01-01" in page.url and "end=2000-12-31" in page.url
    assert page.is_visible("text=No listening in this range")
    save_screenshot(page, f"analytics-nojs-{width}")
    assert page.console_errors == []

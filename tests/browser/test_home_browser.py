"""Home in a real headless Chromium: chart drawn, no horizontal scroll, no console errors."""

import pytest
from conftest import save_screenshot
from page_checks import CANVAS_HAS_INK, NO_HORIZONTAL_SCROLL, demo_server_fixture

pytestmark = pytest.mark.browser
demo_server = demo_server_fixture(plays=4000, seed=7, genres=True)


def test_home_draws_its_chart_at_phone_and_desktop_width(page_factory, demo_server, width):
    page = page_factory(width=width)
    response = page.goto(demo_server.url + "/")
    assert response.status == 200
    page.wait_for_function(CANVAS_HAS_INK, arg="weekly-chart", timeout=10_000)
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.locator(".stat-card").count() == 6
    save_screenshot(page, f"home-{width}")
    assert page.console_errors == []


def test_phone_navigation_opens_from_the_menu_button(page_factory, demo_server):
    page = page_factory(width=375)
    page.goto(demo_server.url + "/")
    nav_link = page.get_by_role("link", name="Analytics")
    assert not nav_link.is_visible()
    page.get_by_role("button", name="Menu").click()
    nav_link.click()
    page.wait_for_url("**/analytics")
    assert page.console_errors == []


def test_empty_home_has_no_chart_and_no_errors(page_factory, live_server):
    page = page_factory(width=375)
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", name="No listening history yet").is_visible()
    assert page.locator("canvas").count() == 0
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert page.console_errors == []

"""What Lighthouse flagged on Home and Analytics on a phone (issue #17), checked for good:
the header is collapsed from the first paint (not when nav.js arrives, which shifted the
whole page), and every name link in a table is a tap target at least 24 px tall."""

from __future__ import annotations

import pytest
from page_checks import demo_server_fixture

pytestmark = pytest.mark.browser
demo_server = demo_server_fixture(plays=3000, seed=11)

HEADER_HEIGHT = "() => document.querySelector('.site-header').getBoundingClientRect().height"
SHORT_LINKS = """() => Array.from(document.querySelectorAll('td .item-link'))
  .map((a) => a.getBoundingClientRect()).filter((r) => r.width && r.height < 24)
  .map((r) => r.height)"""


@pytest.mark.parametrize("path", ["/", "/analytics"])
def test_the_phone_header_is_final_before_any_script_runs(page_factory, demo_server, path):
    settled = page_factory(width=375)
    settled.goto(demo_server.url + path)
    settled.wait_for_load_state("networkidle")
    final = settled.evaluate(HEADER_HEIGHT)

    # The same page with nav.js held back: what is painted before the module runs.
    early = page_factory(width=375)
    early.route("**/js/nav.js", lambda route: route.abort())
    early.goto(demo_server.url + path)
    assert early.evaluate("() => document.documentElement.classList.contains('js')") is False
    assert early.evaluate(HEADER_HEIGHT) == final
    assert early.locator(".nav-toggle").is_visible()
    assert early.locator("#site-nav").is_hidden()


def test_without_javascript_the_phone_header_shows_every_link(page_factory, demo_server):
    page = page_factory(width=375, javascript=False)
    page.goto(demo_server.url + "/")
    assert page.locator(".nav-toggle").is_hidden()
    assert page.get_by_role("link", name="Analytics", exact=True).is_visible()


@pytest.mark.parametrize("width", [375, 1280])
def test_name_links_in_tables_are_24_px_tap_targets(page_factory, demo_server, width):
    page = page_factory(width=width)
    page.goto(demo_server.url + "/analytics?range=all")
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    assert page.locator("td .item-link").count() > 20
    assert page.evaluate(SHORT_LINKS) == []


@pytest.mark.parametrize("path", ["/analytics?range=all", "/analytics/top/tracks?range=all"])
def test_times_listened_stay_on_one_line_on_a_phone(page_factory, demo_server, path):
    page = page_factory(width=375)
    page.goto(demo_server.url + path)
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")
    heights = page.evaluate(
        """() => Array.from(
          document.querySelectorAll('.top-tracks td:last-child, .top-list td:last-child'))
          .filter((c) => / h /.test(c.textContent))
          .map((c) => { const r = document.createRange(); r.selectNodeContents(c);
                        return r.getClientRects().length; })"""
    )
    assert heights and set(heights) == {1}, heights  # one line box per "1 h 47 min"

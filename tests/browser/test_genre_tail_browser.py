"""Top genres on Analytics when the tail is long (issue #17: "the other genres slice never
the largest"): twenty equal genres are drawn as bars of the top eight, with no "other"
bar and a note saying where the rest went; a history with two big genres keeps its
doughnut. At 375 and 1280 px, and the note without JavaScript too."""

from __future__ import annotations

import pytest
from a11y import assert_accessible
from conftest import save_screenshot
from factories import add_plays, genre_plays
from page_checks import assert_no_horizontal_scroll, wait_for_charts

pytestmark = pytest.mark.browser

CHART = """() => { const c = Chart.getChart('genre-chart');
  return {type: c.config.type, axis: c.options.indexAxis || 'x', labels: c.data.labels}; }"""
TAIL = "[data-genre-tail]"


@pytest.mark.parametrize("width", [375, 1280])
def test_a_long_tail_of_genres_is_drawn_as_bars_without_an_other_slice(
    conn, local_user, live_server, page_factory, width
):
    add_plays(conn, local_user, genre_plays({f"genre {n:02d}": 3 for n in range(20)}))
    page = page_factory(width=width)
    page.goto(live_server.url + "/analytics?range=all")
    wait_for_charts(page)
    chart = page.evaluate(CHART)
    assert (chart["type"], chart["axis"]) == ("bar", "y")
    assert len(chart["labels"]) == 8 and not any("other" in label for label in chart["labels"])
    assert page.locator(TAIL).is_visible()
    assert "the other 60% is spread over smaller genres" in page.inner_text(TAIL)
    assert page.get_attribute("#genre-chart", "aria-label").startswith("Bar chart")
    # Every play here has a known genre: no "0% of plays ... no known genre" line.
    assert page.locator("[data-genre-unknown]").is_hidden()
    assert_no_horizontal_scroll(page, "/analytics")
    page.locator("#genre-chart").scroll_into_view_if_needed()
    save_screenshot(page, f"analytics-genre-tail-{width}")
    assert_accessible(page, "Analytics with a long tail of genres")
    assert page.console_errors == []

    no_js = page_factory(width=width, javascript=False)
    no_js.goto(live_server.url + "/analytics?range=all")
    assert no_js.locator(TAIL).is_visible()
    assert no_js.locator("[data-genre-unknown]").is_hidden()


def test_two_big_genres_keep_the_doughnut(conn, local_user, live_server, page_factory):
    spread = {"rock": 30, "jazz": 20} | {f"genre {n:02d}": 1 for n in range(10)}
    add_plays(conn, local_user, genre_plays(spread))
    page = page_factory(width=1280)
    page.goto(live_server.url + "/analytics?range=all")
    wait_for_charts(page)
    chart = page.evaluate(CHART)
    assert chart["type"] == "doughnut"
    assert chart["labels"][-1].startswith("other genres")
    assert page.locator(TAIL).is_hidden()
    assert page.locator("[data-genre-unknown]").is_hidden()
    assert page.console_errors == []


def test_a_genre_page_lists_its_artists_names_aligned_left(
    conn, local_user, live_server, page_factory
):
    add_plays(conn, local_user, genre_plays({"rap": 3}))
    page = page_factory(width=1280)
    page.goto(live_server.url + "/genres/rap")
    name_column = page.evaluate(
        """() => Array.from(
          document.querySelectorAll('#genre-artists-title ~ * tr > :nth-child(2)'),
          (c) => getComputedStyle(c).textAlign)"""
    )
    assert len(name_column) == 2 and set(name_column) == {"left"}  # header and "Artist rap"

"""Numbers and charts read at a glance, in a real headless Chromium: the JS formatter
writes time exactly like durations.py; chart axes say "8 Dec", tooltips carry units, the
bucket still going on is dashed ("so far"), and "All time" compares with
nothing. Read from the Chart.js objects in the page."""

import re

import pytest
from analytics_page import change_range_in_place
from conftest import save_screenshot
from duration_cases import CASES, PERIOD_CASES
from page_checks import CANVAS_HAS_INK, NO_HORIZONTAL_SCROLL, demo_server_fixture

from music_time_machine.durations import thousands

pytestmark = pytest.mark.browser

#: A chart's labels, its dataset's dash on the last and a middle segment, and the
#: tooltip text of the last point, straight from Chart.js.
CHART_STATE = """(id) => {
  const chart = window.Chart.getChart(id);
  const ds = chart.data.datasets[0];
  const n = chart.data.labels.length;
  const seg = ds.segment;
  const dash = (i) => (seg ? seg.borderDash({ p0DataIndex: i - 1, p1DataIndex: i }) : null) ?? null;
  const cb = chart.options.plugins.tooltip.callbacks;
  const item = { raw: ds.data[n - 1], dataIndex: n - 1 };
  return { labels: chart.data.labels, lastDash: dash(n - 1), middleDash: dash(Math.floor(n / 2)),
           title: cb.title([item]), label: cb.label(item),
           tick: chart.config.type === 'line'
             ? chart.options.scales.y.ticks.callback(12345) : null };
}"""


demo_server = demo_server_fixture(plays=4000, seed=7)


@pytest.fixture
def format_page(page_factory, demo_server):
    """The Analytics page, whose script imports the format.js both tests call."""
    page = page_factory(width=1280)
    page.goto(demo_server.url + "/analytics")
    return page


def format_js(page, name: str, calls: list[list]) -> list:
    """What format.js's ``name`` returns for each argument list, run in the browser."""
    src = page.get_attribute('script[src$="/js/analytics.js"]', "src")
    return page.evaluate(
        """async ([src, name, calls]) => {
      const f = await import(src.replace('analytics.js', 'format.js'));
      return calls.map((args) => f[name](...args));
    }""",
        [src, name, calls],
    )


def test_the_js_formatter_writes_time_like_the_server(format_page):
    minutes = [[m] for m, _, _ in CASES]
    assert format_js(format_page, "duration", minutes) == [short for _, short, _ in CASES]
    assert format_js(format_page, "durationDays", minutes) == [days for _, _, days in CASES]
    assert format_js(format_page, "thousands", [[21211]]) == [thousands(21211)]


def test_the_js_formatter_writes_periods_like_the_server(format_page):
    calls = [[period, with_year] for period, with_year, _ in PERIOD_CASES]
    got = format_js(format_page, "periodLabel", calls)
    assert got == [written for _, _, written in PERIOD_CASES]


def test_analytics_charts_read_in_words_with_units_and_a_dashed_running_bucket(
    page_factory, demo_server, width
):
    page = page_factory(width=width)
    page.goto(demo_server.url + "/analytics?range=30d")
    for canvas in ("volume-chart", "artist-chart", "discovery-chart"):
        page.wait_for_function(CANVAS_HAS_INK, arg=canvas, timeout=10_000)
    volume = page.evaluate(CHART_STATE, "volume-chart")
    assert len(volume["labels"]) == 30
    assert all("-" not in label for label in volume["labels"])  # "8 Dec", not ISO
    assert volume["lastDash"] == [6, 4] and volume["middleDash"] is None
    assert volume["label"].endswith("plays (so far)")
    assert volume["tick"] == "12,345"
    discovery = page.evaluate(CHART_STATE, "discovery-chart")
    assert len(discovery["labels"]) == 30  # a 30-day range counts new artists per day
    assert "new artist" in discovery["label"]
    assert page.text_content("[data-discovery-bucket]") == "day"
    artist = page.evaluate(CHART_STATE, "artist-chart")
    assert " plays · " in artist["label"]

    page.get_by_role("button", name="Minutes").click()
    minutes = page.evaluate(CHART_STATE, "volume-chart")
    assert minutes["tick"] == "206 h"  # 12,345 minutes on the axis
    assert minutes["label"].endswith(" (so far)") and "." not in minutes["label"]
    assert " h" in minutes["label"] or " min" in minutes["label"]
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    save_screenshot(page, f"charts-read-analytics-30d-{width}")
    assert page.console_errors == []


def test_all_time_compares_with_nothing_after_an_in_place_change(page_factory, demo_server):
    page = page_factory(width=1280)
    page.goto(demo_server.url + "/analytics?range=30d")
    assert page.locator("[data-previous]:visible").count() == 4
    change_range_in_place(page, "All time", "all")
    assert page.locator("[data-previous]:visible").count() == 0
    assert page.locator("[data-change]:visible").count() == 0
    minutes = page.text_content('[data-stat="minutes"] [data-value]')
    assert minutes.endswith(" h") and "." not in minutes
    assert page.console_errors == []


def test_home_chart_marks_this_week_so_far(page_factory, demo_server):
    page = page_factory(width=375)
    page.goto(demo_server.url + "/")
    page.wait_for_function(CANVAS_HAS_INK, arg="weekly-chart", timeout=10_000)
    weekly = page.evaluate(CHART_STATE, "weekly-chart")
    assert weekly["lastDash"] == [6, 4] and weekly["middleDash"] is None
    assert weekly["title"].startswith("week of ")
    assert weekly["label"].endswith("plays (so far)")
    assert all("-" not in label for label in weekly["labels"])
    assert page.console_errors == []


# Every cell of every table on the page whose text holds an ISO date ('2025-12', '2025-12-08').
# Text on the page (not in form fields) that holds an ISO day ('2025-12-08').
ISO_DAYS = (
    r"""() => (document.querySelector('main').innerText.match(/\b\d{4}-\d{2}-\d{2}\b/g) || [])"""
)
ISO_CELLS = r"""() => Array.from(document.querySelectorAll('table td, table th'))
  .map((c) => c.textContent.trim()).filter((t) => /\b\d{4}-\d{2}\b/.test(t))"""
FIRST_CELLS = """(id) => Array.from(document.querySelectorAll(`#${id} tr > :first-child`),
  (c) => c.textContent.trim())"""
SETTLED = "() => document.getElementById('analytics-results').getAttribute('aria-busy') === 'false'"


@pytest.mark.parametrize("javascript", [False, True])
@pytest.mark.parametrize("width", [375, 1280])
def test_show_the_numbers_tables_write_dates_like_the_axes(
    page_factory, demo_server, conn, width, javascript
):
    page = page_factory(width=width, javascript=javascript)
    artist = conn.execute("SELECT id FROM artists ORDER BY id LIMIT 1").fetchone()[0]
    track = conn.execute("SELECT id FROM tracks ORDER BY id LIMIT 1").fetchone()[0]
    for path in (
        "/",
        "/analytics?range=30d",
        "/analytics?range=all",
        f"/artists/{artist}",
        f"/tracks/{track}",
    ):
        page.goto(demo_server.url + path)
        assert page.evaluate(ISO_CELLS) == [], path
        assert page.evaluate(ISO_DAYS) == [], path  # "2 Dec 2025 to 1 Dec 2026", streaks
    page.goto(demo_server.url + "/analytics?range=30d")
    days = page.evaluate(FIRST_CELLS, "volume-rows")
    assert len(days) == 30 and all(re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4}", d) for d in days)
    if javascript:  # the tables rebuilt in place read the same
        page.get_by_role("link", name="All time", exact=True).click()
        page.wait_for_function(SETTLED)
        months = page.evaluate(FIRST_CELLS, "volume-rows")
        assert months and all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", m) for m in months), months
        assert page.evaluate(ISO_CELLS) == [] and page.evaluate(ISO_DAYS) == []
        assert page.console_errors == []

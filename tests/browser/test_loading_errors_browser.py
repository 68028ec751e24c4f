"""Loading and errors in a real Chromium: the control used shows the loading (the chosen
range chip at once, a spinner on each card, no dimmed page), failures read in plain words
with a Retry, and a blocked Chart.js leaves a note and the table in each chart's place."""

import pytest
from a11y import assert_accessible
from analytics_page import PLAYS
from conftest import save_screenshot
from import_fixtures import sample_export_zip
from page_checks import CANVAS_HAS_INK, connect_spotify, demo_server_fixture

pytestmark = pytest.mark.browser

ERROR = "#analytics-error"
TECHNICAL = ("500", "Failed to fetch", "server answered", "NetworkError")


demo_server = demo_server_fixture(plays=3000, seed=7)


def open_analytics(page, server, query="?range=7d"):
    assert page.goto(server.url + "/analytics" + query).status == 200
    page.wait_for_function(CANVAS_HAS_INK, arg="volume-chart", timeout=10_000)


def test_the_chosen_chip_is_selected_at_once_and_each_card_spins(page_factory, demo_server, width):
    page = page_factory(width=width)
    open_analytics(page, demo_server)
    held = []
    # The answers wait until they are released below.
    page.route("**/api/stats/**", lambda route: held.append(route))
    page.get_by_role("link", name="90 days", exact=True).click()
    page.wait_for_function(
        "() => document.querySelector('[data-range=\"90d\"]').getAttribute('aria-busy') === 'true'"
    )
    assert page.get_attribute('[data-range="90d"]', "aria-current") == "true"
    assert page.get_attribute('[data-range="7d"]', "aria-current") is None
    cards = page.eval_on_selector_all(
        "#analytics-results .card", "cs => cs.map(c => c.classList.contains('is-loading'))"
    )
    assert cards and all(cards)
    assert (
        page.evaluate("getComputedStyle(document.getElementById('analytics-results')).opacity")
        == "1"
    )
    save_screenshot(page, f"analytics-loading-{width}")
    for route in held:
        route.continue_()
    page.unroute("**/api/stats/**")
    page.wait_for_function("() => !document.querySelector('#analytics-results .is-loading')")
    assert page.get_attribute('[data-range="90d"]', "aria-busy") is None
    assert page.get_attribute('[data-range="90d"]', "aria-current") == "true"
    assert page.console_errors == []


def test_a_server_error_reads_in_plain_words_and_retry_loads_the_range(
    page_factory, demo_server, width
):
    page = page_factory(width=width)
    open_analytics(page, demo_server)
    plays = page.text_content(PLAYS)
    page.route(
        "**/api/stats/**",
        lambda route: route.fulfill(
            status=500, content_type="text/html", body="<h1>Internal Server Error</h1>"
        ),
    )
    page.get_by_role("link", name="90 days", exact=True).click()
    page.wait_for_selector(f"{ERROR}:not([hidden])")
    text = page.text_content(ERROR)
    assert text.startswith("The server ran into a problem")
    assert "your numbers below are from before" in text
    assert not any(word in text for word in TECHNICAL), text
    assert page.text_content(PLAYS) == plays
    # The chips say which range the numbers are for: still 7 days.
    assert page.get_attribute('[data-range="7d"]', "aria-current") == "true"
    assert page.evaluate("document.activeElement.textContent") == "Retry"
    save_screenshot(page, f"analytics-error-{width}")
    assert_accessible(page, "Analytics with an error")

    page.unroute("**/api/stats/**")
    page.get_by_role("button", name="Retry").click()
    page.wait_for_selector(f"{ERROR}[hidden]", state="attached")
    page.wait_for_function(f"() => document.querySelector('{PLAYS}').textContent !== {plays!r}")
    assert page.get_attribute('[data-range="90d"]', "aria-current") == "true"
    assert page.url.endswith("range=90d")


def test_an_unreachable_server_says_so_without_browser_jargon(page_factory, demo_server):
    page = page_factory(width=1280)
    open_analytics(page, demo_server)
    page.route("**/api/stats/**", lambda route: route.abort())
    page.get_by_role("link", name="30 days", exact=True).click()
    page.wait_for_selector(f"{ERROR}:not([hidden])")
    text = page.text_content(ERROR)
    assert text.startswith("Couldn't reach the server — your numbers below are from before.")
    assert not any(word in text for word in TECHNICAL), text


@pytest.mark.parametrize("path", ["/", "/analytics", "/years/2025", "/artists/1"])
def test_without_chart_js_each_chart_says_so_and_shows_its_table(
    page_factory, demo_server, width, path
):
    page = page_factory(width=width)
    page.route("**/vendor/chartjs/**", lambda route: route.abort())
    assert page.goto(demo_server.url + path).status == 200
    page.wait_for_selector(".chart-missing")
    boxes = page.eval_on_selector_all(".chart-box[data-chart-missing]", "bs => bs.length")
    notes = page.eval_on_selector_all(".chart-missing", "ns => ns.map(n => n.textContent)")
    assert len(notes) == boxes >= (3 if path == "/analytics" else 1)
    assert all("could not be drawn" in n and "table below" in n for n in notes)
    assert page.eval_on_selector_all(".chart-box", "bs => bs.every(b => b.hidden)")
    # After each note comes its table of numbers, open and visible.
    tables = page.eval_on_selector_all(
        ".chart-missing",
        """ns => ns.map(n => {
        let e = n.nextElementSibling;
        while (e && !e.querySelector('table') && !e.matches('table')) e = e.nextElementSibling;
        const t = e && (e.matches('table') ? e : e.querySelector('table'));
        return Boolean(t && t.checkVisibility());
    })""",
    )
    assert tables == [True] * len(notes)
    save_screenshot(page, f"no-chartjs{path.replace('/', '-') if path != '/' else '-home'}-{width}")
    assert_accessible(page, f"{path} without Chart.js")


@pytest.mark.fake_spotify
@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        ("500", "The server ran into a problem. Try again in a moment"),
        ("abort", "Couldn't reach the server. Check your connection, then try again."),
    ],
)
def test_sync_now_failing_to_reach_the_server_says_what_to_do(
    app, live_server, page_factory, failure, expected
):
    page = page_factory(width=375)
    connect_spotify(app, live_server, page)
    page.route(
        "**/settings/sync",
        lambda route: (
            route.abort()
            if failure == "abort"
            else route.fulfill(status=500, content_type="text/html", body="<h1>Error</h1>")
        ),
    )
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function("() => document.querySelector('.sync-result').textContent !== ''")
    text = page.text_content(".sync-result")
    assert text.startswith(expected)
    assert not any(word in text for word in TECHNICAL), text
    assert page.get_by_role("button", name="Sync now").is_enabled()


def test_the_error_and_the_loading_look_right_in_dark_mode(page_factory, demo_server):
    page = page_factory(width=375)
    page.emulate_media(color_scheme="dark")
    open_analytics(page, demo_server)
    page.route("**/api/stats/**", lambda route: route.abort())
    page.get_by_role("link", name="30 days", exact=True).click()
    page.wait_for_selector(f"{ERROR}:not([hidden])")
    save_screenshot(page, "analytics-error-dark-375")
    assert_accessible(page, "Analytics with an error, dark")


def test_an_upload_refused_by_a_failing_server_says_what_to_do(
    page_factory, live_server, local_user, tmp_path, width
):
    export_zip = sample_export_zip(tmp_path / "my_spotify_data.zip")
    page = page_factory(width=width)
    page.goto(live_server.url + "/settings#import")
    page.route(
        "**/settings/import",
        lambda route: route.fulfill(
            status=502, content_type="text/html", body="<h1>Bad Gateway</h1>"
        ),
    )
    page.set_input_files("#import-files", str(export_zip))
    page.get_by_role("button", name="Import").click()
    error = page.locator("#import .form-error")
    error.wait_for()
    assert error.inner_text().startswith("The server ran into a problem. Try again")
    assert not any(word in error.inner_text() for word in TECHNICAL + ("502",))


def test_after_an_import_focus_is_on_the_report_and_it_is_on_screen(
    page_factory, live_server, local_user, tmp_path
):
    export_zip = sample_export_zip(tmp_path / "my_spotify_data.zip")
    page = page_factory(width=375)
    page.goto(live_server.url + "/settings#import")
    page.set_input_files("#import-files", str(export_zip))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector(".import-report", timeout=30_000)
    assert page.evaluate("document.activeElement.closest('.import-summary') !== null")
    assert page.evaluate("""() => { const r = document.activeElement.getBoundingClientRect();
        return r.top >= -1 && r.bottom <= innerHeight; }""")

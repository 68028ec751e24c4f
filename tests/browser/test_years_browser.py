"""Year in review and genre pages in a real headless Chromium, with JavaScript and without,
at phone and desktop widths: the month chart, the PNG share card (downloaded and decoded),
the printable layout, the Top 50 playlist preview, a genre's share chart, and axe."""

import struct

import pytest
from a11y import assert_accessible
from conftest import save_screenshot
from factories import demo_with_genres
from page_checks import CANVAS_HAS_INK, assert_no_horizontal_scroll, wait_for_charts

from music_time_machine.db.years import year_totals

pytestmark = pytest.mark.browser


@pytest.fixture
def demo_server(conn, local_user, live_server):
    demo_with_genres(conn, local_user, plays=4000, seed=7, years=2.0)
    live_server.years = [y["year"] for y in year_totals(conn, local_user)]
    return live_server


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", data[16:24])


def test_with_javascript_the_review_draws_and_offers_a_share_card(page_factory, demo_server, width):
    page = page_factory(width=width)
    page.goto(demo_server.url + "/years")
    year = demo_server.years[0]
    with page.expect_navigation():
        page.get_by_role("link", name=str(year)).first.click()
    assert page.url.endswith(f"/years/{year}")
    assert wait_for_charts(page) == ["year-months-chart"]
    page.wait_for_selector("[data-share-download]:not([hidden])")
    assert page.is_visible("[data-print]")
    assert_no_horizontal_scroll(page, f"year page at {width}")
    assert (
        page.evaluate(
            "() => document.querySelector('.share-preview canvas').getBoundingClientRect().width"
        )
        <= width
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PNG").click()
    assert download.value.suggested_filename == f"music-time-machine-{year}.png"
    with open(download.value.path(), "rb") as png:
        assert png_size(png.read()) == (1080, 1350)
    assert_accessible(page, f"year page at {width}")
    save_screenshot(page, f"year-{width}")
    assert page.console_errors == []


def test_without_javascript_the_review_reads_and_the_playlist_previews(
    page_factory, demo_server, width
):
    page = page_factory(width=width, javascript=False)
    year = demo_server.years[-1]
    page.goto(f"{demo_server.url}/years/{year}")
    assert page.locator("table.year-months tbody tr").count() == 12
    assert page.is_hidden("#share-card") and page.is_hidden("[data-print]")
    assert_no_horizontal_scroll(page, f"year page without JavaScript at {width}")
    assert_accessible(page, f"year page without JavaScript at {width}", javascript=False)
    save_screenshot(page, f"year-nojs-{width}")
    with page.expect_navigation():
        page.get_by_role("button", name=f"Preview “Top 50 of {year}”").click()
    assert page.url.endswith("/playlists")
    assert page.get_by_text(f"Top 50 of {year}").count() >= 1
    assert page.locator("#source").input_value() == "year"
    assert page.console_errors == []


def test_the_printed_review_leaves_out_navigation_and_buttons(page_factory, demo_server):
    page = page_factory(width=1280)
    page.goto(f"{demo_server.url}/years/{demo_server.years[0]}")
    page.wait_for_selector("[data-share-download]:not([hidden])")
    page.emulate_media(media="print")
    for hidden in (
        ".site-header",
        ".site-footer",
        "#share-card",
        "#playlist-title",
        "[data-print]",
        "#year-months-chart",
    ):
        assert page.is_hidden(hidden), hidden
    assert page.is_visible("table.year-months") and page.is_visible("#top-artists-title")
    assert len(page.pdf(format="A4")) > 1000  # Chromium lays the print version out


def test_a_genre_from_the_review_shows_its_share_over_time(page_factory, demo_server, width):
    page = page_factory(width=width)
    page.goto(f"{demo_server.url}/years/{demo_server.years[0]}")
    link = page.locator("#top-genres-title + ol a").first
    genre = link.text_content()
    with page.expect_navigation():
        link.click()
    assert page.locator("h1").text_content().strip() == genre
    page.wait_for_function(CANVAS_HAS_INK, arg="genre-share-chart", timeout=10_000)
    assert page.locator("#genre-artists-title ~ div tbody tr").count() >= 1
    assert_no_horizontal_scroll(page, f"genre page at {width}")
    assert_accessible(page, f"genre page at {width}")
    assert page.console_errors == []

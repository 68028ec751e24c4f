"""Issue #17's phone and look-and-feel fixes in Chromium: the playlist form shows the chosen
source's fields (grouped under headings without JavaScript), Settings' section nav (side on
wide screens, a top row on phones), radios beside their labels, the range presets in one row
on phones with the first number on the first screen, and one chart palette in light and dark.
"""

from __future__ import annotations

import pytest
from a11y import assert_accessible
from conftest import save_screenshot
from page_checks import assert_no_horizontal_scroll, demo_server_fixture

pytestmark = pytest.mark.browser
demo_server = demo_server_fixture(plays=2000, seed=11)


def visible(page, selector: str) -> bool:
    return page.locator(selector).first.is_visible()


def test_playlist_form_shows_only_the_chosen_sources_fields(page_factory, demo_server, width):
    page = page_factory(width=width)
    page.goto(demo_server.url + "/playlists")
    page.select_option("#source", "forgotten_gems")
    assert visible(page, "summary:has-text('Forgotten gems window')")
    assert not visible(page, "#period")
    assert visible(page, "#per_artist")
    page.select_option("#source", "time_capsule")
    assert visible(page, "#period") and not visible(page, "summary:has-text('Forgotten gems')")
    page.select_option("#source", "year")
    assert visible(page, "#period") and not visible(page, "#per_artist")
    assert page.locator("#per_artist").is_disabled()  # not sent for a source that ignores it
    # Headings are for the page without JavaScript: with it, the fields speak for themselves.
    assert not visible(page, ".source-fields h3")
    assert_no_horizontal_scroll(page, "/playlists")
    save_screenshot(page, f"look-playlist-form-{width}")
    assert page.console_errors == []


def test_playlist_form_without_javascript_groups_fields_under_headings(page_factory, demo_server):
    page = page_factory(width=375, javascript=False)
    page.goto(demo_server.url + "/playlists")
    headings = page.locator(".source-fields h3").all_inner_texts()
    assert headings == ["For Time capsule and Top of a year", "For Forgotten gems"]
    assert visible(page, "#period") and visible(page, "#per_artist")
    save_screenshot(page, "look-playlist-form-nojs-375")


def test_radio_buttons_sit_beside_their_labels(page_factory, demo_server, width):
    page = page_factory(width=width)
    page.goto(demo_server.url + "/playlists")
    for radio in page.locator("input[type=radio]").all():
        label = radio.locator("xpath=..")
        r, text = radio.bounding_box(), label.bounding_box()
        # Same line: the radio's middle is within the label's height, and the label is
        # only a little taller than one line.
        assert text["y"] <= r["y"] + r["height"] / 2 <= text["y"] + text["height"]
        assert text["height"] < 60


def test_settings_has_a_section_nav_and_the_danger_zone_last(page_factory, demo_server, width):
    page = page_factory(width=width)
    page.goto(demo_server.url + "/settings")
    nav = page.get_by_role("navigation", name="Settings sections")
    links = nav.get_by_role("link")
    assert links.count() >= 8
    assert links.last.inner_text().startswith("Disconnect")
    sections = page.locator(".settings-sections > section").evaluate_all("s => s.map(e => e.id)")
    assert sections[-1] == "danger"
    box, main = nav.bounding_box(), page.locator("#spotify").bounding_box()
    if width >= 1024:  # a side nav left of the sections
        assert box["x"] + box["width"] <= main["x"] + 1
    else:  # one row on top, scrolling sideways, at most two rows tall
        assert box["y"] + box["height"] <= main["y"] + 1
        assert box["height"] < 110
    # The nav follows the page (sticky) and marks the section being read.
    page.locator("#restore").scroll_into_view_if_needed()
    page.wait_for_function("() => document.querySelector('.settings-nav a[aria-current=\"true\"]')")
    assert nav.bounding_box()["y"] < 900 and nav.is_visible()
    assert_no_horizontal_scroll(page, "/settings")
    assert_accessible(page, "/settings")
    assert page.console_errors == []


def test_range_presets_fit_in_one_row_and_the_first_number_is_on_screen(page_factory, demo_server):
    page = page_factory(width=375, height=667)
    page.goto(demo_server.url + "/analytics?range=all")
    chips = page.locator(".range-presets a")
    tops = {round(b["y"]) for b in (c.bounding_box() for c in chips.all())}
    assert len(tops) == 1  # one row, scrolling sideways
    first_number = page.locator(".stat-value").first.bounding_box()
    assert first_number["y"] + first_number["height"] <= 667
    assert_no_horizontal_scroll(page, "/analytics")
    # Every hour column of the heatmap stays inside the card (nothing cut off).
    card = page.locator(".heatmap").locator("xpath=ancestor::section[1]").bounding_box()
    last = page.locator(".heatmap thead th").last.bounding_box()
    assert last["x"] + last["width"] <= card["x"] + card["width"] + 1


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_one_palette_read_from_css_in_light_and_dark(page_factory, demo_server, scheme):
    page = page_factory(width=1280)
    page.emulate_media(color_scheme=scheme)
    page.goto(demo_server.url + "/analytics")
    colours = page.evaluate("""async () => {
      const page = document.querySelector('script[src*="/js/analytics.js"]').src;
      const { chartPalette } = await import(new URL('palette.js', page).href);
      return chartPalette();
    }""")
    assert len(colours["series"]) == 8 and len(set(colours["series"])) == 8
    assert all(c.startswith("#") for c in colours["series"])
    assert colours["series"][0] == ("#4cc797" if scheme == "dark" else "#1f7a5a")
    assert colours["text"] and colours["grid"] and colours["muted"]


def test_long_titles_truncate_with_the_full_title_at_hand(page_factory, demo_server, conn):
    suffix = " (Live at the Royal Albert Hall, 14 March 1998 — Remastered Deluxe Edition)"
    with conn:
        conn.execute("UPDATE tracks SET name = name || ?", (suffix,))
    page = page_factory(width=375)
    page.goto(demo_server.url + "/")
    names = page.locator("#top-tracks-now-title ~ ol .truncate[title]")
    assert names.count() > 0
    for name in names.all():
        assert name.get_attribute("title").endswith(suffix)
        # One line, cut with an ellipsis: the text is wider than its box.
        assert name.evaluate("e => e.scrollWidth > e.clientWidth")
        assert name.bounding_box()["height"] < 30
    assert_no_horizontal_scroll(page, "/")
    save_screenshot(page, "look-long-titles-375")

"""Settings › Genres and artwork in a real headless Chromium against the fake MusicBrainz:
the button starts a run, the progress bar and counts follow it, Cancel stops it, and the
button continues to the end."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from conftest import save_screenshot
from musicbrainz_helpers import clear_faults, fault, musicbrainz_config
from page_checks import demo_server_fixture

from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer

pytestmark = pytest.mark.browser
SEED = 11


@pytest.fixture
def musicbrainz() -> Iterator[FakeMusicBrainzServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with FakeMusicBrainzServer(seed=SEED, artists=300, rate=1000) as running:
        yield running


@pytest.fixture
def app_config(app_config: dict, musicbrainz: FakeMusicBrainzServer) -> dict:
    return musicbrainz_config(app_config, musicbrainz)


demo_server = demo_server_fixture(plays=2000, seed=SEED)


def count(page, key: str) -> int:
    return int(
        page.locator(f'.js-enrich-counts [data-count="{key}"]').inner_text().replace(",", "")
    )


def test_find_genres_button_progress_cancel_and_continue(
    page_factory, demo_server, musicbrainz, width
):
    # Slow answers, so the run is still going when the page looks at it.
    fault(musicbrainz, path_prefix="/ws/2/artist", delay=0.2, times=None)
    page = page_factory(width=width)
    page.goto(demo_server.url + "/settings#genres")
    section = page.locator("section#genres")
    pending = count(page, "pending")
    assert pending > 0 and count(page, "exact") == 0
    section.get_by_role("button", name="Find genres and artwork").click()

    bar = section.locator("progress")
    bar.wait_for(state="visible")
    assert section.get_by_role("button", name="Find genres and artwork").is_disabled()
    page.wait_for_function(
        "() => Number(document.querySelector('[data-count=\"exact\"]').textContent) > 0"
    )
    page.wait_for_function("() => document.querySelector('#enrich-progress-bar').value > 0")
    assert "artists" in section.locator(".js-enrich-message").inner_text()
    save_screenshot(page, f"settings-genres-running-{width}")

    section.get_by_role("button", name="Cancel").click()
    last = section.locator(".js-enrich-last")
    last.wait_for(state="visible")
    assert "cancelled" in last.inner_text()
    assert count(page, "pending") > 0

    clear_faults(musicbrainz)
    section.get_by_role("button", name="Find genres and artwork").click()
    page.wait_for_function(
        "() => document.querySelector('[data-count=\"pending\"]').textContent === '0'",
        timeout=60_000,
    )
    page.wait_for_function("() => document.querySelector('.js-enrich-progress').hidden")
    done = count(page, "exact") + count(page, "by_name") + count(page, "not_found")
    assert done == pending
    assert "matched exactly" in last.inner_text()
    save_screenshot(page, f"settings-genres-done-{width}")
    assert page.console_errors == []

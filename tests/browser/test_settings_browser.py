"""Settings in a real headless Chromium: layout at phone and desktop width, the two-step
clear flow, a backup download, restoring it, and "Sync now" against the fake Spotify."""

from __future__ import annotations

import re
import sqlite3

import pytest
from conftest import save_screenshot
from factories import play_count
from page_checks import connect_spotify, demo_server_fixture, wait_for_import_report
from spotify_helpers import clear_faults, fault

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"
WIDE_ELEMENTS = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : ''))"""
BACKUP_NAME = re.compile(r"^music-time-machine-you-\d{4}-\d{2}-\d{2}\.sqlite$")


def assert_fits(page, where: str) -> None:
    assert page.evaluate(NO_HORIZONTAL_SCROLL), (
        f"{where} scrolls sideways: {page.evaluate(WIDE_ELEMENTS)}"
    )


demo_server = demo_server_fixture(plays=2000, seed=11)


def test_settings_fits_the_screen_without_console_errors(page_factory, demo_server, width):
    page = page_factory(width=width)
    response = page.goto(demo_server.url + "/settings")
    assert response.status == 200
    for section in (
        "spotify",
        "sync",
        "import",
        "data",
        "preferences",
        "export",
        "restore",
        "danger",
    ):
        assert page.locator(f"section#{section}").count() == 1, section
    assert page.get_by_role("button", name="Restore").is_visible()
    assert_fits(page, "/settings")
    save_screenshot(page, f"settings-{width}")
    assert page.console_errors == []


def test_clearing_takes_two_steps_and_leaves_an_empty_home(
    page_factory, demo_server, conn, local_user, width
):
    page = page_factory(width=width)
    page.goto(demo_server.url + "/settings#danger")
    page.get_by_role("link", name="Clear all data…").click()
    page.wait_for_url("**/settings/clear?what=data")
    # Step 1 shows what would go in words a person recognises, never table names.
    what = page.locator(".clear-list").inner_text()
    assert "2,000 streams: every play in your history" in what
    assert "rollup" not in what and "_" not in what
    # The phrase box shows the whole phrase.
    box = page.locator("#phrase")
    assert box.evaluate("e => e.scrollWidth <= e.clientWidth + 1 && e.clientWidth >= 250")
    assert conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 2000  # and deletes none
    assert_fits(page, "/settings/clear")
    save_screenshot(page, f"settings-clear-{width}")
    page.get_by_label("Type delete my listening history to confirm").fill(
        "delete my listening history"
    )
    page.get_by_role("button", name="Delete all listening data").click()
    page.wait_for_url("**/settings")
    assert page.get_by_text("Deleted 2,000 streams").is_visible()
    assert play_count(conn, local_user) == 0
    page.goto(demo_server.url + "/")
    assert page.get_by_text("No listening history yet").first.is_visible()
    assert page.locator(".stat-card").count() == 0
    assert page.console_errors == []


def test_a_wrong_phrase_deletes_nothing(page_factory, demo_server, conn):
    page = page_factory(width=375)
    page.goto(demo_server.url + "/settings/clear?what=data")
    page.get_by_label("Type delete my listening history to confirm").fill("delete it all")
    page.get_by_role("button", name="Delete all listening data").click()
    assert page.get_by_text("The phrase did not match").is_visible()
    assert conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 2000


def test_backup_download_then_restore_after_clearing(
    page_factory, demo_server, conn, local_user, tmp_path
):
    page = page_factory(width=375)
    page.goto(demo_server.url + "/settings#export")
    with page.expect_download() as info:
        page.get_by_role("link", name="SQLite backup").click()
    download = info.value
    assert BACKUP_NAME.match(download.suggested_filename), download.suggested_filename
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    with sqlite3.connect(path) as backup:
        assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert backup.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 2000

    # Clear everything, then bring it back from the file, in place with the progress bar.
    page.goto(demo_server.url + "/settings/clear?what=data")
    page.get_by_label("Type delete my listening history to confirm").fill(
        "delete my listening history"
    )
    page.get_by_role("button", name="Delete all listening data").click()
    page.wait_for_url("**/settings")
    assert conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 0
    page.goto(demo_server.url + "/settings#restore")
    page.set_input_files("#restore-file", str(path))
    page.locator("#restore").get_by_role("button", name="Restore").click()
    report = page.locator("#restore .import-report")
    report.wait_for(timeout=30_000)
    assert page.url.endswith("/settings#restore")  # no navigation
    assert "Restore finished" in report.inner_text()
    assert "2,000" in report.inner_text()
    assert page.locator("#import .import-report").count() == 0  # the import's box stays empty
    assert play_count(conn, local_user) == 2000
    assert_fits(page, "restore report")
    save_screenshot(page, "settings-restore-375")
    page.get_by_role("link", name="See your dashboard").click()
    page.wait_for_selector(".stat-card")
    assert page.console_errors == []


def test_restoring_a_wrong_file_says_why(page_factory, demo_server, conn, tmp_path):
    wrong = tmp_path / "Streaming_History_Audio_2024.json"
    wrong.write_text('[{"ts": "2024-01-01T00:00:00Z", "ms_played": 1000}]')
    page = page_factory(width=1280)
    page.goto(demo_server.url + "/settings#restore")
    page.set_input_files("#restore-file", str(wrong))
    page.locator("#restore").get_by_role("button", name="Restore").click()
    report = page.locator("#restore .import-report")
    report.wait_for(timeout=30_000)
    assert "Restore refused" in report.inner_text()
    assert "is not a SQLite file" in report.inner_text()
    assert conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 2000
    assert page.console_errors == []


def test_restore_without_javascript_shows_the_job_page(page_factory, demo_server, client, tmp_path):
    path = tmp_path / "backup.sqlite"
    path.write_bytes(client.get("/settings/export/backup.sqlite").data)
    page = page_factory(width=375, javascript=False)
    page.goto(demo_server.url + "/settings#restore")
    page.set_input_files("#restore-file", str(path))
    page.locator("#restore").get_by_role("button", name="Restore").click()
    page.wait_for_url("**/settings/import/**")
    wait_for_import_report(page)  # the page refreshes itself until the report is there
    assert "Restore finished" in page.locator(".import-report").inner_text()
    assert "2,000 were already here" in page.locator(".import-report").inner_text()


@pytest.mark.fake_spotify
def test_sync_now_with_javascript_shows_the_result_in_place(app, live_server, page_factory):
    page = page_factory(width=375)
    connect_spotify(app, live_server, page)
    token = page.locator(".token-state")
    assert "Valid" in token.inner_text()
    assert page.locator("time.next-sync").count() == 1
    url = page.url
    button = page.get_by_role("button", name="Sync now")
    button.click()
    box = page.locator(".sync-status")
    page.wait_for_function(
        "() => /Sync finished/.test(document.querySelector('.sync-status').textContent)",
        timeout=30_000,
    )
    assert re.search(r"\d+ new plays? saved\.|Up to date", box.inner_text())
    assert "sync-status-ok" in (box.get_attribute("class") or "")
    assert page.url == url  # in place: no navigation
    assert page.get_by_role("button", name="Sync now").is_enabled()
    assert_fits(page, "/settings after sync")
    save_screenshot(page, "settings-sync-375")
    assert page.console_errors == []


@pytest.mark.fake_spotify
def test_a_failed_sync_turns_the_status_red_in_place(app, live_server, page_factory, fake):
    page = page_factory(width=375)
    connect_spotify(app, live_server, page)
    fault(fake, path_prefix="/v1/", status=500, times=None)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_function(
        "() => /Sync failed/.test(document.querySelector('.sync-status').textContent)",
        timeout=30_000,
    )
    box = page.locator(".sync-status")
    assert "sync-status-error" in (box.get_attribute("class") or "")
    assert "Spotify's servers answered with errors (HTTP 500)" in box.inner_text()
    assert "Next automatic try at" in box.inner_text()
    assert page.get_by_role("button", name="Sync now").is_enabled()
    assert_fits(page, "/settings after a failed sync")
    save_screenshot(page, "settings-sync-failed-375")
    assert page.console_errors == []


@pytest.mark.fake_spotify
def test_sync_now_without_javascript_shows_running_then_the_result(
    app, live_server, page_factory, fake
):
    page = page_factory(width=375, javascript=False)
    connect_spotify(app, live_server, page)
    # The fake holds the sync's first request until the faults are cleared.
    fault(fake, path_prefix="/v1/me/player/recently-played", delay=60)
    page.get_by_role("button", name="Sync now").click()
    page.wait_for_url(f"{live_server.url}/settings#sync")
    assert "Sync running" in page.locator(".sync-status").inner_text()
    assert page.get_by_role("button", name="Syncing…").is_disabled()
    clear_faults(fake)
    for _ in range(60):  # the page reloads itself (a <noscript> refresh) until the result
        if "Sync finished" in page.locator(".sync-status").inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "50 new plays saved." in page.locator(".sync-status").inner_text()
    assert page.get_by_role("button", name="Sync now").is_enabled()

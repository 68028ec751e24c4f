"""Uploading an export on the Settings page: progress, then the report, with and without JS."""

import pytest
from conftest import save_screenshot
from import_fixtures import sample_export_zip
from page_checks import wait_for_import_report

pytestmark = pytest.mark.browser


@pytest.fixture
def export_zip(tmp_path):
    return sample_export_zip(tmp_path / "my_spotify_data.zip")


def test_upload_shows_progress_then_the_report_in_place(
    page_factory, live_server, export_zip, width
):
    page = page_factory(width=width)
    page.goto(live_server.url + "/settings#import")
    page.set_input_files("#import-files", str(export_zip))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector(".import-report", timeout=30_000)
    assert page.url.endswith("/settings#import")  # no navigation
    report = page.locator(".import-report")
    assert "Import finished" in report.inner_text()
    # tests/data's extended files: 7 + 19 + 2 plays (see test_import_samples.HAND_COUNTS)
    assert "Read 44 rows from 3 files: added 28 plays" in report.inner_text()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    save_screenshot(page, f"import-report-{width}")
    page.get_by_role("link", name="See your dashboard").click()
    page.wait_for_selector(".stat-card")
    assert page.console_errors == []


def test_upload_without_javascript_lands_on_the_job_page(page_factory, live_server, export_zip):
    page = page_factory(width=375, javascript=False)
    page.goto(live_server.url + "/settings#import")
    page.set_input_files("#import-files", str(export_zip))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url("**/settings/import/**")
    wait_for_import_report(page)  # the page refreshes itself until the report is there
    assert "Import finished" in page.locator(".import-report").inner_text()

"""The import flow in the browser's shoes: upload, background job, progress, report."""

from pathlib import Path

import pytest
from factories import play_count
from import_fixtures import SAMPLE_EXTENDED_DIR, need_samples, sample_export_zip
from upload_forms import post_files, upload_files
from web_client import csrf

from music_time_machine import create_app
from music_time_machine.db.users import create_user


@pytest.fixture
def export_zip(tmp_path) -> bytes:
    return sample_export_zip(tmp_path / "my_spotify_data.zip").read_bytes()


#: (rows read, plays added, streams stored) for the extended files of each export.
ZIP_COUNTS = {
    # tests/data: 8 + 30 + 6 rows; plays 7 + 19 + 2; stored: all but 2 + 1 rows naming
    # nothing, 2 incognito and 1 exact copy (44 - 6).
    "data": (44, 28, 38),
    # the real samples (35 + 1,470 + 16 rows, every one a distinct stream).
    "shared": (1521, 790, 1521),
}


@pytest.mark.parametrize("root", ["data", "shared"])
def test_upload_runs_in_the_background_and_reports(client, conn, local_user, app, tmp_path, root):
    if root == "shared":
        need_samples()
        export_zip = sample_export_zip(tmp_path / "real.zip", SAMPLE_EXTENDED_DIR).read_bytes()
    else:
        export_zip = sample_export_zip(tmp_path / "my_spotify_data.zip").read_bytes()
    rows_read, plays_added, stored = ZIP_COUNTS[root]
    job = upload_files(client, [(export_zip, "my_spotify_data.zip")], timeout=90)
    assert job["status"] == "done"
    totals = job["summary"]["totals"]
    assert (totals["rows_read"], totals["plays_added"]) == (rows_read, plays_added)
    assert [s["name"] for s in job["summary"]["skipped"]][0].endswith("ReadMeFirst.pdf")
    assert "Plays added" in job["html"]
    assert play_count(conn, local_user) == stored
    assert list(Path(app.config["MTM_DATA_DIR"], "uploads").glob("*/*")) == []  # removed
    page = client.get(f"/settings/import/{job['id']}").get_data(as_text=True)
    assert "Import finished" in page and "Streaming_History_Audio_2023.json" in page


def test_without_javascript_the_form_redirects_to_the_job_page(client, export_zip):
    response = post_files(client, [(export_zip, "my_spotify_data.zip")], json=False)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "<progress" in page or "Import finished" in page


def test_an_empty_upload_is_refused_with_a_message(client):
    response = client.post(
        "/settings/import", data={"csrf_token": csrf(client)}, follow_redirects=True
    )
    assert "Choose my_spotify_data.zip" in response.get_data(as_text=True)


def test_uploads_over_the_limit_are_refused_before_reading_them(app_config):
    app = create_app({**app_config, "MTM_MAX_UPLOAD_MB": 1})
    client = app.test_client()
    response = post_files(client, [(b"x" * (2 << 20), "big.json")])
    assert response.status_code == 413
    assert "MTM_MAX_UPLOAD_MB" in response.get_json()["error"]


def test_another_users_job_does_not_exist_for_you(app, client, conn):
    other = create_user(conn, "Other")
    from music_time_machine.db.jobs import create_job

    job_id = create_job(conn, other)
    assert client.get(f"/settings/import/{job_id}").status_code == 404
    assert client.get(f"/api/import/{job_id}").status_code == 404

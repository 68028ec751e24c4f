"""``mtm enrich`` runs the server's enrichment job, in its own process: while it runs,
Settings shows it and the server starts no second run for that user (nor does a second
``mtm enrich``); the server's Cancel stops it, and so does Ctrl+C. Real processes, one real
SQLite file, the fake MusicBrainz over HTTP."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from import_fixtures import EXTENDED_DIR
from musicbrainz_helpers import clear_faults, fault, musicbrainz_config, server_fixture
from web_client import csrf_headers, wait_until

import music_time_machine
from music_time_machine.cli import main
from music_time_machine.db import jobs
from music_time_machine.importers import run_import
from music_time_machine.metadata.jobs import KIND

server, fresh = server_fixture()


@pytest.fixture
def app_config(app_config: dict, server, tmp_path: Path) -> dict:
    """The server's settings; ``mtm enrich`` finds the same database from MTM_DATA_DIR."""
    return {
        **musicbrainz_config(app_config, server),
        "DATABASE": str(tmp_path / "music-time-machine.sqlite"),
    }


@pytest.fixture
def cli_env(app_config: dict) -> dict[str, str]:
    """The environment ``mtm enrich`` runs with: the same data folder and fake."""
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("MTM_", "SPOTIFY_"))}
    return keep | {
        "PYTHONPATH": str(Path(music_time_machine.__file__).parents[1]),
        "MTM_DATA_DIR": app_config["MTM_DATA_DIR"],
        "MTM_MUSICBRAINZ_URL": app_config["MTM_MUSICBRAINZ_URL"],
        "MTM_COVERART_URL": app_config["MTM_COVERART_URL"],
        "MTM_MUSICBRAINZ_RATE": "100",
    }


@pytest.fixture
def slow_cli_run(conn, local_user, server, cli_env):
    """``mtm enrich`` started in its own process, each artist search held a second by the
    fake, once its job row says it is running; the process is ended if a test left it."""
    run_import(conn, local_user, sorted(EXTENDED_DIR.glob("*.json")))
    fault(server, path_prefix="/ws/2/artist", delay=1.0, times=None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "music_time_machine.cli", "enrich"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(lambda: (job := enrich_job(conn, local_user)) and job["status"] == "running")
        yield proc
    finally:
        clear_faults(server)
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=30)


def enrich_job(conn, user_id: int) -> dict | None:
    return jobs.latest_job_of(conn, user_id, KIND)


def enrich_jobs(conn, user_id: int) -> int:
    return sum(row["kind"] == KIND for row in jobs.recent_jobs(conn, user_id, limit=100))


def test_settings_shows_a_cli_run_starts_no_second_and_its_cancel_stops_it(
    client, conn, local_user, slow_cli_run, cli_env
):
    cli_job = enrich_job(conn, local_user)
    shown = wait_until(lambda: (s := client.get("/api/enrich").get_json())["progress"] > 0 and s)
    assert shown["running"] and "Finding genres" in shown["message"]  # the CLI's progress
    page = client.get("/settings").get_data(as_text=True)
    assert 'data-running="true"' in page and 'class="import-progress js-enrich-progress">' in page

    started = client.post("/settings/enrich", headers=csrf_headers(client, json=True))
    assert started.status_code == 202 and started.get_json()["running"]
    assert enrich_jobs(conn, local_user) == 1  # the server joined the CLI's run
    second = CliRunner().invoke(main, ["enrich"], env=cli_env)
    assert second.exit_code == 1 and "already being looked up" in second.output
    assert enrich_jobs(conn, local_user) == 1

    cancelled = client.post("/settings/enrich/cancel", headers=csrf_headers(client, json=True))
    assert cancelled.get_json()["notice"].startswith("Stopping")
    out, err = slow_cli_run.communicate(timeout=30)
    assert slow_cli_run.returncode == 1, err
    job = enrich_job(conn, local_user)
    assert job["id"] == cli_job["id"] and job["status"] == "cancelled"
    assert job["message"].startswith("Cancelled.") and job["message"] in out
    assert not client.get("/api/enrich").get_json()["running"]


def test_ctrl_c_marks_the_cli_run_cancelled(conn, local_user, slow_cli_run):
    slow_cli_run.send_signal(signal.SIGINT)
    slow_cli_run.communicate(timeout=30)
    assert slow_cli_run.returncode != 0
    job = enrich_job(conn, local_user)
    assert job["status"] == "cancelled" and job["message"].startswith("Cancelled (Ctrl+C).")
    assert jobs.unfinished_job_of(conn, local_user, KIND) is None

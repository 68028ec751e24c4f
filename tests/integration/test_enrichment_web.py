"""Enrichment as a user meets it: an imported export (tests/data) gets its genres in the
background, the genre chart and every mood preview use them, Settings starts, follows and
cancels a run, and the advice never sends a development-mode user to sync for genres."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
import requests
from import_fixtures import sample_export_zip
from musicbrainz_helpers import (
    clear_faults,
    fault,
    fresh,  # noqa: F401  (autouse: each test starts on a reset fake)
    musicbrainz_config,
)
from upload_forms import upload_files
from web_client import csrf, csrf_headers, wait_until

from music_time_machine import create_app
from music_time_machine.db import connect, jobs
from music_time_machine.db import enrichment as store
from music_time_machine.importers import run_import
from music_time_machine.metadata import jobs as enrich_jobs
from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer
from music_time_machine.sandbox.fake_musicbrainz.catalogue import MbArtist, mbid

MOODS = ("workout", "focus", "party", "chill", "melancholic")
OLD_ADVICE = "Sync with Spotify to fetch artist genres"
#: The tests/data export's artists as the fake MusicBrainz will know them: (name there,
#: genres, mood tags). "Mira Sol" stays unknown; "Kestrel and Finch" is spelled with "&".
KNOWN = {
    "Lantern Bay": ("Lantern Bay", ("dream pop",), ("chill", "mellow")),
    "Ondine Vale": ("Ondine Vale", ("trip hop",), ("ambient", "calm")),
    "Harbour Lights": ("Harbour Lights", ("hard rock",), ("energetic", "aggressive")),
    "Juniper Moss": ("Juniper Moss", ("bluegrass",), ("melancholic", "acoustic")),
    "Kestrel and Finch": ("Kestrel & Finch", ("disco",), ("party", "upbeat")),
}


@pytest.fixture(scope="module")
def server() -> Iterator[FakeMusicBrainzServer]:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with FakeMusicBrainzServer(seed=3, artists=60, rate=1000) as running:
        for world_name, (name, genres, tags) in KNOWN.items():
            artist = MbArtist(
                id=mbid(3, "test-export", name),
                name=name,
                sort_name=name,
                type="Group",
                country="GB",
                disambiguation="",
                genres=[(g, 5) for g in genres],
                tags=[(g, 5) for g in genres] + [(t, 3) for t in tags] + [("seen live", 2)],
                aliases=[world_name] if world_name != name else [],
            )
            running.catalogue.artists[artist.id] = artist
        yield running


@pytest.fixture
def app_config(app_config: dict, server: FakeMusicBrainzServer) -> dict:
    return musicbrainz_config(app_config, server)


def upload_export(client, tmp_path) -> None:
    data = sample_export_zip(tmp_path / "my_spotify_data.zip").read_bytes()
    assert upload_files(client, [(data, "my_spotify_data.zip")])["status"] == "done"


def enrichment_finished(client) -> dict:
    return wait_until(
        lambda: (
            (s := client.get("/api/enrich").get_json())["last_status"]
            in ("done", "failed", "cancelled")
            and not s["running"]
            and s
        )
    )


def preview(client, source: str):
    return client.post(
        "/api/playlists/preview",
        json={"source": source, "size": 20},
        headers=csrf_headers(client),
    )


def test_an_imported_export_gets_genres_and_every_mood_after_enrichment(
    client, local_user, tmp_path
):
    upload_export(client, tmp_path)  # the import starts the enrichment run by itself
    status = enrichment_finished(client)

    assert status["last_status"] == "done"
    counts = status["counts"]
    assert (counts["exact"], counts["by_name"], counts["pending"]) == (0, 5, 0)
    assert counts["not_found"] >= 1  # Mira Sol, and the music videos' artists
    assert f"5 by name, {counts['not_found']} not found" in status["message"]
    genres = client.get("/api/stats/top-genres?range=all").get_json()
    names = {g["genre"] for g in genres["items"]}
    # MusicBrainz genres only ("ambient" is one, tagged by listeners; "seen live" is not).
    assert names == {"dream pop", "trip hop", "ambient", "hard rock", "bluegrass", "disco"}
    # Honest: the one unknown artist's plays, and no more.
    assert 0 < genres["unknown_share"] < 0.35
    for mood in MOODS:
        response = preview(client, mood)
        assert response.status_code == 200, (mood, response.get_json())
        tracks = response.get_json()["tracks"]
        assert tracks
        for track in tracks:
            assert "(MusicBrainz)" in track["score_source"] or "tag: " in track["score_source"]
            assert track["why"]
    chill = preview(client, "chill").get_json()["tracks"]
    assert chill[0]["artist"] in ("Lantern Bay", "Ondine Vale")
    assert "tag: chill" in chill[0]["score_source"] or "tag: ambient" in chill[0]["score_source"]
    workout = preview(client, "workout").get_json()["tracks"]
    assert workout[0]["artist"] in ("Harbour Lights", "Kestrel and Finch")


def test_before_enrichment_the_advice_is_true_and_never_says_sync(tmp_path, server):
    """Enrichment off (MTM_ENRICH=0): the moods can score nothing, and say what helps."""
    app = create_app(
        {
            "TESTING": True,
            "MTM_DATA_DIR": str(tmp_path),
            "MTM_LOCAL_MODE": True,
            "SECRET_KEY": "k" * 32,
            "MTM_TIMEZONE": "UTC",
            "RATELIMIT_ENABLED": False,
            "MTM_ENRICH": False,
        }
    )
    client = app.test_client()
    upload_export(client, tmp_path)
    settings = client.get("/settings").get_data(as_text=True)
    assert "Turned off (MTM_ENRICH=0)." in settings
    for mood in MOODS:
        response = preview(client, mood)
        assert response.status_code == 422
        message = response.get_json()["error"]
        assert OLD_ADVICE not in message and "Sync with Spotify" not in message
        assert "Find genres and artwork on Settings" in message
        assert " artists on MusicBrainz" in message
    assert server.traffic()["requests"] == 0  # nothing was asked while turned off
    html = client.post(
        "/playlists", data={"csrf_token": csrf(client), "source": "focus", "action": "preview"}
    ).get_data(as_text=True)
    assert OLD_ADVICE not in html


def test_when_musicbrainz_knows_nothing_the_advice_says_so(client, local_user, app, tmp_path):
    conn = connect(app.config["DATABASE"])
    try:
        from import_fixtures import EXTENDED_DIR

        run_import(conn, local_user, sorted(EXTENDED_DIR.glob("*.json")))
        for artist in store.pending_artists(conn, local_user):
            store.save_not_found(conn, artist.id, 0.2)
    finally:
        conn.close()
    message = preview(client, "focus").get_json()["error"]
    assert "MusicBrainz knows no genres or mood tags" in message
    assert "Find genres" not in message and OLD_ADVICE not in message


def test_settings_starts_follows_and_cancels_a_run(client, local_user, app, tmp_path, server):
    conn = connect(app.config["DATABASE"])
    try:
        from import_fixtures import EXTENDED_DIR

        run_import(conn, local_user, sorted(EXTENDED_DIR.glob("*.json")))
    finally:
        conn.close()
    page = client.get("/settings").get_data(as_text=True)
    assert "Find genres and artwork" in page and 'id="genres"' in page
    fault(server, path_prefix="/ws/2/artist", delay=0.3, times=None)
    token = csrf(client)
    try:
        started = client.post(
            "/settings/enrich", headers={"X-CSRFToken": token, "Accept": "application/json"}
        )
        assert started.status_code == 202 and started.get_json()["running"]
        again = client.post(
            "/settings/enrich", headers={"X-CSRFToken": token, "Accept": "application/json"}
        )
        assert again.status_code == 202  # the same run: one per user
        conn = connect(app.config["DATABASE"])
        try:
            assert (
                conn.execute("SELECT COUNT(*) FROM import_jobs WHERE kind = 'enrich'").fetchone()[0]
                == 1
            )
            assert store.is_wanted(conn, local_user)
        finally:
            conn.close()
        cancelled = client.post(
            "/settings/enrich/cancel", headers={"X-CSRFToken": token, "Accept": "application/json"}
        )
        assert cancelled.status_code == 200
        status = enrichment_finished(client)
    finally:
        clear_faults(server)
    assert status["last_status"] == "cancelled"
    assert "continues where it stopped" in status["message"]
    assert status["counts"]["pending"] > 0
    conn = connect(app.config["DATABASE"])
    try:
        assert not store.is_wanted(conn, local_user)  # a cancel is not resumed at restart
    finally:
        conn.close()
    # The button continues: the rest is looked up.
    client.post("/settings/enrich", headers={"X-CSRFToken": token, "Accept": "application/json"})
    status = wait_until(
        lambda: (s := client.get("/api/enrich").get_json())["last_status"] == "done" and s
    )
    assert status["counts"]["pending"] == 0


def test_starting_needs_the_csrf_token(client, local_user):
    assert (
        client.post("/settings/enrich", headers={"Accept": "application/json"}).status_code == 400
    )


def test_the_public_service_needs_a_contact_and_settings_says_so(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "MTM_DATA_DIR": str(tmp_path),
            "MTM_LOCAL_MODE": True,
            "SECRET_KEY": "k" * 32,
            "RATELIMIT_ENABLED": False,
            "MTM_MUSICBRAINZ_URL": "https://musicbrainz.org",
            "MTM_CONTACT": "",
        }
    )
    client = app.test_client()
    page = client.get("/settings").get_data(as_text=True)
    assert "set MTM_CONTACT" in page
    refused = client.post("/settings/enrich", headers=csrf_headers(client, json=True))
    assert refused.status_code == 409 and "MTM_CONTACT" in refused.get_json()["notice"]


def test_a_restart_resumes_the_wanted_runs(app, local_user, server):
    """A server stopped mid-run leaves the wish stored; ``mtm serve`` resumes it at start."""
    conn = connect(app.config["DATABASE"])
    try:
        from import_fixtures import EXTENDED_DIR

        run_import(conn, local_user, sorted(EXTENDED_DIR.glob("*.json")))
        store.want(conn, local_user, "import")
    finally:
        conn.close()
    restarted = create_app(app.config)  # a new process's app on the same data
    assert len(enrich_jobs.resume_wanted(restarted)) == 1
    conn = connect(app.config["DATABASE"])
    try:
        wait_until(lambda: not store.is_wanted(conn, local_user))
        assert store.counts(conn, local_user).pending == 0
    finally:
        conn.close()


def test_mtm_enrich_runs_from_the_cli_and_a_second_run_asks_nothing(tmp_path, server, monkeypatch):
    from click.testing import CliRunner
    from import_fixtures import EXTENDED_DIR

    from music_time_machine.cli import main

    for key in ("MTM_ENRICH", "MTM_CONTACT", "MTM_LOCAL_MODE", "SPOTIFY_CLIENT_ID"):
        monkeypatch.delenv(key, raising=False)
    env = {
        "MTM_DATA_DIR": str(tmp_path),
        "MTM_MUSICBRAINZ_URL": server.url,
        "MTM_COVERART_URL": server.url,
        "MTM_MUSICBRAINZ_RATE": "100",
    }
    runner = CliRunner()
    imported = runner.invoke(
        main, ["import", *map(str, sorted(EXTENDED_DIR.glob("*.json")))], env=env
    )
    assert imported.exit_code == 0, imported.output
    conn = connect(tmp_path / "music-time-machine.sqlite")
    try:
        user = conn.execute("SELECT id FROM users").fetchone()[0]
        assert store.is_wanted(conn, user)  # the next server start would enrich
    finally:
        conn.close()
    result = runner.invoke(main, ["enrich"], env=env)
    assert result.exit_code == 0, result.output
    assert "5 by name" in result.output
    conn = connect(tmp_path / "music-time-machine.sqlite")
    try:  # the run is a job like the server's: Settings shows its summary
        job = jobs.latest_job_of(conn, user, enrich_jobs.KIND)
    finally:
        conn.close()
    assert job["status"] == "done" and job["message"] in result.output
    assert job["summary"]["by_name"] == 5 and job["summary"]["kind"] == "enrich"
    requests.post(f"{server.url}/_fake/reset", timeout=5).raise_for_status()
    again = runner.invoke(main, ["enrich", "--user", str(user)], env=env)
    assert again.exit_code == 0 and "0 artists looked up" in again.output
    assert server.traffic()["requests"] == 0
    conn = connect(tmp_path / "music-time-machine.sqlite")
    try:
        assert not store.is_wanted(conn, user)
    finally:
        conn.close()
    off = runner.invoke(main, ["enrich"], env={**env, "MTM_ENRICH": "0"})
    assert off.exit_code == 1 and "MTM_ENRICH=0" in off.output
    nobody = runner.invoke(main, ["enrich", "--user", "999"], env=env)
    assert nobody.exit_code == 1 and "no user 999" in nobody.output


@pytest.mark.fake_spotify
def test_a_sync_that_brings_new_artists_starts_a_run_and_one_without_does_not(
    app, client, local_user
):
    from spotify_helpers import connect_via_app

    from music_time_machine.spotify.background import run_sync

    assert connect_via_app(client).status_code == 302
    assert run_sync(app, local_user, "cli").outcome in ("ok", "partial")
    conn = connect(app.config["DATABASE"])
    try:
        wait_until(
            lambda: (
                conn.execute("SELECT status FROM import_jobs WHERE kind = 'enrich'").fetchone()[0]
                == "done"
            )
        )
        assert store.counts(conn, local_user).pending == 0
        assert store.counts(conn, local_user).looked_up > 0
        assert run_sync(app, local_user, "cli").outcome in ("ok", "partial")
        assert (
            conn.execute("SELECT COUNT(*) FROM import_jobs WHERE kind = 'enrich'").fetchone()[0]
            == 1
        )  # nothing new to look up
    finally:
        conn.close()

""" "Sync now" and the sync's result on Settings, against the fake Spotify's faults over HTTP.

A failed sync must read as a failure (red, the reason in plain words, the next automatic
try), a partial one must say what was saved and why it stopped, and the POST must never wait
for Spotify: it answers while the fake still holds the sync's request.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape

import pytest
from spotify_helpers import clear_faults, connect_via_app, control, fault, wait_for_sync
from web_client import csrf_headers

from music_time_machine.db import sync_state

pytestmark = pytest.mark.fake_spotify


@pytest.fixture
def connected(app, client, conn, local_user, fake):
    assert connect_via_app(client).status_code == 302
    control(fake, "POST", "clock", now=1_760_000_000)
    yield local_user
    clear_faults(fake)  # wakes any request the fake still holds


def sync_now(client, json: bool = False):
    return client.post("/settings/sync", headers=csrf_headers(client, json=json))


def status_box(client) -> tuple[str, str]:
    """The Settings page's sync status box: (its CSS classes, its text)."""
    page = client.get("/settings").get_data(as_text=True)
    box = re.search(r'<div class="(sync-status [^"]+)"[^>]*>(.*?)</div>', page, re.S)
    assert box, "the Sync section has no status box"
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", box.group(2)))).strip()
    return box.group(1), text


def hhmm(epoch_s: int) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%H:%M")  # the user's zone is UTC


def assert_failed_with(client, reason: str) -> dict:
    status = wait_for_sync(client)
    assert (status["outcome"], status["level"]) == ("failed", "error"), status
    assert status["title"] == "Sync failed"
    assert status["next_try_at"] is not None
    expected = (
        f"{reason} — nothing new was saved. Next automatic try at {hhmm(status['next_try_at'])}."
    )
    assert status["message"] == expected
    classes, text = status_box(client)
    assert "sync-status-error" in classes
    assert "Sync failed" in text and expected in text
    assert "0 new plays" not in text and "partly" not in text
    return status


def test_server_errors_show_a_red_failure_with_the_reason_and_the_next_try(client, connected, fake):
    fault(fake, path_prefix="/v1/", status=500, times=None)
    answer = sync_now(client)
    assert answer.status_code == 302  # POST/redirect/GET back to the Sync section
    assert answer.headers["Location"].endswith("/settings#sync")
    assert_failed_with(client, "Spotify's servers answered with errors (HTTP 500)")


def test_time_outs_fail_within_the_configured_time_out(app, client, connected, fake):
    app.config["MTM_SPOTIFY_TIMEOUT"] = 0.2  # the setting, not a sleep, keeps this short
    fault(fake, path_prefix="/v1/", delay=30, times=None)
    assert sync_now(client, json=True).status_code == 202
    assert_failed_with(client, "Spotify's servers did not answer in time")


def test_a_token_endpoint_error_is_named_as_such(client, connected, fake):
    fault(fake, expire_access_tokens=True)
    fault(fake, path_prefix="/api/token", status=500, times=None)
    sync_now(client)
    assert_failed_with(
        client,
        "Spotify's sign-in service answered with errors (HTTP 500) "
        "when the access token was renewed",
    )


def test_a_rate_limit_says_how_long_spotify_asked_to_wait(client, conn, connected, fake):
    fault(
        fake, path_prefix="/v1/me/player/recently-played", status=429, retry_after=600, times=None
    )
    sync_now(client)
    status = wait_for_sync(client)
    resume_after = sync_state.get_state(conn, connected)["resume_after"]
    assert (status["outcome"], status["level"]) == ("rate_limited", "warn")
    assert status["next_try_at"] >= resume_after
    assert status["message"] == (
        "Spotify limits how often apps may ask (rate limit) and asked us to wait 10 minutes "
        f"— nothing new was saved. Next automatic try at {hhmm(status['next_try_at'])}."
    )
    assert "sync-status-warn" in status_box(client)[0]
    again = sync_now(client, json=True)  # during the pause nothing starts, and we say why
    assert again.status_code == 429
    assert again.get_json()["message"].startswith(
        "Sync not started: Spotify asked us to pause syncing until"
    )


def test_a_partial_sync_says_how_many_plays_were_saved_and_why_it_stopped(client, connected, fake):
    fault(fake, path_prefix="/v1/me/top/", status=503, times=None)
    sync_now(client)
    status = wait_for_sync(client)
    assert (status["outcome"], status["level"], status["plays_added"]) == ("partial", "warn", 50)
    expected = (
        "50 new plays saved. Stopped while fetching your top lists: Spotify's servers "
        f"answered with errors (HTTP 503). Next automatic try at "
        f"{hhmm(status['next_try_at'])}."
    )
    assert status["message"] == expected
    classes, text = status_box(client)
    assert "sync-status-warn" in classes and expected in text


def test_sync_now_answers_while_spotify_still_holds_the_request(client, connected, fake):
    # The fake holds the sync's first request for 60 s (until the faults are cleared), and
    # the client's time-out is the default 10 s: a POST that waited for the sync could not
    # answer before the faults are cleared below.
    fault(fake, path_prefix="/v1/me/player/recently-played", delay=60, times=1)
    answer = sync_now(client, json=True)
    assert answer.status_code == 202
    assert answer.get_json()["outcome"] == "running" and answer.get_json()["running"]
    running = client.get("/api/sync").get_json()
    assert (running["outcome"], running["level"], running["running"]) == (
        "running",
        "running",
        True,
    )
    page = client.get("/settings").get_data(as_text=True)
    assert "Sync running" in page
    assert re.search(r"<button[^>]*disabled[^>]*>Syncing…</button>", page)
    assert '<noscript><meta http-equiv="refresh"' in page  # without JS the page reloads
    assert sync_now(client, json=True).status_code == 409  # one sync at a time
    clear_faults(fake)
    done = wait_for_sync(client)
    assert (done["outcome"], done["level"], done["message"]) == ("ok", "ok", "50 new plays saved.")
    assert "sync-status-ok" in status_box(client)[0]


def test_a_run_cut_off_by_a_stopped_server_is_not_shown_as_running(client, conn, connected):
    sync_state.start_run(conn, connected, "manual")  # a run row, but nobody holds the lease
    status = client.get("/api/sync").get_json()
    assert (status["outcome"], status["level"], status["running"]) == ("failed", "error", False)
    assert status["message"].startswith(
        "The sync stopped unexpectedly: the server was stopped or restarted — nothing new"
    )


def test_the_status_json_carries_the_sections_facts_and_history_as_the_page_has_them(
    client, connected
):
    before = client.get("/api/sync").get_json()
    assert "<dd>never</dd>" in before["facts_html"]
    assert "No syncs yet." in before["history_html"]
    sync_now(client, json=True)
    done = wait_for_sync(client)
    assert "<dd>never</dd>" not in done["facts_html"]
    assert "Recent syncs (1)" in done["history_html"] and "manual" in done["history_html"]
    page = client.get("/settings").get_data(as_text=True)
    # The same templates render the page: what the script swaps in is what a reload shows.
    assert done["facts_html"].strip() in page
    assert done["history_html"].strip() in page

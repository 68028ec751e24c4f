"""The sync against the fake Spotify over real HTTP: nothing lost, nothing doubled."""

import threading
import time

import pytest
from factories import scalar
from spotify_helpers import clear_faults, connect_via_app, control, fault

from music_time_machine.crypto import TokenCipher
from music_time_machine.db import accounts, sync_state, transaction
from music_time_machine.spotify.client import SpotifyClient
from music_time_machine.spotify.sync import store_recent_plays, sync_user
from music_time_machine.timezones import parse_iso_utc_ms

pytestmark = pytest.mark.fake_spotify


@pytest.fixture
def connected(app, client, conn, local_user):
    assert connect_via_app(client).status_code == 302
    return local_user


def make_client(app, conn, user_id, **kwargs):
    kwargs.setdefault("sleep", lambda _s: None)
    return SpotifyClient.from_config(conn, user_id, app.config, **kwargs)


def sync(app, conn, user_id, **kwargs):
    return sync_user(conn, user_id, make_client(app, conn, user_id, **kwargs))


def api_plays(conn, user_id):
    return conn.execute(
        "SELECT t.spotify_id, p.played_at FROM plays p JOIN tracks t ON t.id = p.track_id "
        "WHERE p.user_id = ? AND p.source = 'api' ORDER BY p.played_at",
        (user_id,),
    ).fetchall()


def fake_plays(fake, limit=50):
    plays = control(fake, "GET", f"plays?limit={limit}")["plays"]
    return sorted(((p["uri"], p["played_at_ms"]) for p in plays), key=lambda p: p[1])


def test_sync_adds_exactly_the_fakes_plays_and_nothing_on_a_rerun(app, conn, connected, fake):
    control(fake, "POST", "clock", now=1_760_000_000)
    first = sync(app, conn, connected)
    assert first.outcome == "ok", first.error
    assert [tuple(r) for r in api_plays(conn, connected)] == fake_plays(fake)
    assert first.plays_added == 50
    again = sync(app, conn, connected)
    assert (again.outcome, again.plays_added) == ("ok", 0)
    assert len(api_plays(conn, connected)) == 50


def test_polling_over_time_adds_each_new_play_once(app, conn, connected, fake):
    control(fake, "POST", "clock", now=1_760_000_000)
    sync(app, conn, connected)
    control(fake, "POST", "clock", advance=24 * 3600)  # a day of listening happened
    result = sync(app, conn, connected)
    stored = [tuple(r) for r in api_plays(conn, connected)]
    assert result.plays_added > 0
    assert len(stored) == len(set(stored))
    assert set(fake_plays(fake)) <= set(stored)


def test_rollups_follow_the_users_time_zone(app, conn, connected, fake):
    from music_time_machine.db.users import update_settings

    update_settings(conn, connected, timezone="Pacific/Auckland")
    control(fake, "POST", "clock", now=1_760_000_000)
    sync(app, conn, connected)
    local = conn.execute(
        "SELECT COUNT(*) FROM plays WHERE user_id = ? AND local_date = "
        "date(played_at / 1000 + 13 * 3600, 'unixepoch')",
        (connected,),
    ).fetchone()[0]
    assert local == 50  # NZDT (+13) in October 2025
    assert (
        conn.execute(
            "SELECT SUM(streams) FROM rollup_day WHERE user_id = ?", (connected,)
        ).fetchone()[0]
        == 50
    )


def test_rate_limit_stops_politely_and_a_later_run_completes(app, conn, connected, fake):
    control(fake, "POST", "clock", now=1_760_000_000)
    fault(fake, path_prefix="/v1/me/player/recently-played", status=429, retry_after=3600, times=1)
    limited = sync(app, conn, connected)
    assert limited.outcome == "rate_limited"
    assert sync_state.get_state(conn, connected)["resume_after"] == limited.resume_after
    assert limited.resume_after >= time.time() + 3590
    skipped = sync(app, conn, connected)
    assert skipped.outcome == "skipped" and "pause" in skipped.error
    # An hour later the pause is over and the gap is filled, once.
    later = sync_user(
        conn, connected, make_client(app, conn, connected), now=limited.resume_after + 1
    )
    assert later.outcome == "ok"
    assert [tuple(r) for r in api_plays(conn, connected)] == fake_plays(fake)
    runs = [r["outcome"] for r in sync_state.recent_runs(conn, connected)]
    assert runs == ["ok", "rate_limited"]


@pytest.mark.parametrize("status", [500, 502, 503])
def test_server_errors_are_retried_with_backoff(app, conn, connected, fake, status):
    control(fake, "POST", "clock", now=1_760_000_000)
    fault(fake, path_prefix="/v1/me/player/recently-played", status=status, times=2)
    waits = []
    result = sync(app, conn, connected, sleep=waits.append)
    assert result.outcome == "ok" and result.plays_added == 50
    assert waits == [0.5, 1.0]


def test_a_lasting_outage_keeps_what_was_fetched_and_a_later_run_fills_the_gap(
    app, conn, connected, fake
):
    control(fake, "POST", "clock", now=1_760_000_000)
    fault(fake, path_prefix="/v1/me/top/", status=503, times=None)
    broken = sync(app, conn, connected)
    assert broken.outcome == "partial" and broken.plays_added == 50
    clear_faults(fake)
    healed = sync(app, conn, connected)
    assert healed.outcome == "ok" and healed.plays_added == 0
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM top_snapshots WHERE user_id = ?", (connected,)
        ).fetchone()[0]
        > 0
    )


def test_slow_responses_time_out_and_are_retried(app, conn, connected, fake):
    control(fake, "POST", "clock", now=1_760_000_000)
    fault(fake, path_prefix="/v1/me/player/recently-played", delay=2, times=1)
    result = sync(app, conn, connected, timeout=0.5)
    assert result.outcome == "ok" and result.plays_added == 50


def test_an_expired_access_token_is_refreshed_once(app, conn, connected, fake):
    cipher = TokenCipher(app.config["SECRET_KEY"])
    before = accounts.load_tokens(conn, cipher, connected)
    fault(fake, expire_access_tokens=True)
    result = sync(app, conn, connected)
    assert result.outcome == "ok"
    after = accounts.load_tokens(conn, cipher, connected)
    assert after.access_token != before.access_token
    # The fake's refresh answer has no refresh_token: the old one is kept.
    assert after.refresh_token == before.refresh_token


def test_a_revoked_refresh_token_asks_for_reconnect_and_keeps_the_data(
    app, client, conn, connected, fake
):
    control(fake, "POST", "clock", now=1_760_000_000)
    sync(app, conn, connected)
    fault(fake, revoke_refresh_tokens=True)
    fault(fake, expire_access_tokens=True)
    result = sync(app, conn, connected)
    assert result.outcome == "needs_reconnect"
    assert accounts.get_account(conn, connected)["status"] == "needs_reconnect"
    assert len(api_plays(conn, connected)) == 50
    assert connected not in accounts.connected_user_ids(conn)
    assert "Reconnect Spotify" in client.get("/").get_data(as_text=True)
    # Reconnecting clears the banner and syncing resumes without duplicates.
    assert connect_via_app(client).status_code == 302
    assert sync(app, conn, connected).plays_added == 0


def test_two_concurrent_syncs_for_one_user_do_not_both_run(app, conn, connected, fake, tmp_path):
    from music_time_machine.db import connect

    control(fake, "POST", "clock", now=1_760_000_000)
    fault(fake, path_prefix="/v1/me/player/recently-played", delay=1.5, times=1)
    results = []

    def run():
        own = connect(app.config["DATABASE"])
        try:
            results.append(sync(app, own, connected, timeout=5))
        finally:
            own.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(r.outcome for r in results) == ["ok", "skipped"]
    assert len(api_plays(conn, connected)) == 50


@pytest.mark.parametrize("mode, has_features", [("dev", False), ("extended", True)])
def test_capabilities_are_detected_and_used(app, conn, connected, fake, mode, has_features):
    control(fake, "POST", "mode", mode=mode)
    control(fake, "POST", "clock", now=1_760_000_000)
    result = sync(app, conn, connected)
    caps = accounts.capabilities(conn, connected)
    assert caps["audio_features"] is has_features and caps["genres"] is has_features
    with_features = scalar(conn, "SELECT COUNT(*) FROM tracks WHERE features_source = 'spotify'")
    with_genres = scalar(
        conn, "SELECT COUNT(*) FROM artists WHERE genres IS NOT NULL AND genres != '[]'"
    )
    assert (with_features > 0) is has_features
    assert (with_genres > 0) is has_features
    assert result.details["artists_fetched"] > 0


def test_sync_keeps_each_albums_spotify_image_for_the_artwork_phase(app, conn, connected, fake):
    """Track objects carry album images (640/300/64 px): the 300 px one is kept, to be
    downloaded once by the server (metadata/artwork.py); the browser never sees it."""
    control(fake, "POST", "clock", now=1_760_000_000)
    assert sync(app, conn, connected).outcome == "ok"
    rows = conn.execute(
        "SELECT al.image_url FROM albums al WHERE al.user_id = ? AND al.id IN "
        "(SELECT album_id FROM tracks WHERE user_id = ?)",
        (connected, connected),
    ).fetchall()
    assert rows and all(
        r[0].startswith(f"{fake.url}/_fake/images/ab67616d00001e02") for r in rows
    )  # the fake serves its own pictures, offline
    with transaction(conn):  # an album stored before (by an import) gets it on the next sync
        conn.execute("UPDATE albums SET image_url = NULL WHERE user_id = ?", (connected,))
    items = make_client(app, conn, connected).recently_played()["items"]
    store_recent_plays(
        conn,
        connected,
        {  # the same plays again: known songs and URIs
            (parse_iso_utc_ms(item["played_at"]), item["track"]["uri"]): item for item in items
        },
    )
    uris = sorted({item["track"]["uri"] for item in items})
    images = conn.execute(
        "SELECT al.image_url FROM albums al JOIN track_uris u ON u.album_id = al.id "
        f"WHERE u.user_id = ? AND u.uri IN ({','.join('?' * len(uris))})",
        (connected, *uris),
    ).fetchall()
    assert images and all(r[0] for r in images)

"""Sessions end everywhere: a cookie copied before sign-out, lock or disconnect stops
working, and a session left idle longer than MTM_SESSION_IDLE_DAYS is refused."""

from __future__ import annotations

import time

import pytest
from factories import sign_in
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from spotify_helpers import save_spotify_account
from web_client import csrf, unlock

from music_time_machine import create_app
from music_time_machine.db import accounts, connect
from music_time_machine.db.users import create_user

PASSWORD = "correct horse battery staple"
COOKIE = "mtm_session"
DAY_S = 86_400


@pytest.fixture
def alice(multi_user_app) -> int:
    conn = connect(multi_user_app.config["DATABASE"])
    try:
        user_id = create_user(conn, "Alice", "UTC")
        tokens = accounts.Tokens("access", "refresh", 4_000_000_000)
        profile = {"id": "alice", "display_name": "Alice"}
        save_spotify_account(multi_user_app, conn, user_id, tokens, profile)
    finally:
        conn.close()
    return user_id


def copy_of(app: Flask, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    other = app.test_client()
    other.set_cookie(COOKIE, client.get_cookie(COOKIE).value)
    return other


def signed_in(response) -> bool:
    return response.status_code == 200


def test_a_copied_cookie_stops_working_after_logout(multi_user_app, alice):
    browser = multi_user_app.test_client()
    sign_in(browser, alice)
    token = csrf(browser)
    thief = copy_of(multi_user_app, browser)
    assert signed_in(thief.get("/settings"))
    assert browser.post("/logout", data={"csrf_token": token}).status_code == 302
    refused = thief.get("/settings")
    assert refused.status_code == 302 and "/signin" in refused.headers["Location"]
    assert not signed_in(browser.get("/settings"))


def test_signing_in_again_after_logout_works(multi_user_app, alice):
    browser = multi_user_app.test_client()
    sign_in(browser, alice)
    browser.post("/logout", data={"csrf_token": csrf(browser)})
    sign_in(browser, alice)
    assert signed_in(browser.get("/settings"))


def test_disconnect_ends_other_sessions_but_keeps_this_one(multi_user_app, alice):
    browser = multi_user_app.test_client()
    sign_in(browser, alice)
    thief = copy_of(multi_user_app, browser)
    response = browser.post(
        "/settings/disconnect", data={"csrf_token": csrf(browser), "confirm": "yes"}
    )
    assert response.status_code == 302
    assert signed_in(browser.get("/settings"))
    assert not signed_in(thief.get("/settings"))


def test_lock_ends_every_unlocked_browser(app_config):
    app = create_app({**app_config, "MTM_PASSWORD": PASSWORD})
    browser = app.test_client()
    unlock(browser, PASSWORD)
    assert browser.get("/").status_code == 200
    thief = copy_of(app, browser)
    assert thief.get("/").status_code == 200
    assert browser.post("/lock", data={"csrf_token": csrf(browser, "/")}).status_code == 302
    assert thief.get("/settings/export/backup.sqlite").status_code == 303  # to /unlock
    assert browser.get("/").status_code == 303
    unlock(browser, PASSWORD)
    assert browser.get("/").status_code == 200  # unlocking again works


def test_an_idle_session_is_refused(multi_user_app, alice):
    assert multi_user_app.permanent_session_lifetime.days == 30  # MTM_SESSION_IDLE_DAYS
    browser = multi_user_app.test_client()
    sign_in(browser, alice)
    with browser.session_transaction() as session:
        session["seen"] = int(time.time()) - 31 * DAY_S
    assert not signed_in(browser.get("/settings"))


def test_last_seen_is_rewritten_at_most_hourly(multi_user_app, alice):
    browser = multi_user_app.test_client()
    sign_in(browser, alice)
    browser.get("/settings")  # the CSRF token is stored once
    assert "Set-Cookie" not in browser.get("/settings").headers
    two_hours_ago = int(time.time()) - 7200
    with browser.session_transaction() as session:
        session["seen"] = two_hours_ago
    response = browser.get("/settings")
    assert signed_in(response) and "Set-Cookie" in response.headers
    with browser.session_transaction() as session:
        assert session["seen"] > two_hours_ago


def test_a_cookie_without_a_generation_is_refused(multi_user_app, alice):
    """The cookies of earlier versions held only the user id; they sign nobody in."""
    serializer = SecureCookieSessionInterface().get_signing_serializer(multi_user_app)
    browser = multi_user_app.test_client()
    browser.set_cookie(COOKIE, serializer.dumps({"user_id": alice}))
    assert not signed_in(browser.get("/settings"))


def test_the_idle_limit_is_a_setting(app_config, monkeypatch):
    monkeypatch.setenv("MTM_SESSION_IDLE_DAYS", "7")
    assert create_app(app_config).permanent_session_lifetime.days == 7

"""Serving and operations: health probe, proxies and HTTPS, the password gate, rate limits,
the access log, `mtm serve` start-up refusals and clean shutdown, production error pages."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner
from web_client import csrf, unlock

from music_time_machine import create_app
from music_time_machine.cli import main
from music_time_machine.db import transaction
from music_time_machine.db.migrate import latest_version
from music_time_machine.db.users import create_user

# -- /healthz ------------------------------------------------------------------------------


def test_healthz_reports_database_migrations_and_sync_without_personal_data(app, conn):
    alice = create_user(conn, "Alice Private", "UTC")
    bob = create_user(conn, "Bob Private", "UTC")
    now = int(time.time())
    with transaction(conn):
        for user_id, spotify_id, status in (
            (alice, "alice-spotify-id", "connected"),
            (bob, "bob-spotify-id", "needs_reconnect"),
        ):
            conn.execute(
                "INSERT INTO spotify_accounts (user_id, spotify_id, display_name, "
                "status) VALUES (?, ?, ?, ?)",
                (user_id, spotify_id, f"name-{spotify_id}", status),
            )
        conn.execute(
            "INSERT INTO sync_state (user_id, last_success_at) VALUES (?, ?)", (alice, now - 120)
        )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["database"] == "ok"
    assert body["migrations"] == {"current": latest_version(), "latest": latest_version()}
    assert body["status"] == "degraded"  # Bob must reconnect
    assert [a["account"] for a in body["sync"]] == [1, 2]
    assert 115 <= body["sync"][0]["last_success_age_s"] <= 180
    assert body["sync"][0]["state"] == "ok" and body["sync"][1]["state"] == "needs_reconnect"
    assert all(set(a) == {"account", "state", "last_success_age_s"} for a in body["sync"])
    text = response.get_data(as_text=True)
    for private in ("Alice", "Bob", "spotify-id", "name-"):
        assert private not in text
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_is_ok_on_a_fresh_install_and_public_in_every_mode(app_config):
    app = create_app(
        {
            **app_config,
            "MTM_LOCAL_MODE": False,
            "SPOTIFY_CLIENT_ID": "x",
            "MTM_PASSWORD": "correct horse battery",
        }
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_healthz_is_503_when_the_database_is_unreachable(app, tmp_path):
    app.config["DATABASE"] = str(tmp_path / "gone" / "missing.sqlite")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"
    assert not (tmp_path / "gone").exists()  # the probe never creates a database


def test_healthz_is_503_when_migrations_are_behind(app, conn):
    with transaction(conn):
        conn.execute("DELETE FROM schema_migrations WHERE version = ?", (latest_version(),))
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["migrations"]["current"] < latest_version()


# -- behind a reverse proxy, HTTPS ---------------------------------------------------------


def test_trusted_proxy_headers_give_https_hsts_and_secure_cookies(app_config):
    app = create_app({**app_config, "MTM_TRUSTED_PROXIES": 1, "SESSION_COOKIE_SECURE": True})
    client = app.test_client()
    proxied = client.get(
        "/",
        headers={
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": "203.0.113.9",
            "X-Forwarded-Host": "music.example.org",
        },
    )
    assert "max-age=" in proxied.headers["Strict-Transport-Security"]
    cookie = proxied.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    plain = client.get("/")
    assert "Strict-Transport-Security" not in plain.headers


def test_forwarded_headers_are_ignored_without_trusted_proxies(app_config):
    app = create_app({**app_config, "SESSION_COOKIE_SECURE": True})
    response = app.test_client().get("/", headers={"X-Forwarded-Proto": "https"})
    assert "Strict-Transport-Security" not in response.headers


def test_development_over_https_gets_secure_cookies_but_no_hsts(app_config):
    app = create_app(app_config)
    response = app.test_client().get("/", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    assert "Strict-Transport-Security" not in response.headers


def test_csp_names_scripts_styles_images_frames_and_forms(client):
    csp = client.get("/").headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "style-src 'self'",
        "frame-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in csp
    assert "unsafe-inline" not in csp


def test_csp_lets_pictures_come_from_the_app_alone(client):
    """Pictures are served by the app (web/images.py): no third-party image host, so the
    browser tells nobody else what its user listens to."""
    directives = dict(
        d.strip().split(" ", 1)
        for d in client.get("/").headers["Content-Security-Policy"].split(";")
    )
    assert directives["img-src"] == "'self' data:"
    assert "scdn" not in directives["default-src"] and "*" not in directives["default-src"]


# -- the password gate (MTM_PASSWORD) ------------------------------------------------------

PASSWORD = "correct horse battery staple"


@pytest.fixture
def locked_app(app_config):
    return create_app({**app_config, "MTM_PASSWORD": PASSWORD})


def test_every_page_asks_for_the_password_first(locked_app):
    client = locked_app.test_client()
    response = client.get("/analytics?range=7d")
    assert response.status_code == 303
    assert response.headers["Location"] == "/unlock?next=/analytics?range%3D7d"
    api = client.get("/api/stats/summary")
    assert api.status_code == 401 and "locked" in api.get_json()["error"]
    page = client.get("/unlock?next=/analytics").get_data(as_text=True)
    assert 'type="password"' in page and 'name="csrf_token"' in page
    stylesheet = re.search(r'href="(/static/[^"]+/css/app\.css)"', page).group(1)
    assert client.get(stylesheet).status_code == 200


def test_wrong_password_is_refused_and_the_right_one_unlocks(locked_app):
    client = locked_app.test_client()
    token = csrf(client, "/unlock")
    wrong = client.post("/unlock", data={"password": "guess", "csrf_token": token})
    assert wrong.status_code == 401 and "not right" in wrong.get_data(as_text=True)
    ok = client.post(
        "/unlock", data={"password": PASSWORD, "csrf_token": token, "next": "/analytics?range=7d"}
    )
    assert ok.status_code == 302 and ok.headers["Location"] == "/analytics?range=7d"
    assert client.get("/analytics").status_code == 200
    assert client.get("/api/stats/summary").status_code == 200
    assert 'action="/lock"' in client.get("/").get_data(as_text=True)  # the footer's Lock


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_unlock_only_follows_same_site_next(locked_app, target):
    client = locked_app.test_client()
    token = csrf(client, "/unlock")
    response = client.post(
        "/unlock", data={"password": PASSWORD, "csrf_token": token, "next": target}
    )
    assert response.headers["Location"] == "/"


def test_unlock_needs_a_csrf_token(locked_app):
    client = locked_app.test_client()
    client.get("/unlock")
    assert client.post("/unlock", data={"password": PASSWORD}).status_code == 400


def test_logout_and_lock_clear_the_unlock_and_a_new_password_locks_everyone(locked_app):
    client = locked_app.test_client()
    unlock(client, PASSWORD)
    token = csrf(client, "/")
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/").status_code == 303

    unlock(client, PASSWORD)
    token = csrf(client, "/")
    assert client.post("/lock", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 303

    unlock(client, PASSWORD)
    assert client.get("/").status_code == 200
    locked_app.config["MTM_PASSWORD"] = "a different password now"
    assert client.get("/").status_code == 303


def test_the_unlock_survives_a_view_that_starts_a_fresh_session(locked_app):
    """The Spotify callback clears the session (no fixation); the unlock is carried over."""

    @locked_app.get("/_test/fresh-session")
    def fresh_session():
        from flask import session

        session.clear()
        session["user_id"] = 1
        return "ok"

    client = locked_app.test_client()
    unlock(client, PASSWORD)
    assert client.get("/_test/fresh-session").status_code == 200
    assert client.get("/").status_code == 200


def test_without_a_password_unlock_just_goes_home(client):
    assert client.get("/unlock").status_code == 302
    assert client.get("/").status_code == 200


# -- rate limits ---------------------------------------------------------------------------


@pytest.fixture
def limited_app(app_config):
    return create_app({**app_config, "RATELIMIT_ENABLED": True, "MTM_PASSWORD": PASSWORD})


def test_unlock_attempts_are_rate_limited_per_address(limited_app):
    client = limited_app.test_client()
    token = csrf(client, "/unlock")
    statuses = [
        client.post("/unlock", data={"password": "nope", "csrf_token": token}).status_code
        for _ in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    blocked = client.post("/unlock", data={"password": PASSWORD, "csrf_token": token})
    assert blocked.status_code == 429
    assert "Too many requests" in blocked.get_data(as_text=True)
    assert int(blocked.headers["Retry-After"]) > 0
    # Another address is not affected.
    other = limited_app.test_client()
    token = csrf(other, "/unlock")
    answer = other.post(
        "/unlock",
        data={"password": "nope", "csrf_token": token},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert answer.status_code == 401


def test_login_and_sync_are_rate_limited_with_a_json_message(app_config):
    app = create_app({**app_config, "RATELIMIT_ENABLED": True})
    client = app.test_client()
    token = csrf(client, "/")
    answers = [
        client.post("/settings/sync", headers={"X-CSRFToken": token, "Accept": "application/json"})
        for _ in range(7)
    ]
    assert answers[-1].status_code == 429
    assert "Too many requests" in answers[-1].get_json()["error"]
    logins = [client.get("/login").status_code for _ in range(21)]
    assert logins[-1] == 429 and 429 not in logins[:20]


def test_every_limited_path_is_wrapped(app_config):
    from music_time_machine.web.security import RATE_LIMITS

    app = create_app({**app_config, "RATELIMIT_ENABLED": True})
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    for path, _methods, _limits in RATE_LIMITS:
        if path in rules:
            assert hasattr(app.view_functions[rules[path]], "__wrapped__"), path


# -- the access log ------------------------------------------------------------------------


def test_one_access_log_line_per_request_without_query_values(client, caplog):
    caplog.set_level(logging.INFO, logger="music_time_machine.access")
    client.get("/analytics?range=7d&next=/secret-path&code=abc123")
    lines = [r.getMessage() for r in caplog.records if r.name == "music_time_machine.access"]
    assert len(lines) == 1
    assert re.fullmatch(r"\S+ GET /analytics\?range=7d&next=\*&code=\* 200 \d+\.\dms", lines[0])


# -- production error pages ----------------------------------------------------------------


def test_production_error_pages_never_show_a_stack_trace(app_config, caplog):
    app = create_app(
        {**app_config, "MTM_ENV": "production", "TESTING": False, "SESSION_COOKIE_SECURE": True}
    )

    @app.get("/_test/boom")
    def boom():
        raise RuntimeError("database password is hunter2")

    client = app.test_client()
    for headers in ({}, {"Accept": "application/json"}):
        response = client.get("/_test/boom", headers=headers)
        assert response.status_code == 500
        text = response.get_data(as_text=True)
        assert "Traceback" not in text and "hunter2" not in text
        assert "RuntimeError" not in text and 'File "' not in text
        assert "Something went wrong" in text
    # The details go to the log, for the owner.
    assert any("Unhandled error" in r.getMessage() for r in caplog.records)


# -- mtm serve -----------------------------------------------------------------------------


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "MTM_DATA_DIR": str(tmp_path),
        "SPOTIFY_CLIENT_ID": "",
        "SPOTIFY_CLIENT_SECRET": "",
        "MTM_PASSWORD": "",
        "MTM_ENV": "development",
        "MTM_TRUSTED_PROXIES": "",
    }
    env.update(extra)
    return env


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::", "music.example.org"])
def test_serve_refuses_a_network_address_in_local_mode_without_a_password(tmp_path, host):
    result = CliRunner().invoke(main, ["serve", "--host", host], env=cli_env(tmp_path))
    assert result.exit_code == 1
    assert f"Refusing to listen on {host}" in result.output
    assert "MTM_PASSWORD" in result.output


def test_serve_shuts_down_cleanly_on_sigterm(tmp_path):
    env = {**os.environ, **cli_env(tmp_path), "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "music_time_machine.cli", "serve", "--port", "0", "--threads", "4"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(50):  # the address line, after any warnings
            found = re.search(r"127\.0\.0\.1:(\d+)/", process.stdout.readline())
            if found:
                break
        port = int(found.group(1))
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10)
        assert health.status_code == 200 and health.json()["status"] == "ok"
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, output
    assert "Stopped." in output
    assert "GET /healthz 200" not in output  # health probes log at DEBUG only

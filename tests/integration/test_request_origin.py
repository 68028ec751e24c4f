"""DNS rebinding and cross-site writes: only known host names are answered, and a
state-changing request from another origin is refused (over plain http too)."""

from __future__ import annotations

import pytest
import requests
from factories import add_plays, play_count
from web_client import csrf, form_value

from music_time_machine import create_app
from music_time_machine.config import ConfigError

ATTACKER = "rebind.attacker.example:5000"
PHRASE = "delete my listening history"


@pytest.fixture
def history(conn, local_user) -> int:
    add_plays(conn, local_user, [("Mine", "Me", "2024-05-01 10:00:00", 200_000)])
    return local_user


def test_a_rebound_host_cannot_download_the_database(client, history):
    response = client.get("/settings/export/backup.sqlite", headers={"Host": ATTACKER})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "rebind.attacker.example" in text and "MTM_ALLOWED_HOSTS" in text
    assert b"SQLite format" not in response.data


def test_a_rebound_host_cannot_clear_the_history(client, conn, history):
    start = client.get("/settings/clear", headers={"Host": ATTACKER})
    assert start.status_code == 400 and "confirm_token" not in start.get_data(as_text=True)
    # Even with a real confirmation token and CSRF token (obtained some other way):
    html = client.get("/settings/clear").get_data(as_text=True)
    token = form_value(html, "confirm_token")
    form = {"csrf_token": csrf(client), "confirm_token": token, "phrase": PHRASE}
    response = client.post(
        "/settings/clear", data=form, headers={"Host": ATTACKER, "Origin": f"http://{ATTACKER}"}
    )
    assert response.status_code == 400
    assert play_count(conn, history) == 1


def test_an_unknown_host_gets_json_on_the_api(client):
    response = client.get("/api/stats/summary?range=all", headers={"Host": ATTACKER})
    assert response.status_code == 400
    assert "does not answer to" in response.get_json()["error"]


@pytest.mark.parametrize(
    "host",
    ["localhost", "localhost:5000", "127.0.0.1", "127.0.0.1:8080", "[::1]:5000", "127.0.0.2:80"],
)
def test_loopback_names_and_addresses_are_answered_on_any_port(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 200


@pytest.mark.parametrize(
    "host", ["", "localhost.attacker.example", "127.0.0.1.nip.io", "192.168.1.20:5000"]
)
def test_other_hosts_are_refused(client, host):
    assert client.get("/", headers={"Host": host}).status_code == 400


def test_allowed_hosts_and_the_redirect_uri_host_are_answered(app_config):
    app = create_app(
        {
            **app_config,
            "MTM_ALLOWED_HOSTS": ("nas.local", "192.168.1.20", ".example.org"),
            "SPOTIFY_REDIRECT_URI": "https://music.example.net/callback",
        }
    )
    client = app.test_client()
    for host in (
        "nas.local:5000",
        "192.168.1.20:5000",
        "music.example.org",
        "example.org",
        "music.example.net",
    ):
        assert client.get("/", headers={"Host": host}).status_code == 200, host
    assert client.get("/", headers={"Host": "example.net"}).status_code == 400


def test_allowed_hosts_are_parsed_from_the_environment(app_config, monkeypatch):
    monkeypatch.setenv("MTM_ALLOWED_HOSTS", " NAS.local:5000, [fe80::1] ,,.Example.org ")
    app = create_app(app_config)
    assert app.config["MTM_ALLOWED_HOSTS"] == ("nas.local", "fe80::1", ".example.org")
    monkeypatch.setenv("MTM_ALLOWED_HOSTS", "https://nas.local/")
    with pytest.raises(ConfigError, match="MTM_ALLOWED_HOSTS.*not a host name"):
        create_app(app_config)


def test_behind_a_proxy_the_forwarded_host_is_checked(app_config):
    app = create_app(
        {**app_config, "MTM_TRUSTED_PROXIES": 1, "MTM_ALLOWED_HOSTS": ("music.example.org",)}
    )
    client = app.test_client()
    ok = client.get("/", headers={"X-Forwarded-Host": "music.example.org"})
    assert ok.status_code == 200
    assert client.get("/", headers={"X-Forwarded-Host": ATTACKER}).status_code == 400


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://localhost:5001"},  # another port is another origin
        {"Referer": "http://evil.example/page"},
        {"Origin": "https://evil.example", "Referer": "http://localhost/settings"},
    ],
)
def test_a_write_from_another_origin_is_refused_with_a_reason(client, conn, history, headers):
    html = client.get("/settings/clear").get_data(as_text=True)
    token = form_value(html, "confirm_token")
    form = {"csrf_token": csrf(client), "confirm_token": token, "phrase": PHRASE}
    response = client.post("/settings/clear", data=form, headers=headers)
    assert response.status_code == 403
    assert "another web site" in response.get_data(as_text=True)
    assert play_count(conn, history) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost"},
        {"Origin": "http://localhost:80"},
        {"Referer": "http://localhost/settings/clear"},
        {},  # a script or curl: no Origin, no Referer (the CSRF token still applies)
    ],
)
def test_a_write_from_this_origin_goes_through(client, conn, history, headers):
    html = client.get("/settings/clear").get_data(as_text=True)
    token = form_value(html, "confirm_token")
    form = {"csrf_token": csrf(client), "confirm_token": token, "phrase": PHRASE}
    assert client.post("/settings/clear", data=form, headers=headers).status_code == 302
    assert play_count(conn, history) == 0


def test_over_real_http_a_rebound_host_is_refused(live_server, history):
    base = live_server.url
    assert requests.get(f"{base}/", timeout=10).status_code == 200
    refused = requests.get(
        f"{base}/settings/export/backup.sqlite", timeout=10, headers={"Host": ATTACKER}
    )
    assert refused.status_code == 400 and b"SQLite format" not in refused.content

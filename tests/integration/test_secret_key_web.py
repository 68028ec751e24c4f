"""Without SECRET_KEY the app signs with its generated key: the old public key opens nothing,
and Spotify tokens stored under it are re-encrypted (or, if unreadable, ask to reconnect)."""

from __future__ import annotations

import pytest
from conftest import multi_user_config
from factories import sign_in
from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from web_client import csrf_headers

from music_time_machine import create_app
from music_time_machine.config import DEV_SECRET_KEY
from music_time_machine.crypto import TokenCipher, token_cipher
from music_time_machine.db import accounts, connect
from music_time_machine.db.users import create_user

PROFILE = {"id": "alice-spotify", "display_name": "Alice", "images": []}


@pytest.fixture
def keyless_app(app_config, monkeypatch) -> Flask:
    """Multi-user mode, no SECRET_KEY anywhere, MTM_ENV unset: the reported set-up."""
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("MTM_ENV", raising=False)
    config = {k: v for k, v in app_config.items() if k != "SECRET_KEY"}
    return create_app(multi_user_config(config))


def cookie_signed_with(secret: str, data: dict) -> str:
    forger = Flask("forger")
    forger.secret_key = secret
    return SecureCookieSessionInterface().get_signing_serializer(forger).dumps(data)


def test_a_cookie_signed_with_the_old_development_key_opens_nothing(keyless_app):
    conn = connect(keyless_app.config["DATABASE"])
    try:
        user_id = create_user(conn, "Alice", "UTC")
    finally:
        conn.close()
    client = keyless_app.test_client()
    client.set_cookie("mtm_session", cookie_signed_with(DEV_SECRET_KEY, {"user_id": user_id}))
    response = client.get("/settings")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]


def _store_account(app: Flask, cipher: TokenCipher) -> int:
    conn = connect(app.config["DATABASE"])
    try:
        user_id = create_user(conn, "Alice", "UTC")
        accounts.save_account(
            conn,
            cipher,
            user_id,
            PROFILE,
            accounts.Tokens(
                "access-token-value", "refresh-token-value", 4_000_000_000, "user-read-private"
            ),
        )
    finally:
        conn.close()
    return user_id


def test_tokens_stored_under_the_old_key_are_read_once_and_re_encrypted(keyless_app):
    user_id = _store_account(keyless_app, TokenCipher(DEV_SECRET_KEY))
    conn = connect(keyless_app.config["DATABASE"])
    try:
        cipher = token_cipher(keyless_app.config)
        tokens = accounts.load_tokens(conn, cipher, user_id)
        assert (tokens.access_token, tokens.refresh_token) == (
            "access-token-value",
            "refresh-token-value",
        )
        row = accounts.get_account(conn, user_id)
        current = TokenCipher(keyless_app.config["SECRET_KEY"])  # no fallback at all
        assert current.decrypt(row["access_token_enc"]) == "access-token-value"
        assert current.decrypt(row["refresh_token_enc"]) == "refresh-token-value"
        assert row["status"] == "connected"
    finally:
        conn.close()


def test_tokens_no_key_can_read_ask_for_a_reconnect_instead_of_failing(keyless_app):
    user_id = _store_account(keyless_app, TokenCipher("a key nobody has any more"))
    client = keyless_app.test_client()
    sign_in(client, user_id)
    response = client.post("/settings/sync", headers=csrf_headers(client))
    assert response.status_code < 500
    page = client.get("/settings")
    assert page.status_code == 200
    assert "reconnect" in page.get_data(as_text=True).lower()
    conn = connect(keyless_app.config["DATABASE"])
    try:
        assert accounts.get_account(conn, user_id)["status"] == "needs_reconnect"
    finally:
        conn.close()

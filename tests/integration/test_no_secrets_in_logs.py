"""Tokens, authorisation codes, ``state``, PKCE verifiers and secrets never reach a log
record or a page: a whole OAuth connect, its failure modes and syncs against the fake
Spotify, with every logger at DEBUG."""

from __future__ import annotations

import logging
from contextlib import contextmanager

import pytest
from spotify_helpers import (
    callback_path,
    clear_faults,
    consent,
    control,
    fault,
    query,
    wait_for_sync,
)
from web_client import csrf

from music_time_machine.crypto import TokenCipher
from music_time_machine.db import accounts
from music_time_machine.spotify.background import run_sync

pytestmark = pytest.mark.fake_spotify

#: The fake Spotify is a separate server in this process; its own request log (werkzeug)
#: shows the authorize URL it was asked for, which is not our app's log.
FOREIGN_LOGGERS = ("werkzeug",)


@contextmanager
def quiet_browser():
    """The test plays the user's browser on the consent page with ``requests``; its own
    urllib3 DEBUG lines (the authorize URL with ``state``) are not the app's logs."""
    logger = logging.getLogger("urllib3")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def browser_consent(url: str, decision: str = "agree") -> str:
    with quiet_browser():
        return consent(url, decision)


def tokens_of(app, conn, user_id: int) -> list[str]:
    tokens = accounts.load_tokens(conn, TokenCipher(app.config["SECRET_KEY"]), user_id)
    return [tokens.access_token, tokens.refresh_token]


def test_connect_and_sync_never_log_or_show_secrets(app, client, conn, local_user, fake, caplog):
    caplog.set_level(logging.DEBUG)
    secrets: set[str] = {app.config["SPOTIFY_CLIENT_SECRET"], app.config["SECRET_KEY"]}
    pages = []

    # A successful connect: the code and state travel through the callback's query string.
    start = client.get("/login")
    with client.session_transaction() as session:
        secrets.add(session["oauth"]["verifier"])
    location = browser_consent(start.headers["Location"])
    code, state = query(location)["code"], query(location)["state"]
    secrets |= {code, state}
    pages.append(client.get(callback_path(location)))
    assert pages[-1].status_code == 302
    secrets.update(tokens_of(app, conn, local_user))

    # The failure pages: a replayed callback, a forged state, a code Spotify refuses.
    pages.append(client.get(callback_path(location)))
    pages.append(client.get(f"/callback?code={code}&state=forged"))
    again = client.get("/login")
    fresh_state = query(again.headers["Location"])["state"]
    secrets.add(fresh_state)
    pages.append(client.get(f"/callback?code={code}&state={fresh_state}"))
    assert pages[-1].status_code == 502  # the code was already used
    denied = client.get("/login")
    denied_location = browser_consent(denied.headers["Location"], "cancel")
    secrets.add(query(denied_location)["state"])
    pages.append(client.get(callback_path(denied_location)))

    # Syncs: a normal one after the access token expired (so it is refreshed), one from the
    # Settings page, one that fails with a server error, and one after revocation.
    control(fake, "POST", "clock", now=1_760_000_000)
    fault(fake, expire_access_tokens=True)
    assert run_sync(app, local_user, "manual").outcome == "ok"
    secrets.update(tokens_of(app, conn, local_user))
    token = csrf(client)
    pages.append(client.post("/settings/sync", headers={"X-CSRFToken": token}))
    assert wait_for_sync(client)["outcome"] == "ok"
    fault(fake, status=500, path_prefix="/v1/", times=None)
    started = client.post(
        "/settings/sync", headers={"X-CSRFToken": token, "Accept": "application/json"}
    )
    assert started.status_code == 202
    pages.append(started)
    assert wait_for_sync(client)["outcome"] == "failed"
    pages.append(client.get("/api/sync"))
    clear_faults(fake)
    fault(fake, expire_access_tokens=True, revoke_refresh_tokens=True)
    assert run_sync(app, local_user, "manual").outcome == "needs_reconnect"
    pages.append(client.get("/settings"))
    pages.append(client.get("/"))

    secrets = {s for s in secrets if s and len(s) >= 8}
    assert len(secrets) >= 8

    formatter = logging.Formatter("%(name)s %(message)s")
    ours = [r for r in caplog.records if not r.name.startswith(FOREIGN_LOGGERS)]
    assert any("/callback?code=*&state=*" in r.getMessage() for r in ours), (
        "the access log should have recorded the callback (redacted)"
    )
    assert any(r.name.startswith("music_time_machine.spotify") for r in ours)
    for record in ours:
        text = formatter.format(record)  # includes any traceback
        for secret in secrets:
            assert secret not in text, f"a secret appears in a {record.name} log record"
    for response in pages:
        body = response.get_data(as_text=True) + str(response.headers)
        for secret in secrets:
            assert secret not in body, f"a secret appears in a {response.status_code} page"

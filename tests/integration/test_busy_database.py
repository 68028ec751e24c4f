"""A request that finds another connection writing waits a bounded time, then answers 503
with a reason (never a 500), and has changed nothing."""

from __future__ import annotations

import pytest
from web_client import csrf

from music_time_machine import create_app
from music_time_machine.db import connect
from music_time_machine.db.users import ensure_local_user, get_settings


@pytest.fixture
def impatient(app_config):
    """The app with no patience at all for a writer, so the test needs no waiting."""
    app = create_app({**app_config, "MTM_BUSY_TIMEOUT_S": 0})
    conn = connect(app.config["DATABASE"])
    user_id = ensure_local_user(conn, "UTC")
    yield app.test_client(), conn, user_id
    conn.close()


@pytest.mark.parametrize("accept", ["text/html", "application/json"])
def test_a_write_while_another_writer_holds_the_lock_is_a_503_with_a_reason(impatient, accept):
    client, conn, user_id = impatient
    token = csrf(client)
    form = {"csrf_token": token, "timezone": "Asia/Tokyo", "play_rule": "30s"}
    conn.execute("BEGIN IMMEDIATE")  # a long import's transaction, say
    try:
        response = client.post("/settings/preferences", data=form, headers={"Accept": accept})
    finally:
        conn.execute("ROLLBACK")
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    text = response.get_data(as_text=True)
    assert "The database is busy" in text and "Try again in a minute" in text
    if accept == "application/json":
        assert "busy" in response.get_json()["error"]
    assert get_settings(conn, user_id).timezone == "UTC"
    # Once the writer is done, the same request goes through.
    response = client.post("/settings/preferences", data=form)
    assert response.status_code == 302

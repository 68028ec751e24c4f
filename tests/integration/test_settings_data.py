"""Settings › your data: downloads, preferences, disconnect and the two-step clearing."""

import csv
import io
import sqlite3

import pytest
from factories import add_plays, play_count
from spotify_helpers import save_spotify_account
from web_client import csrf, form_value, wait_for_job

from music_time_machine.db import accounts
from music_time_machine.db.accounts import Tokens
from music_time_machine.db.users import create_user, get_settings


@pytest.fixture
def two_users(app, conn, local_user):
    other = create_user(conn, "Other")
    add_plays(
        conn,
        local_user,
        [("Mine", f"Song {i}", f"2024-05-0{i} 10:00:00", 200_000) for i in range(1, 6)],
    )
    add_plays(conn, other, [("Theirs", "Secret", "2024-05-01 10:00:00", 200_000)])
    save_spotify_account(
        app, conn, local_user, Tokens("access-secret", "refresh-secret", 9_999_999_999)
    )
    return local_user, other


def test_backup_holds_only_this_users_data_and_no_tokens(client, two_users, tmp_path):
    me, other = two_users
    response = client.get("/settings/export/backup.sqlite")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="music-time-machine-you-'
    )
    assert response.headers["Cache-Control"] == "no-store"
    path = tmp_path / "backup.sqlite"
    path.write_bytes(response.data)
    backup = sqlite3.connect(path)
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert backup.execute("SELECT user_id, COUNT(*) FROM plays GROUP BY user_id").fetchall() == [
        (me, 5)
    ]
    assert backup.execute("SELECT id FROM users").fetchall() == [(me,)]
    assert backup.execute("SELECT COUNT(*) FROM tracks WHERE name = 'Secret'").fetchone()[0] == 0
    assert backup.execute("SELECT COUNT(*) FROM artists WHERE name = 'Theirs'").fetchone()[0] == 0
    row = backup.execute(
        "SELECT access_token_enc, refresh_token_enc FROM spotify_accounts"
    ).fetchone()
    assert row == (None, None)
    assert b"refresh-secret" not in response.data
    assert list((tmp_path).glob("mtm-backup-*")) == []  # the temporary file is gone


def test_csv_and_json_exports(client, two_users):
    csv_text = client.get("/settings/export/plays.csv").get_data(as_text=True)
    lines = csv_text.strip().splitlines()
    assert lines[0].startswith("played_at_utc,ms_played,track,artists")
    assert len(lines) == 6 and "Secret" not in csv_text
    data = client.get("/settings/export/plays.json").get_json()
    assert len(data) == 5
    assert data[0]["ts"] == "2024-05-01T10:00:00Z"
    assert data[0]["master_metadata_album_artist_name"] == "Mine"


def test_csv_export_quotes_cells_a_spreadsheet_would_run_as_formulas(client, conn, local_user):
    add_plays(
        conn,
        local_user,
        [
            (
                "@Evil & -Other",
                '=HYPERLINK("http://x")',
                "2024-05-01 10:00:00",
                200_000,
                {"album": "+Album"},
            )
        ],
    )
    rows = list(
        csv.DictReader(io.StringIO(client.get("/settings/export/plays.csv").get_data(as_text=True)))
    )
    assert rows[0]["track"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["artists"] == "'@Evil & -Other"
    assert rows[0]["album"] == "'+Album"
    assert rows[0]["ms_played"] == "200000" and rows[0]["played_at_utc"].startswith("2024")


def _finish(client, response) -> dict:
    """Follow a background job (its page is where the request redirected) until it ends."""
    assert response.status_code == 302 and "/settings/import/" in response.headers["Location"]
    return wait_for_job(client, "/api/import/" + response.headers["Location"].rsplit("/", 1)[1])


def test_preferences_rebucket_in_the_background_and_say_how_long(client, conn, local_user):
    add_plays(conn, local_user, [("A", "x", "2024-06-01 23:30:00", 60_000)])
    response = client.post(
        "/settings/preferences",
        data={
            "csrf_token": csrf(client),
            "timezone": "Asia/Tokyo",
            "play_rule": "custom",
            "play_seconds": "90",
        },
    )
    job = _finish(client, response)
    assert job["status"] == "done" and job["kind"] == "rebucket"
    assert job["message"].startswith("Preferences saved: 1 play re-bucketed in")
    assert "Charts re-counted" in job["html"]
    settings = get_settings(conn, local_user)
    assert settings.timezone == "Asia/Tokyo" and settings.play_rule.min_ms == 90_000
    rows = conn.execute("SELECT day, plays, streams FROM rollup_day").fetchall()
    assert [tuple(r) for r in rows] == [("2024-06-02", 0, 1)]
    page = client.get(f"/settings/import/{job['id']}").get_data(as_text=True)
    assert "Charts re-counted" in page and "1 play re-bucketed" in page


def test_bad_preferences_are_refused_with_a_message(client, conn, local_user):
    token = csrf(client)
    response = client.post(
        "/settings/preferences",
        data={"csrf_token": token, "timezone": "Mars/Base", "play_rule": "30s"},
        follow_redirects=True,
    )
    assert "is not a time zone we know" in response.get_data(as_text=True)
    response = client.post(
        "/settings/preferences",
        data={"csrf_token": token, "timezone": "UTC", "play_rule": "custom", "play_seconds": "-4"},
        follow_redirects=True,
    )
    assert "between 1 and 600 seconds" in response.get_data(as_text=True)
    assert get_settings(conn, local_user).timezone == "UTC"


def test_disconnect_needs_confirmation_and_keeps_the_history(client, conn, two_users):
    me, _ = two_users
    token = csrf(client)
    client.post("/settings/disconnect", data={"csrf_token": token})
    assert accounts.get_account(conn, me)["refresh_token_enc"] is not None
    response = client.post(
        "/settings/disconnect", data={"csrf_token": token, "confirm": "yes"}, follow_redirects=True
    )
    assert "Remove access" in response.get_data(as_text=True)
    account = accounts.get_account(conn, me)
    assert account["access_token_enc"] is None and account["refresh_token_enc"] is None
    assert account["status"] == "disconnected"
    assert me not in accounts.connected_user_ids(conn)
    assert play_count(conn, me) == 5


def start_clearing(client, what="data"):
    html = client.get(f"/settings/clear?what={what}").get_data(as_text=True)
    return form_value(html, "confirm_token"), csrf(client)


def test_step_one_alone_deletes_nothing_and_shows_counts(client, conn, two_users):
    me, _ = two_users
    html = client.get("/settings/clear").get_data(as_text=True)
    assert "<strong>5</strong> streams: every play" in html
    assert "delete my listening history" in html
    assert "rollup" not in html and "sync_runs" not in html  # no table names
    assert play_count(conn, me) == 5


@pytest.mark.parametrize(
    "problem", ["no-csrf", "wrong-phrase", "forged-token", "expired", "replayed", "other-session"]
)
def test_every_refusal_deletes_nothing(app, client, conn, two_users, problem, monkeypatch):
    me, other = two_users
    token, csrf_token = start_clearing(client)
    form = {
        "csrf_token": csrf_token,
        "confirm_token": token,
        "phrase": "delete my listening history",
    }
    if problem == "no-csrf":
        del form["csrf_token"]
    elif problem == "wrong-phrase":
        form["phrase"] = "delete everything"
    elif problem == "forged-token":
        form["confirm_token"] = token[:-4] + "AAAA"
    elif problem == "expired":
        monkeypatch.setattr("music_time_machine.web.data.CONFIRM_MAX_AGE_S", -1)
    elif problem == "replayed":
        assert client.post("/settings/clear", data=form).status_code == 302
        add_plays(conn, me, [("Mine", "Again", "2024-06-01 10:00:00", 200_000)])
    elif problem == "other-session":
        stranger = app.test_client()
        form["csrf_token"] = csrf(stranger)
        response = stranger.post("/settings/clear", data=form, follow_redirects=True)
        assert "Nothing was deleted" in response.get_data(as_text=True)
        assert play_count(conn, me) == 5
        return
    before = play_count(conn, me)
    response = client.post("/settings/clear", data=form, follow_redirects=True)
    assert response.status_code in (200, 400)
    assert play_count(conn, me) == before > 0
    assert play_count(conn, other) == 1


def test_the_completed_flow_deletes_only_this_users_data(client, conn, two_users):
    me, other = two_users
    token, csrf_token = start_clearing(client)
    response = client.post(
        "/settings/clear",
        data={
            "csrf_token": csrf_token,
            "confirm_token": token,
            "phrase": "Delete my listening history ",
        },
        follow_redirects=True,
    )
    assert "Deleted 5 streams" in response.get_data(as_text=True)
    for table in ("plays", "rollup_day", "rollup_day_track", "rollup_track_first"):
        assert (
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE user_id = ?", (me,)).fetchone()[0]
            == 0
        )
    assert play_count(conn, other) == 1
    assert accounts.get_account(conn, me) is not None  # the account stays
    assert "No listening history yet" in client.get("/").get_data(as_text=True)


def test_deleting_the_account_removes_user_and_tokens(client, conn, two_users):
    me, other = two_users
    token, csrf_token = start_clearing(client, "account")
    client.post(
        "/settings/clear",
        data={"csrf_token": csrf_token, "confirm_token": token, "phrase": "delete my account"},
    )
    assert conn.execute("SELECT COUNT(*) FROM users WHERE id = ?", (me,)).fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM spotify_accounts").fetchone()[0] == 0
    assert play_count(conn, other) == 1
    assert conn.execute("SELECT COUNT(*) FROM tracks WHERE name = 'Secret'").fetchone()[0] == 1

"""Settings › Restore, and the round trips of every export: backup → restore, JSON → import.

The source account is a demo history (multi-artist tracks, genres, audio features, short
plays) plus a second user whose rows must never travel. "Same stats" means the same JSON
from the stats API (all time) and the same top lists, compared between two apps that share
nothing but the file the user downloaded.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import add_plays, play_count
from spotify_helpers import save_spotify_account
from upload_forms import post_files, upload_files
from web_client import csrf

from music_time_machine import create_app
from music_time_machine.db import accounts, connect, sync_state, transaction
from music_time_machine.db.accounts import Tokens
from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo
from music_time_machine.db.plays import NewPlay, insert_plays
from music_time_machine.db.search import drop_search_index
from music_time_machine.db.snapshots import save_snapshot
from music_time_machine.db.users import create_user, ensure_local_user
from music_time_machine.demo import generate_demo
from music_time_machine.importers.restore import restore_backup

DEMO_END = datetime(2025, 6, 1, tzinfo=UTC)
STATS = (
    "summary?range=all",
    "top-tracks?range=all&limit=50",
    "top-artists?range=all&limit=50",
    "top-genres?range=all&limit=20",
    "volume?range=all&bucket=month",
    "heatmap?range=all",
    "discoveries?range=all",
)


def stats(client, endpoints=STATS) -> dict:
    answers = {}
    for endpoint in endpoints:
        response = client.get(f"/api/stats/{endpoint}")
        assert response.status_code == 200, response.data
        answers[endpoint] = response.get_json()
    return answers


def play_rows(conn, user_id) -> list[tuple]:
    """Every play of the user as (time, ms, kind, track URI or name): ids differ per database."""
    return sorted(
        tuple(r)
        for r in conn.execute(
            "SELECT p.played_at, p.ms_played, p.kind, COALESCE(t.spotify_id, t.name) FROM plays p "
            "JOIN tracks t ON t.id = p.track_id WHERE p.user_id = ?",
            (user_id,),
        )
    )


def counts(conn) -> dict[str, int]:
    tables = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'import_jobs'"
        )
    ]
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def upload(
    client, path_or_bytes, name: str, route: str = "/settings/restore", field: str = "backup"
) -> dict:
    data = path_or_bytes if isinstance(path_or_bytes, bytes) else Path(path_or_bytes).read_bytes()
    return upload_files(client, [(data, name)], route, field)


def download(client, path: str, target: Path) -> Path:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    target.write_bytes(response.data)
    return target


@pytest.fixture
def source(app, conn, local_user):
    """The account that makes the backup: a demo history, a top list, and another user."""
    generate_demo(conn, local_user, plays=3000, end=DEMO_END, years=1.0)
    tracks = [
        r[0]
        for r in conn.execute(
            "SELECT track_id FROM rollup_track_total WHERE user_id = ? ORDER BY plays DESC LIMIT 5",
            (local_user,),
        )
    ]
    save_snapshot(conn, local_user, "2025-05-01", "track", "short_term", tracks)
    other = create_user(conn, "Other")
    add_plays(
        conn,
        other,
        [
            (
                "Theirs Only",
                "Secret Song",
                "2025-05-01 10:00:00",
                200_000,
                {"uri": "spotify:track:secret000000000000000"},
            )
        ],
    )
    return local_user, other


@pytest.fixture
def fresh(tmp_path, app_config):
    """A second app with its own empty database: the machine a backup is restored on."""
    folder = tmp_path / "fresh"
    folder.mkdir()
    app = create_app(
        {**app_config, "MTM_DATA_DIR": str(folder), "DATABASE": str(folder / "fresh.sqlite")}
    )
    conn = connect(app.config["DATABASE"])
    user_id = ensure_local_user(conn, "UTC")
    yield app, app.test_client(), conn, user_id
    conn.close()


@pytest.fixture
def backup_file(client, source, tmp_path) -> Path:
    return download(client, "/settings/export/backup.sqlite", tmp_path / "backup.sqlite")


# -- backup → restore ---------------------------------------------------------------------


def test_restoring_into_an_empty_database_reproduces_the_stats(
    client, conn, source, backup_file, fresh
):
    me, other = source
    app2, client2, conn2, user2 = fresh
    with sqlite3.connect(backup_file) as backup:  # the second user exists, but not in here
        assert backup.execute("SELECT DISTINCT user_id FROM plays").fetchall() == [(me,)]
        assert (
            backup.execute("SELECT COUNT(*) FROM tracks WHERE name = 'Secret Song'").fetchone()[0]
            == 0
        )
    assert play_count(conn, other)

    job = upload(client2, backup_file, "music-time-machine-you-2025-06-01.sqlite")
    assert job["status"] == "done", job["message"]
    assert job["kind"] == "restore"
    totals = job["summary"]["totals"]
    assert totals["rows_read"] == 3000 and totals["duplicates"] == 0
    assert totals["plays_added"] + totals["short_plays"] == 3000
    assert job["summary"]["files"][0]["kind"] == "backup"
    assert job["summary"]["snapshots_added"] == 5
    assert "Restore finished" in job["html"]

    assert stats(client2) == stats(client)
    assert play_rows(conn2, user2) == play_rows(conn, me)
    assert (
        conn2.execute("SELECT COUNT(*) FROM tracks WHERE name = 'Secret Song'").fetchone()[0] == 0
    )
    assert (
        conn2.execute("SELECT COUNT(*) FROM artists WHERE name = 'Theirs Only'").fetchone()[0] == 0
    )
    # Audio features and genres travel with the tracks (moods and genre charts need them).
    features = (
        "SELECT COUNT(*) FROM tracks WHERE features_source IS NOT NULL AND id IN "
        "(SELECT track_id FROM plays WHERE user_id = ?)"
    )
    assert (
        conn2.execute(features, (user2,)).fetchone()[0]
        == conn.execute(features, (me,)).fetchone()[0]
        > 0
    )
    # The account itself is not restored: no second user, no Spotify account.
    assert conn2.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1
    assert conn2.execute("SELECT COUNT(*) FROM spotify_accounts").fetchone()[0] == 0
    assert list(Path(app2.config["MTM_DATA_DIR"], "uploads").glob("*/*")) == []


def test_restoring_twice_adds_nothing(source, backup_file, fresh):
    _, client2, conn2, user2 = fresh
    first = upload(client2, backup_file, "backup.sqlite")
    before, answers = counts(conn2), stats(client2)
    second = upload(client2, backup_file, "backup.sqlite")
    assert second["status"] == "done"
    totals = second["summary"]["totals"]
    assert totals["plays_added"] == totals["short_plays"] == 0
    assert totals["duplicates"] == totals["rows_read"] == first["summary"]["totals"]["rows_read"]
    assert second["summary"]["snapshots_added"] == 0
    assert "3,000 were already here" in second["message"]
    assert counts(conn2) == before
    assert stats(client2) == answers


def test_restoring_into_the_account_it_came_from_adds_nothing(client, conn, source, backup_file):
    before, answers = counts(conn), stats(client)
    job = upload(client, backup_file, "backup.sqlite")
    assert job["status"] == "done"
    assert job["summary"]["totals"]["duplicates"] == 3000
    assert counts(conn) == before and stats(client) == answers


def test_restore_adds_only_the_missing_plays_with_the_import_rules(tmp_path):
    """The account has some of the backup's streams, from other sources with their own
    clocks (the export's ts a few seconds off the API's played_at, account data to the
    minute): those are recognised, the rest is added, and nothing is doubled."""
    old = connect(tmp_path / "old.sqlite")
    new = connect(tmp_path / "new.sqlite")
    for c in (old, new):
        from music_time_machine.db.migrate import migrate

        migrate(c)
    me, you = ensure_local_user(old), ensure_local_user(new)
    uri = {"uri": "spotify:track:aaaaaaaaaaaaaaaaaaaaaa"}
    add_plays(
        old,
        me,
        [("Band", "Song", f"2024-03-0{d} 10:00:01", 200_000, dict(uri)) for d in range(1, 7)],
        source="api",
    )
    add_plays(
        old, me, [("Band", "Song", "2024-03-07 10:00:01", 10_000, dict(uri))], source="api"
    )  # a short play
    from music_time_machine.db.userdata import backup_user

    backup_user(tmp_path / "old.sqlite", me, tmp_path / "b.sqlite")
    # The new account already has days 1-2 from the extended export (3 s off), day 3 from
    # account data (minute precision, no URI), and a different track on day 4.
    add_plays(
        new,
        you,
        [("Band", "Song", f"2024-03-0{d} 10:00:04", 200_000, dict(uri)) for d in (1, 2)],
        source="extended",
    )
    add_plays(new, you, [("Band", "Song", "2024-03-03 10:00:00", 200_000)], source="account")
    add_plays(new, you, [("Band", "Other Song", "2024-03-04 10:00:01", 200_000)], source="extended")
    summary = restore_backup(new, you, tmp_path / "b.sqlite")
    report = summary.files[0]
    assert (report.rows_read, report.duplicates, report.plays_added, report.short_plays) == (
        7,
        3,
        3,
        1,
    )
    days = [
        r[0]
        for r in new.execute(
            "SELECT local_date FROM plays p JOIN tracks t ON t.id = p.track_id "
            "WHERE t.name = 'Song' ORDER BY played_at"
        )
    ]
    assert days == [f"2024-03-0{d}" for d in range(1, 8)]
    assert new.execute("SELECT SUM(plays), SUM(streams) FROM rollup_day").fetchone()[:] == (7, 8)
    again = restore_backup(new, you, tmp_path / "b.sqlite")
    assert again.plays_added == 0 and again.duplicates == 7
    # Restored plays keep their source: a later import or sync still recognises them.
    assert {r[0] for r in new.execute("SELECT DISTINCT source FROM plays")} == {
        "api",
        "extended",
        "account",
    }
    old.close()
    new.close()


def test_a_backup_taken_while_plays_are_written_is_consistent(
    app, client, conn, local_user, tmp_path
):
    """A sync-like writer inserts batches of 7 plays in a loop while backups are taken:
    every backup opens, passes integrity_check and holds whole batches with their rollups."""
    add_plays(conn, local_user, [("Seed", "Seed", "2024-01-01 00:00:00", 60_000)])
    stop = threading.Event()
    batches = [0]

    def writer() -> None:
        w = connect(app.config["DATABASE"])
        try:
            n = 0
            while not stop.is_set():
                with transaction(w):
                    catalogue = Catalogue(w, local_user)
                    track = catalogue.track_id(TrackInfo(f"Live {n}", [ArtistInfo("Live")]))
                    insert_plays(
                        w,
                        local_user,
                        [
                            NewPlay(track, 1_704_100_000_000 + n * 60_000 + i, 45_000, "api")
                            for i in range(7)
                        ],
                    )
                n += 1
                batches[0] = n
        finally:
            w.close()

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        seen = set()
        for index in range(6):
            while batches[0] < 3 * (index + 1):
                time.sleep(0.01)
            path = download(
                client, "/settings/export/backup.sqlite", tmp_path / f"live-{index}.sqlite"
            )
            with sqlite3.connect(path) as b:
                assert b.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
                plays = b.execute("SELECT COUNT(*) FROM plays WHERE kind = 'music'").fetchone()[0]
                assert (plays - 1) % 7 == 0  # whole batches only
                assert b.execute("SELECT SUM(streams) FROM rollup_day").fetchone()[0] == plays
                assert (
                    b.execute("SELECT SUM(plays) FROM rollup_track_total").fetchone()[0] == plays
                )  # every stream here is >= 30 s
                seen.add(plays)
    finally:
        stop.set()
        thread.join(10)
    assert len(seen) > 1  # the writer really was writing between backups


# -- JSON and CSV exports -----------------------------------------------------------------


def test_json_export_reimports_into_the_same_account_adding_nothing(client, conn, source, tmp_path):
    me, _ = source
    exported = client.get("/settings/export/plays.json")
    name = exported.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    before, answers = counts(conn), stats(client)
    job = upload(client, exported.data, name, route="/settings/import", field="files")
    assert job["status"] == "done", job["message"]
    totals = job["summary"]["totals"]
    assert totals["rows_read"] == 3000 and totals["duplicates"] == 3000
    assert counts(conn) == before and stats(client) == answers


def test_json_export_reimports_into_an_empty_account_with_the_same_stats(client, source, fresh):
    """The export is Spotify's extended-history schema, to the second and with one artist
    per track: plays, minutes, tracks, days, hours and top tracks come back the same;
    featured artists and genres are not in that format (the SQLite backup keeps them)."""
    _, client2, conn2, user2 = fresh
    exported = client.get("/settings/export/plays.json")
    name = exported.headers["Content-Disposition"].split('filename="')[1].rstrip('"')
    job = upload(client2, exported.data, name, route="/settings/import", field="files")
    assert job["status"] == "done", job["message"]
    assert job["summary"]["totals"]["rows_read"] == 3000
    same = ("volume?range=all&bucket=month", "heatmap?range=all")
    assert stats(client2, same) == stats(client, same)
    original, imported = stats(client)["summary?range=all"], stats(client2)["summary?range=all"]
    for key in ("plays", "minutes", "tracks", "start", "end"):
        assert imported[key] == original[key], key

    def tracks(c):
        return [
            (t["name"], t["artists"][0], t["album"], t["uri"], t["plays"], t["minutes"])
            for t in stats(c)["top-tracks?range=all&limit=50"]["items"]
        ]

    assert tracks(client2) == tracks(client)
    # A second import of the same file adds nothing there either.
    again = upload(client2, exported.data, name, route="/settings/import", field="files")
    assert again["summary"]["totals"]["plays_added"] == 0
    assert again["summary"]["totals"]["duplicates"] == 3000


def test_csv_export_has_every_stream_and_the_same_totals(client, conn, source):
    me, _ = source
    text = client.get("/settings/export/plays.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == play_count(conn, me) == 3000
    summary = stats(client)["summary?range=all"]
    music = [r for r in rows if r["kind"] == "music"]
    assert sum(int(r["ms_played"]) >= 30_000 for r in music) == summary["plays"]
    assert round(sum(int(r["ms_played"]) for r in music) / 60_000) == round(summary["minutes"])
    assert "Secret Song" not in text
    assert any(" & " in r["artists"] for r in rows)  # featured artists are kept here


# -- refusals -------------------------------------------------------------------------------


def _foreign_sqlite(path: Path) -> bytes:
    with sqlite3.connect(path) as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        other.execute("INSERT INTO notes (body) VALUES ('hello')")
    return path.read_bytes()


def _newer_backup(backup: Path, path: Path) -> bytes:
    path.write_bytes(backup.read_bytes())
    with sqlite3.connect(path) as b:
        b.execute("INSERT INTO schema_migrations (version, name) VALUES (9999, 'future')")
    return path.read_bytes()


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("json", "is not a SQLite file"),
        ("random", "is not a SQLite file"),
        ("empty", "is not a SQLite file"),
        ("foreign", "not a Music Time Machine backup"),
        ("truncated", "is damaged"),
        ("newer", "made by a newer version"),
    ],
)
def test_wrong_files_are_refused_and_change_nothing(
    client, conn, source, backup_file, tmp_path, kind, expected
):
    data = {
        "json": json.dumps([{"ts": "2024-01-01T00:00:00Z", "ms_played": 1}]).encode(),
        "random": bytes(range(256)) * 64,
        "empty": b"",
        "foreign": _foreign_sqlite(tmp_path / "foreign.sqlite") if kind == "foreign" else b"",
        "truncated": backup_file.read_bytes()[: backup_file.stat().st_size // 2],
        "newer": _newer_backup(backup_file, tmp_path / "newer.sqlite") if kind == "newer" else b"",
    }[kind]
    before, answers = counts(conn), stats(client)
    job = upload(client, data, f"wrong-{kind}.sqlite")
    assert job["status"] == "failed"
    assert expected in job["message"] and "Nothing was changed" in job["message"]
    assert job["message"].startswith(f"wrong-{kind}.sqlite ")
    assert "Restore refused" in job["html"] and expected in job["html"]
    assert counts(conn) == before and stats(client) == answers


def test_a_file_with_several_peoples_data_is_refused(app, conn, source, tmp_path):
    """A copy of the whole database is not a backup: restoring it would copy other people's
    plays into this account."""
    me, _ = source
    copy = tmp_path / "whole.sqlite"
    conn.execute("VACUUM INTO ?", (str(copy),))
    whole = sqlite3.connect(copy)
    drop_search_index(whole)  # else refused sooner, for holding a virtual table
    whole.commit()
    whole.close()
    before = counts(conn)
    summary = restore_backup(conn, me, copy)
    assert not summary.ok and "holds the listening history of 2 people" in summary.headline()
    assert counts(conn) == before


def test_restore_needs_a_file_and_a_csrf_token(client, conn, source, backup_file):
    response = client.post(
        "/settings/restore", data={"csrf_token": csrf(client)}, follow_redirects=True
    )
    assert "Choose one backup file" in response.get_data(as_text=True)
    response = client.post(
        "/settings/restore",
        data={"backup": (io.BytesIO(backup_file.read_bytes()), "backup.sqlite")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert conn.execute("SELECT COUNT(*) FROM import_jobs").fetchone()[0] == 0


def test_without_javascript_the_restore_form_leads_to_the_job_page(source, backup_file, fresh):
    _, client2, _, _ = fresh
    files = [(backup_file.read_bytes(), "backup.sqlite")]
    response = post_files(client2, files, "/settings/restore", "backup", json=False)
    assert response.status_code == 302
    page_url = response.headers["Location"]
    for _ in range(200):
        page = client2.get(page_url).get_data(as_text=True)
        if "Restore finished" in page:
            break
        assert "Restoring your backup" in page
        time.sleep(0.05)
    assert "Restore finished" in page and "Restore another backup" in page
    settings = client2.get("/settings").get_data(as_text=True)
    assert 'id="restore"' in settings and "restore, done" in settings


# -- the Spotify connection in plain words --------------------------------------------------


@pytest.mark.parametrize(
    "expires_in, status, refresh, shown",
    [
        (3000, "connected", "refresh", "Valid"),
        (-60, "connected", "refresh", "Refreshing"),
        (3000, "needs_reconnect", "refresh", "Needs reconnect"),
        (-60, "connected", None, "Needs reconnect"),
    ],
)
def test_token_state_and_next_sync_in_plain_words(
    app, client, conn, local_user, expires_in, status, refresh, shown
):
    save_spotify_account(
        app, conn, local_user, Tokens("access", refresh, int(time.time()) + expires_in)
    )
    if status != "connected":
        accounts.set_status(conn, local_user, status)
    run = sync_state.start_run(conn, local_user, "schedule")
    sync_state.finish_run(conn, run, "ok", 3, {})
    started = conn.execute("SELECT started_at FROM sync_runs WHERE id = ?", (run,)).fetchone()[0]
    html = client.get("/settings").get_data(as_text=True)
    token = html.split('class="token-state')[1].split("</dd>")[0]
    assert f">{shown}</span>" in token
    if shown == "Refreshing":
        assert "renewed automatically on the next call to Spotify" in token
    if shown == "Needs reconnect":
        assert "Reconnect to resume syncing" in token
        assert "none until you reconnect Spotify" in html
    else:
        due = datetime.fromtimestamp(started + app.config["MTM_SYNC_INTERVAL"], UTC)
        assert f'class="next-sync" datetime="{due:%Y-%m-%dT%H:%M:%S}+0000"' in html

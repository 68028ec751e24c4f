"""`mtm check` and `mtm backup`: configuration findings, whole-database backups, rotation."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from music_time_machine.cli import main
from music_time_machine.config import DEV_SECRET_KEY
from music_time_machine.db import connect, transaction
from music_time_machine.db.migrate import migrate
from music_time_machine.ops_backup import BackupError, backup_database, rotate
from music_time_machine.ops_check import (
    format_findings,
    is_loopback_host,
    redirect_uri_problem,
    run_checks,
)
from music_time_machine.secret_key import load_or_create_secret_key

GOOD_SECRET = "f" * 64


def good_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        "MTM_ENV": "production",
        "SECRET_KEY": GOOD_SECRET,
        "MTM_DATA_DIR": str(tmp_path),
        "SPOTIFY_CLIENT_ID": "id",
        "SPOTIFY_CLIENT_SECRET": "secret",
        "SPOTIFY_REDIRECT_URI": "https://music.example.org/callback",
        "MTM_TIMEZONE": "Europe/Berlin",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def levels(findings, topic: str) -> list[str]:
    return [f.level for f in findings if f.topic == topic]


def test_a_good_production_configuration_has_no_problems(tmp_path):
    findings = run_checks(good_env(tmp_path))
    assert not [f for f in findings if f.level in ("error", "warning")], findings
    assert format_findings(findings).endswith("Everything looks right.")


@pytest.mark.parametrize("secret", ["dev-only-insecure-secret-key", "short"])
def test_secret_key_problems_are_errors_in_production(tmp_path, secret):
    findings = run_checks(good_env(tmp_path, SECRET_KEY=secret))
    assert levels(findings, "SECRET_KEY") == ["error"]
    assert "secrets.token_hex" in next(f.fix for f in findings if f.topic == "SECRET_KEY")


def test_the_public_development_secret_is_an_error_in_development_too(tmp_path):
    findings = run_checks(good_env(tmp_path, MTM_ENV=None, SECRET_KEY=DEV_SECRET_KEY))
    assert levels(findings, "SECRET_KEY") == ["error"]


def test_check_says_where_the_generated_key_lives_but_never_prints_it(tmp_path):
    env = good_env(tmp_path, SECRET_KEY=None)
    first = next(f for f in run_checks(env) if f.topic == "SECRET_KEY")
    assert first.level == "ok" and "generated on first start" in first.message
    key = load_or_create_secret_key(tmp_path)
    found = next(f for f in run_checks(env) if f.topic == "SECRET_KEY")
    assert found.level == "ok" and str(tmp_path / "secret_key") in found.message
    assert key not in format_findings(run_checks(env))
    (tmp_path / "secret_key").chmod(0o644)
    assert levels(run_checks(env), "SECRET_KEY") == ["error"]


@pytest.mark.parametrize(
    "uri, problem",
    [
        ("http://localhost:5000/callback", "localhost"),
        ("http://music.example.org/callback", "https"),
        ("http://192.168.1.5:5000/callback", "https"),
        ("music.example.org/callback", "absolute"),
        ("https://music.example.org/callback", None),
        ("http://127.0.0.1:5000/callback", None),
        ("http://[::1]:5000/callback", None),
    ],
)
def test_redirect_uris_spotify_would_refuse(uri, problem):
    found = redirect_uri_problem(uri)
    assert (found is None) if problem is None else (problem in found)


def test_check_reports_the_redirect_uri_and_how_to_fix_it(tmp_path):
    findings = run_checks(good_env(tmp_path, SPOTIFY_REDIRECT_URI="http://localhost:5000/callback"))
    bad = next(f for f in findings if f.topic == "SPOTIFY_REDIRECT_URI")
    assert bad.level == "error" and "127.0.0.1" in bad.fix


def test_missing_spotify_credentials_mean_local_mode(tmp_path):
    findings = run_checks(good_env(tmp_path, SPOTIFY_CLIENT_ID=None, SPOTIFY_CLIENT_SECRET=None))
    assert levels(findings, "Spotify") == ["note"]
    assert "local mode" in next(f.message for f in findings if f.topic == "Spotify")
    assert levels(findings, "MTM_PASSWORD") == ["note"]
    half = run_checks(good_env(tmp_path, SPOTIFY_CLIENT_SECRET=None))
    assert levels(half, "Spotify") == ["error"]


def test_bad_time_zone_upload_limit_and_numbers(tmp_path):
    findings = run_checks(
        good_env(
            tmp_path,
            MTM_TIMEZONE="Mars/Olympus",
            MTM_MAX_UPLOAD_MB="16",
            MTM_TRUSTED_PROXIES="one",
            MTM_LOG_LEVEL="LOUD",
        )
    )
    assert levels(findings, "MTM_TIMEZONE") == ["error"]
    assert levels(findings, "MTM_MAX_UPLOAD_MB") == ["warning"]
    assert levels(findings, "MTM_TRUSTED_PROXIES") == ["error"]
    assert levels(findings, "MTM_LOG_LEVEL") == ["error"]
    assert levels(run_checks(good_env(tmp_path, MTM_MAX_UPLOAD_MB="0")), "MTM_MAX_UPLOAD_MB") == [
        "error"
    ]


def test_data_dir_that_is_a_file_or_not_writable(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("x")
    assert levels(run_checks(good_env(tmp_path, MTM_DATA_DIR=str(a_file))), "MTM_DATA_DIR") == [
        "error"
    ]
    assert levels(
        run_checks(good_env(tmp_path, MTM_DATA_DIR=str(tmp_path / "new"))), "MTM_DATA_DIR"
    ) == ["note"]
    if os.geteuid() != 0:  # root can write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        try:
            assert levels(
                run_checks(good_env(tmp_path, MTM_DATA_DIR=str(locked))), "MTM_DATA_DIR"
            ) == ["error"]
        finally:
            locked.chmod(0o700)


def test_short_password_and_proxy_without_password_warn(tmp_path):
    findings = run_checks(good_env(tmp_path, MTM_PASSWORD="abc"))
    assert levels(findings, "MTM_PASSWORD") == ["warning"]
    proxied = run_checks(
        good_env(
            tmp_path, SPOTIFY_CLIENT_ID=None, SPOTIFY_CLIENT_SECRET=None, MTM_TRUSTED_PROXIES="1"
        )
    )
    assert levels(proxied, "MTM_PASSWORD") == ["warning"]


@pytest.mark.parametrize(
    "host, loopback",
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.2", False),
        ("example.org", False),
    ],
)
def test_loopback_hosts(host, loopback):
    assert is_loopback_host(host) is loopback


def test_mtm_check_exit_codes(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no stray .env
    for key in (
        "SECRET_KEY",
        "MTM_PASSWORD",
        "MTM_LOG_LEVEL",
        "MTM_TRUSTED_PROXIES",
        "MTM_MAX_UPLOAD_MB",
        "MTM_SYNC_INTERVAL",
        "MTM_LOCAL_MODE",
    ):
        monkeypatch.delenv(key, raising=False)
    runner = CliRunner()
    good = runner.invoke(main, ["check"], env=good_env(tmp_path))
    assert good.exit_code == 0, good.output
    bad = runner.invoke(
        main,
        ["check"],
        env=good_env(
            tmp_path, SECRET_KEY="short", SPOTIFY_REDIRECT_URI="http://localhost:5000/callback"
        ),
    )
    assert bad.exit_code == 1
    assert "[FAIL] SECRET_KEY" in bad.output and "fix:" in bad.output
    assert "2 problems" in bad.output


# -- backups -------------------------------------------------------------------------------


@pytest.fixture
def database(tmp_path: Path) -> Path:
    path = tmp_path / "data" / "music-time-machine.sqlite"
    path.parent.mkdir()
    conn = connect(path)
    migrate(conn)
    with transaction(conn):
        conn.execute("INSERT INTO users (display_name) VALUES ('Someone')")
    conn.close()
    return path


def test_backup_is_a_consistent_self_contained_copy(database, tmp_path):
    out = tmp_path / "backups"
    result = backup_database(database, out, now=datetime(2026, 3, 1, 4, 5, 6, tzinfo=UTC))
    assert result.path.name == "music-time-machine-20260301-040506.sqlite"
    assert not list(out.glob("*.partial")) and not list(out.glob("*-wal"))
    copy = sqlite3.connect(result.path)
    try:
        assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert copy.execute("SELECT display_name FROM users").fetchall() == [("Someone",)]
        assert copy.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] >= 5
    finally:
        copy.close()
    assert oct(result.path.stat().st_mode & 0o777) == "0o600"


def test_backup_while_another_connection_writes(database, tmp_path):
    """The backup sees either all of a transaction or none of it."""
    writer = connect(database)
    stop = threading.Event()

    def write() -> None:
        while not stop.is_set():
            with transaction(writer):
                writer.execute("INSERT INTO users (display_name) VALUES ('a')")
                writer.execute("INSERT INTO users (display_name) VALUES ('b')")

    thread = threading.Thread(target=write)
    thread.start()
    try:
        results = [
            backup_database(
                database,
                tmp_path / "b",
                keep=50,
                now=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(seconds=i),
            )
            for i in range(5)
        ]
    finally:
        stop.set()
        thread.join()
        writer.close()
    for result in results:
        copy = sqlite3.connect(result.path)
        a, b = (
            copy.execute("SELECT COUNT(*) FROM users WHERE display_name = ?", (n,)).fetchone()[0]
            for n in ("a", "b")
        )
        copy.close()
        assert a == b


def test_rotation_keeps_the_newest_and_ignores_other_files(database, tmp_path):
    out = tmp_path / "backups"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "music-time-machine-demo.sqlite").write_text("not a backup of ours")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for day in range(10):
        result = backup_database(database, out, keep=3, now=start + timedelta(days=day))
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "music-time-machine-20260108-000000.sqlite",
        "music-time-machine-20260109-000000.sqlite",
        "music-time-machine-20260110-000000.sqlite",
        "music-time-machine-demo.sqlite",
        "notes.txt",
    ]
    assert len(result.removed) == 1


def test_two_backups_in_one_second_both_exist(database, tmp_path):
    when = datetime(2026, 1, 1, tzinfo=UTC)
    first = backup_database(database, tmp_path / "o", now=when)
    second = backup_database(database, tmp_path / "o", now=when)
    assert first.path != second.path and first.path.exists() and second.path.exists()
    assert rotate(tmp_path / "o", 1) == [first.path]


def test_backup_of_a_missing_database_is_a_clear_error(tmp_path):
    with pytest.raises(BackupError, match="MTM_DATA_DIR"):
        backup_database(tmp_path / "nope.sqlite", tmp_path / "out")


def test_mtm_backup_command(database, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "cron"
    env = {"MTM_DATA_DIR": str(database.parent)}
    runner = CliRunner()
    for _ in range(3):
        result = runner.invoke(main, ["backup", "--output", str(out), "--keep", "2"], env=env)
        assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output
    assert len(list(out.glob("music-time-machine-*.sqlite"))) == 2
    missing = runner.invoke(
        main, ["backup", "-o", str(out)], env={"MTM_DATA_DIR": str(tmp_path / "empty")}
    )
    assert missing.exit_code == 1 and "There is no database" in missing.output

"""Hostile values, dates and files (issue #13 items 4-6): every one is a row rejected with a
reason or a file refused by name, never stored, never a 500 and never an escaped exception;
the good files of the same upload still import. Fixtures are generated here."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from factories import add_plays, play_count
from import_fixtures import dump, make_zip
from upload_forms import upload_files

from music_time_machine.cli import main
from music_time_machine.db.userdata import backup_user
from music_time_machine.importers import run, run_import
from music_time_machine.importers.restore import restore_backup
from music_time_machine.limits import MAX_NAME_CHARS

EXT = "Streaming_History_Audio_2023.json"
ACC = "StreamingHistory_music_0.json"
ROW = {
    "ts": "2023-05-01T10:00:00Z",
    "ms_played": 40000,
    "platform": "android",
    "master_metadata_track_name": "Song",
    "master_metadata_album_artist_name": "Band",
    "master_metadata_album_album_name": "Album",
    "spotify_track_uri": "spotify:track:0000000000000000000001",
}
GOOD_ACCOUNT = [
    {"endTime": "2024-02-01 10:00", "artistName": "A", "trackName": "B", "msPlayed": 50000}
]
STATS = ("summary", "volume", "top-artists", "top-tracks", "top-genres", "heatmap", "discoveries")


def _ts(dt: datetime) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def _write(folder: Path, name: str, data: bytes | list) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data if isinstance(data, bytes) else json.dumps(data).encode())
    return path


def _good(folder: Path) -> Path:
    return _write(folder, "StreamingHistory_music_1.json", GOOD_ACCOUNT)


# -- item 4: names and values -------------------------------------------------------------


def test_rows_with_huge_names_or_absurd_values_are_rejected_with_reasons(tmp_path, fresh_db):
    conn, user = fresh_db()
    long = "x" * (MAX_NAME_CHARS + 1)
    rows = [
        ROW,
        dict(
            ROW,
            master_metadata_track_name="y" * 1000,
            spotify_track_uri="spotify:track:0000000000000000000002",
        ),
        dict(ROW, master_metadata_track_name=long),
        dict(ROW, master_metadata_album_artist_name=long),
        dict(ROW, master_metadata_album_album_name=long),
        dict(ROW, platform=long),
        dict(
            ROW,
            spotify_track_uri=None,
            master_metadata_track_name=None,
            episode_name="Ep",
            episode_show_name=long,
        ),
        dict(ROW, ms_played=24 * 3600 * 1000 + 1),
        dict(ROW, ms_played=10**15),
        dict(ROW, ms_played=1.5),
        dict(ROW, ms_played=-1),
        dict(ROW, ms_played=1e300),
        dict(ROW, ts="2023-05-01T10:02:00Z", platform=["a", "list"]),
    ]
    account = [
        dict(GOOD_ACCOUNT[0], trackName=long),
        dict(GOOD_ACCOUNT[0], msPlayed=10**12),
        GOOD_ACCOUNT[0],
    ]
    summary = run_import(
        conn, user, [_write(tmp_path / "in", EXT, rows), _write(tmp_path / "in", ACC, account)]
    )
    ext, acc = summary.files
    assert ext.error is None and acc.error is None
    assert (ext.rows_read, ext.plays_added, ext.rejected) == (13, 3, 10)
    assert ext.rejected_reasons == {
        "a name longer than 1,000 characters": 5,
        "ms_played over 24 hours": 3,
        "missing or invalid ms_played": 2,
    }
    assert acc.rejected_reasons == {
        "a name longer than 1,000 characters": 1,
        "msPlayed over 24 hours": 1,
    }
    assert acc.plays_added == 1
    longest = conn.execute("SELECT MAX(length(name)) FROM tracks").fetchone()[0]
    assert longest == 1000
    assert conn.execute("SELECT MAX(ms_played) FROM plays").fetchone()[0] == 50000
    # a platform that is not text is dropped, not stored as a list's repr or a crash
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM plays WHERE platform IS NULL AND source = 'extended'"
        ).fetchone()[0]
        == 1
    )


def test_a_file_that_is_one_giant_string_is_refused_quickly(tmp_path, populated):
    """One row holding a 3 MB name: the fast path rejects the row; the streaming parser
    (which yajl made quadratic on such a token) refuses the file after 1 MB of it. A nested
    value elsewhere in the file sends it down the streaming path."""
    conn, user = populated
    huge = '\\"' * (1536 * 1024)  # escaped quotes: the slowest token for yajl
    body = json.dumps([ROW, dict(ROW, master_metadata_track_name="HUGE")]).encode()
    fast = body.replace(b'"HUGE"', b'"' + huge.encode() + b'"')
    streamed = fast.replace(b'"platform": "android"', b'"platform": ["nested"]', 1)
    folder = tmp_path / "in"
    before = dump(conn)
    summary = run_import(
        conn,
        user,
        [
            _write(folder, "Streaming_History_Audio_1.json", fast),
            _write(folder, "Streaming_History_Audio_2.json", streamed),
            _good(folder),
        ],
    )
    one, two, good = summary.files
    assert one.error is None and one.plays_added == 1
    assert one.rejected_reasons == {"a name longer than 1,000 characters": 1}
    assert two.error is not None and "has a row longer than 1 MB (row 2)" in two.error
    assert good.error is None and good.plays_added == 1
    after = dump(conn)
    assert len(after["plays"]) == len(before["plays"]) + 2
    assert max(len(r[2] or "") for r in after["tracks"]) < 100


@pytest.fixture
def populated(tmp_path, fresh_db):
    conn, user = fresh_db()
    base = _write(
        tmp_path / "base",
        "Streaming_History_Audio_2022.json",
        [dict(ROW, ts=f"2022-01-01T10:{m:02d}:00Z") for m in range(5)],
    )
    assert run_import(conn, user, [base]).stored == 5
    return conn, user


# -- item 5: impossible dates ------------------------------------------------------------


def test_impossible_and_out_of_range_times_are_rejected(tmp_path, fresh_db):
    conn, user = fresh_db()
    now = datetime.now(UTC)
    rows = [
        ROW,
        dict(ROW, ts="0001-01-01T00:00:00Z"),
        dict(ROW, ts="2025-03-03T25:00:00Z"),
        dict(ROW, ts="2025-03-03T23:60:00Z"),
        dict(ROW, ts="2025-02-29T10:00:00Z"),
        dict(ROW, ts="2005-12-31T23:59:59Z"),
        dict(ROW, ts=_ts(now + timedelta(days=3))),
        dict(ROW, ts="２０２３-05-01T10:00:00Z"),
        dict(ROW, ts="2023-W18-1T10:00:00Z"),
        dict(ROW, ts="9999-12-31T23:59:59Z"),
        dict(ROW, ts="2006-01-01T00:00:00Z", spotify_track_uri="spotify:track:2"),
    ]
    account = [
        dict(GOOD_ACCOUNT[0], endTime="2024-01-01 24:00"),
        dict(GOOD_ACCOUNT[0], endTime="0001-01-01 00:00"),
        GOOD_ACCOUNT[0],
    ]
    summary = run_import(
        conn, user, [_write(tmp_path / "in", EXT, rows), _write(tmp_path / "in", ACC, account)]
    )
    ext, acc = summary.files
    assert ext.rejected_reasons == {
        "missing or invalid ts": 5,
        "ts before 2006 or in the future": 4,
    }
    assert acc.rejected_reasons == {
        "missing or invalid endTime": 1,
        "endTime before 2006 or in the future": 1,
    }
    stored = sorted(r[0] for r in conn.execute("SELECT played_at FROM plays"))
    assert [datetime.fromtimestamp(ms / 1000, UTC).isoformat() for ms in stored] == [
        "2006-01-01T00:00:00+00:00",
        "2023-05-01T10:00:00+00:00",
        "2024-02-01T10:00:00+00:00",
    ]


def test_a_year_one_play_left_by_an_old_version_keeps_every_range_answerable(
    client, conn, local_user
):
    """Older versions stored year-1 plays; "all time" must still answer, and every date a
    person can type is a 200 or a 400 on every page and endpoint that takes a range."""
    add_plays(
        conn,
        local_user,
        [
            ("Band", "Ancient", "0001-01-01 05:00:00", 200_000),
            ("Band", "Song", "2024-05-01 10:00:00", 200_000),
        ],
    )
    for endpoint in STATS:
        response = client.get(f"/api/stats/{endpoint}?range=all")
        assert response.status_code == 200, (endpoint, response.data)
    assert client.get("/analytics?range=all").status_code == 200
    queries = [
        "start=9999-12-01&end=9999-12-31",
        "start=0001-01-01&end=0001-12-31",
        "start=2024-05-02&end=2024-05-01",
        "start=9999-12-31",
        "end=9999-12-31",
        "range=9999",
        "range=0001",
        "start=1900-01-01&end=1900-01-02",
        "start=2024-02-30",
        "start=99999-01-01",
        "start=+2024-01-01",
        "start=2024-01-01T00:00",
        "start=-0001-01-01",
        f"start={'9' * 5000}",
    ]
    for query in queries:
        for url in [f"/api/stats/{e}?{query}" for e in STATS] + [f"/analytics?{query}"]:
            response = client.get(url)
            assert response.status_code in (200, 400), (url, response.status_code)
    for query in (
        "source=on_this_day",
        "source=time_capsule&period=0000",
        "source=time_capsule&period=0001",
    ):  # the playlists' own dates
        response = client.get(f"/playlists/preview.csv?{query}")
        assert response.status_code in (200, 400, 404), (query, response.status_code)
    answer = client.get("/api/stats/volume?start=9999-12-01&end=9999-12-31")
    assert answer.status_code == 400 and "start" in answer.get_json()["error"]


def test_restore_drops_rows_that_break_the_import_rules_and_counts_them(
    client, conn, local_user, tmp_path, fresh_db
):
    """A backup (made by an older version, or edited) holding a year-1 play, a future one,
    a 25-hour one and a track with a huge name: those rows are left out with a reason,
    the rest lands, and "all time" works afterwards."""
    old, me = fresh_db("old.sqlite")
    future = (datetime.now(UTC) + timedelta(days=5)).strftime("%Y-%m-%d %H:%M:%S")
    add_plays(
        old,
        me,
        [
            ("Band", "Good", "2024-05-01 10:00:00", 200_000),
            ("Band", "Ancient", "0001-01-01 05:00:00", 200_000),
            ("Band", "Future", future, 200_000),
            ("Band", "Endless", "2024-05-02 10:00:00", 25 * 3600 * 1000),
            ("Band", "z" * 5000, "2024-05-03 10:00:00", 200_000),
            ("Band", "Good", "2024-05-04 10:00:00", 200_000, {"platform": "p" * 5000}),
        ],
    )
    backup_user(tmp_path / "old.sqlite", me, tmp_path / "b.sqlite")
    summary = restore_backup(conn, local_user, tmp_path / "b.sqlite")
    (report,) = summary.files
    assert report.error is None
    assert (report.rows_read, report.plays_added, report.rejected) == (6, 1, 5)
    assert report.rejected_reasons == {
        "time before 2006 or in the future": 2,
        "ms_played over 24 hours": 1,
        "a name longer than 1,000 characters": 2,
    }
    assert "5 unusable rows were skipped" in summary.headline()
    assert conn.execute("SELECT MAX(length(name)) FROM tracks").fetchone()[0] < 100
    for url in ("/analytics?range=all", "/api/stats/summary?range=all"):
        assert client.get(url).status_code == 200, url


# -- item 6: files that used to crash the whole import ------------------------------------


def _deep() -> bytes:
    return (
        b'[{"ts": "2023-05-01T10:00:00Z", "ms_played": 1, "x": '
        + b"[" * 200_000
        + b"]" * 200_000
        + b"}]"
    )


def _bad_utf8() -> bytes:  # an encoded surrogate: yajl passes it on, Python refuses it
    return json.dumps([ROW]).encode().replace(b'"Song"', b'"So\xed\xa0\x80ng"')


def _bad_escape() -> bytes:  # a reversed surrogate pair written as \u escapes
    return json.dumps([ROW]).encode().replace(b'"Song"', b'"So\\udc00\\ud800ng"')


HOSTILE = {
    "Streaming_History_Audio_1.json": (_deep, "nests JSON more than 32 levels deep"),
    "Streaming_History_Audio_2.json": (_bad_utf8, "not valid UTF-8"),
    "Streaming_History_Audio_3.json": (_bad_escape, "not valid UTF-8"),
    "endsong_4.json": (lambda: b"[" * 300_000, "row 1 is a list"),
}


def _check_refusals(summary, prefix: str = "") -> None:
    refused = {f.name: f.error for f in summary.errors}
    assert sorted(refused) == sorted(prefix + n for n in HOSTILE)
    for name, (_, message) in HOSTILE.items():
        assert message in refused[prefix + name], refused[prefix + name]
    good = [f for f in summary.files if f.error is None]
    assert [(f.name, f.plays_added) for f in good] == [
        (prefix + "StreamingHistory_music_1.json", 1)
    ]


@pytest.mark.parametrize("helper", [False, True], ids=["in-process", "helper-process"])
def test_deep_nesting_and_broken_text_refuse_only_their_file(
    tmp_path, fresh_db, monkeypatch, helper
):
    monkeypatch.setattr(run, "WORKER_MIN_BYTES", 0 if helper else None)
    conn, user = fresh_db()
    folder = tmp_path / "in"
    paths = [_write(folder, name, make()) for name, (make, _) in HOSTILE.items()]
    summary = run_import(conn, user, [*paths, _good(folder)])
    _check_refusals(summary)
    assert conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == 1
    members = {f"MyData/{name}": make() for name, (make, _) in HOSTILE.items()}
    members["MyData/StreamingHistory_music_1.json"] = json.dumps(
        [dict(GOOD_ACCOUNT[0], endTime="2024-03-01 10:00")]
    )
    summary = run_import(conn, user, [make_zip(tmp_path / "export.zip", members)])
    _check_refusals(summary, prefix="export.zip/MyData/")
    # An unnamed JSON file is sniffed for its format: a deep one is simply not history.
    odd = _write(folder, "renamed.json", b"[" * 300_000)
    assert [s.name for s in run_import(conn, user, [odd]).skipped] == ["renamed.json"]


def test_the_cli_reports_hostile_files_without_a_traceback(tmp_path):
    folder = tmp_path / "in"
    paths = [str(_write(folder, name, make())) for name, (make, _) in HOSTILE.items()]
    env = {
        "MTM_DATA_DIR": str(tmp_path / "data"),
        "SPOTIFY_CLIENT_ID": "",
        "SPOTIFY_CLIENT_SECRET": "",
        "MTM_PASSWORD": "",
        "MTM_ENV": "development",
    }
    result = CliRunner().invoke(main, ["import", *paths, str(_good(folder))], env=env)
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    for name in HOSTILE:
        assert f"Refused {name}:" in result.output
    assert "added 1 plays" in result.output


def test_the_web_upload_imports_the_good_file_beside_hostile_ones(client, conn, local_user):
    files = [(make(), name) for name, (make, _) in HOSTILE.items()]
    files.append((json.dumps(GOOD_ACCOUNT).encode(), "StreamingHistory_music_1.json"))
    job = upload_files(client, files)
    assert job["status"] == "failed" and "stopped unexpectedly" not in job["message"]
    assert "4 files refused" in job["message"]
    by_name = {f["name"]: f for f in job["summary"]["files"]}
    for name, (_, message) in HOSTILE.items():
        assert message in by_name[name]["error"]
    assert by_name["StreamingHistory_music_1.json"]["plays_added"] == 1
    assert play_count(conn, local_user) == 1


def test_names_from_spotify_are_clipped_to_the_same_limit():
    """The sync keeps a real play whose name is too long to show, cut to the limit."""
    from music_time_machine.spotify.mapping import track_info

    info = track_info(
        {
            "name": "n" * 5000,
            "uri": "spotify:track:x",
            "duration_ms": 1000,
            "album": {"name": "a" * 5000, "id": "al"},
            "artists": [{"name": "r" * 5000, "id": "ar"}],
        }
    )
    assert len(info.name) == len(info.album) == len(info.artists[0].name) == MAX_NAME_CHARS

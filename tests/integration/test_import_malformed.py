"""Every kind of bad input is refused with a message naming the file and the problem, and
the database content is exactly what it was before."""

from __future__ import annotations

import json
import sys
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from import_fixtures import (  # noqa: E402
    EXTENDED_DIR,
    SAMPLE_EXTENDED_DIR,
    dump,
    make_zip,
    need_samples,
)

from music_time_machine.importers import run_import  # noqa: E402

GOOD_ROW = {
    "ts": "2023-05-01T10:00:00Z",
    "ms_played": 40000,
    "master_metadata_track_name": "Song",
    "master_metadata_album_artist_name": "Band",
    "master_metadata_album_album_name": "Album",
    "spotify_track_uri": "spotify:track:0000000000000000000001",
}
GOOD_ROWS = [dict(GOOD_ROW, ts=f"2023-05-01T10:{m:02d}:00Z") for m in range(40)]
GOOD_BYTES = json.dumps(GOOD_ROWS, indent=2).encode()
EXT = "Streaming_History_Audio_2023.json"
ACC = "StreamingHistory_music_0.json"


def _utf16() -> tuple[str, bytes]:
    return EXT, json.dumps(GOOD_ROWS).encode("utf-16")


def _latin1() -> tuple[str, bytes]:
    rows = [
        {
            "endTime": "2024-01-01 10:00",
            "artistName": "Café Tacvba",
            "trackName": "Eres",
            "msPlayed": 40000,
        }
    ]
    return ACC, json.dumps(rows, ensure_ascii=False).encode("latin-1")


FILE_CASES = {
    "truncated": (lambda: (EXT, GOOD_BYTES[: len(GOOD_BYTES) // 2]), "truncated"),
    "object": (lambda: (EXT, b'{"ts": "2023-05-01T10:00:00Z"}'), "JSON object"),
    "numbers": (lambda: (EXT, b"[1, 2, 3]"), "row 1 is a number"),
    "utf16": (_utf16, "UTF-16"),
    "latin1": (_latin1, "not valid UTF-8"),
    "not_json": (lambda: (ACC, b"endTime,artistName\n2024-01-01,x\n"), "not JSON"),
    "empty": (lambda: (EXT, b""), "empty"),
    "garbage_after": (lambda: (EXT, GOOD_BYTES + b"\n[]"), "after the end"),
    "wrong_rows": (lambda: (EXT, json.dumps([{"a": 1}, {"b": 2}]).encode()), "no usable rows"),
}


@pytest.fixture
def populated(tmp_path, fresh_db):
    """A database that already holds plays, so 'unchanged' is a meaningful check."""
    conn, user = fresh_db()
    base = tmp_path / "base"
    base.mkdir()
    (base / "Streaming_History_Audio_2022.json").write_bytes(
        json.dumps([dict(GOOD_ROW, ts=f"2022-01-01T10:{m:02d}:00Z") for m in range(10)]).encode()
    )
    assert run_import(conn, user, [base]).stored == 10
    return conn, user


@pytest.mark.parametrize("case", sorted(FILE_CASES))
def test_bad_file_is_refused_by_name_and_database_unchanged(tmp_path, populated, case):
    conn, user = populated
    make, message = FILE_CASES[case]
    name, data = make()
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes(data)
    good = tmp_path / "in" / "StreamingHistory_music_1.json"
    good.write_text(
        json.dumps(
            [
                {
                    "endTime": "2024-02-01 10:00",
                    "artistName": "A",
                    "trackName": "B",
                    "msPlayed": 50000,
                }
            ]
        )
    )
    before = dump(conn)

    summary = run_import(conn, user, [path])

    assert not summary.ok
    (report,) = summary.errors
    assert report.name == name and message in report.error
    assert report.stored == 0
    assert dump(conn) == before
    # other files of the same import still go in
    both = run_import(conn, user, [path, good])
    assert [f.name for f in both.errors] == [name]
    assert both.stored == 1


def test_rows_with_bad_fields_are_rejected_with_reasons(tmp_path, fresh_db):
    conn, user = fresh_db()
    rows = GOOD_ROWS[:3] + [
        dict(GOOD_ROW, ts="yesterday"),
        dict(GOOD_ROW, ms_played=-5),
        dict(GOOD_ROW, ms_played="12"),
        {"ms_played": 1},
    ]
    path = tmp_path / EXT
    path.write_text(json.dumps(rows))
    report = run_import(conn, user, [path]).files[0]
    assert report.error is None
    assert report.rows_read == 7 and report.plays_added == 3 and report.rejected == 4
    assert report.rejected_reasons == {
        "missing or invalid ts": 2,
        "missing or invalid ms_played": 2,
    }


def _zip_traversal(tmp_path: Path) -> Path:
    return make_zip(
        tmp_path / "evil.zip",
        {"Spotify Extended Streaming History/" + EXT: GOOD_BYTES, "../" + EXT: GOOD_BYTES},
    )


def _zip_absolute(tmp_path: Path) -> Path:
    return make_zip(tmp_path / "evil.zip", {"/etc/" + EXT: GOOD_BYTES})


def _zip_bomb(tmp_path: Path) -> Path:
    path = tmp_path / "evil.zip"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("Spotify Extended Streaming History/" + EXT, "w") as member,
    ):
        member.write(b"[")
        for _ in range(40):
            member.write(b" " * (1024 * 1024))
        member.write(b"]")
    return path


def _zip_not_a_zip(tmp_path: Path) -> Path:
    path = tmp_path / "evil.zip"
    path.write_bytes(b"PK\x03\x04 this is not really a zip")
    return path


ZIP_CASES = {
    "traversal": (_zip_traversal, "unsafe path"),
    "absolute": (_zip_absolute, "unsafe path"),
    "bomb": (_zip_bomb, "zip bomb"),
    "not_a_zip": (_zip_not_a_zip, "not a readable zip"),
}


@pytest.mark.parametrize("case", sorted(ZIP_CASES))
def test_bad_archive_is_refused_whole_and_database_unchanged(tmp_path, populated, case):
    conn, user = populated
    make, message = ZIP_CASES[case]
    archive = make(tmp_path)
    before = dump(conn)
    summary = run_import(conn, user, [archive])
    assert not summary.ok
    (report,) = summary.files
    assert report.name == "evil.zip" and report.kind == "archive"
    assert message in report.error
    assert dump(conn) == before


def test_file_over_the_size_limit_is_refused(tmp_path, populated):
    conn, user = populated
    path = tmp_path / EXT
    path.write_bytes(GOOD_BYTES)
    before = dump(conn)
    summary = run_import(conn, user, [path], max_file_bytes=1000)
    (report,) = summary.errors
    assert report.name == EXT and "larger than" in report.error
    assert dump(conn) == before
    # the same limit applies to a member of an archive
    archive = make_zip(tmp_path / "export.zip", {"MyData/" + EXT: GOOD_BYTES})
    summary = run_import(conn, user, [archive], max_file_bytes=1000)
    assert "larger than" in summary.errors[0].error
    assert dump(conn) == before
    assert run_import(conn, user, [archive]).stored == len(GOOD_ROWS)


def test_a_member_that_inflates_past_its_header_is_stopped(tmp_path, populated):
    """A header can lie about the size: bytes are counted while decompressing."""
    import io

    from music_time_machine.importers.errors import ImportFileError
    from music_time_machine.importers.sources import CountingReader

    reader = CountingReader(
        io.BytesIO(b" " * 5_000_000), "x.json", limit=None, compressed=1000, max_ratio=100
    )
    with pytest.raises(ImportFileError, match="zip bomb"):
        while reader.read(65536):
            pass
    reader = CountingReader(io.BytesIO(b" " * 5000), "x.json", limit=4096)
    with pytest.raises(ImportFileError, match="x.json: is larger than"):
        while reader.read(1024):
            pass


@pytest.mark.parametrize(
    ("root", "rows_before_cut"),
    [
        # tests/data's 2023 file: 30 rows, 90% of its bytes hold 27 whole ones.
        ("data", "after 27 complete rows"),
        # the real 2023 sample: 1,470 rows, the cut falls somewhere after the first thousand.
        ("shared", "after 1,"),
    ],
)
def test_a_truncated_export_leaves_database_unchanged(tmp_path, populated, root, rows_before_cut):
    if root == "shared":
        need_samples()
    conn, user = populated
    data = ((SAMPLE_EXTENDED_DIR if root == "shared" else EXTENDED_DIR) / EXT).read_bytes()
    path = tmp_path / EXT
    path.write_bytes(data[: int(len(data) * 0.9)])
    before = dump(conn)
    summary = run_import(conn, user, [path])
    assert "truncated" in summary.errors[0].error
    assert rows_before_cut in summary.errors[0].error  # how far it got
    assert dump(conn) == before

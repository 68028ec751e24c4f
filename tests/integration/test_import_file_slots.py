"""One file's own rows are checked against each other exactly however far apart they are:
identical rows count once, distinct streams in one (time, song) slot are all kept, and a
re-import adds nothing, with the in-file bookkeeping packing older rows every few rows
(importers/file_slots.py) just as with everything held in dicts."""

from __future__ import annotations

from datetime import UTC, datetime

from import_fixtures import content, dump, write_json

from music_time_machine.importers import file_slots, run_import


def _row(i: int, song: int, ms_played: int = 200_000) -> dict:
    return {
        "ts": datetime.fromtimestamp(1_600_000_000 + i * 60, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "ms_played": ms_played,
        "platform": "android",
        "master_metadata_track_name": f"Song {song}",
        "master_metadata_album_artist_name": f"Artist {song % 3}",
        "master_metadata_album_album_name": "Album",
        "spotify_track_uri": f"spotify:track:{song:022d}",
        "reason_end": "trackdone",
        "skipped": False,
        "incognito_mode": False,
    }


def _rows() -> list[dict]:
    """200 rows in time order, then rows far out of order: 20 exact copies of early rows,
    20 distinct streams in early rows' slots (another ms_played), 10 rows from before."""
    rows = [_row(i, i % 7) for i in range(200)]
    rows += [dict(rows[i]) for i in range(0, 40, 2)]
    rows += [_row(i, i % 7, ms_played=100_000 + i) for i in range(1, 41, 2)]
    rows += [_row(-1000 - i, i % 7) for i in range(10)]
    rows.insert(100, dict(rows[150]))  # a copy that comes before its row
    return rows


def test_rows_far_apart_in_one_file_follow_the_same_rules(fresh_db, tmp_path, monkeypatch):
    path = write_json(tmp_path / "Streaming_History_Audio_2020.json", _rows())
    reference, user = fresh_db("reference.sqlite")
    expected = run_import(reference, user, [path])
    assert expected.stored == 200 + 20 + 10
    assert expected.duplicates == 21
    # The 20 distinct streams went in 1 ms after the rows whose slots they share.
    shifted = reference.execute("SELECT COUNT(*) FROM plays WHERE played_at % 1000 = 1")
    assert shifted.fetchone()[0] == 20

    monkeypatch.setattr(file_slots, "GENERATION_ROWS", 3)
    conn, user = fresh_db("packed.sqlite")
    summary = run_import(conn, user, [path])
    assert (summary.stored, summary.duplicates) == (expected.stored, expected.duplicates)
    assert content(conn) == content(reference)

    again = run_import(conn, user, [path])
    assert again.stored == 0 and again.duplicates == len(_rows())
    assert dump(conn)["plays"] == dump(reference)["plays"]

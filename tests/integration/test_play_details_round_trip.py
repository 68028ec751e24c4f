"""A stream's details (``db.plays.PlayDetails``) go every way whole and in order: an
extended-history import stores them, the JSON and CSV exports write them, the JSON export
imports again to the same, a backup restores them; account data has none."""

from __future__ import annotations

import csv
import io
import json

from import_fixtures import stored_details, write_history

from music_time_machine.db.plays import PLAY_DETAIL_COLUMNS, TEXT_DETAILS, PlayDetails
from music_time_machine.importers import run_import
from music_time_machine.importers.restore import restore_backup

#: Where each detail is in the JSON export (Spotify's extended-history field names).
JSON_FIELD = {c: c for c in PLAY_DETAIL_COLUMNS} | {"incognito": "incognito_mode"}
#: Details the CSV export has (offline and incognito are not among its columns).
CSV_DETAILS = ("skipped", "shuffle", "reason_start", "reason_end", "platform")

#: Details as an extended-history row gives them, each value different from its
#: neighbours' so that a shifted or swapped field shows; one row lacks the fields.
ROW_DETAILS = [
    {
        "skipped": True,
        "shuffle": False,
        "reason_start": "clickrow",
        "reason_end": "fwdbtn",
        "platform": "android",
        "offline": True,
        "incognito_mode": False,
    },
    {
        "skipped": False,
        "shuffle": True,
        "reason_start": "trackdone",
        "reason_end": "endplay",
        "platform": "ios",
        "offline": False,
        "incognito_mode": True,
    },
    {
        "skipped": None,
        "shuffle": None,
        "reason_start": "appload",
        "reason_end": None,
        "platform": None,
        "offline": None,
        "incognito_mode": None,
    },
    {},
]


def _expected(fields: dict) -> PlayDetails:
    """The details a row's fields should be stored as: flags 0/1, text as it is, absent
    fields unknown (computed here from the row, not by the importer's code)."""
    values = {}
    for column in PLAY_DETAIL_COLUMNS:
        value = fields.get(JSON_FIELD[column])
        values[column] = int(value) if type(value) is bool else value
    return PlayDetails(**values)


def _extended_rows() -> list[dict]:
    return [
        {
            "ts": f"2024-03-0{i + 1}T10:00:00Z",
            "ms_played": 200_000 + i,
            "master_metadata_track_name": f"Song {i}",
            "master_metadata_album_artist_name": "Artist",
            "master_metadata_album_album_name": "Album",
            "spotify_track_uri": f"spotify:track:{i:022d}",
            **fields,
        }
        for i, fields in enumerate(ROW_DETAILS)
    ]


def _json_value(column: str, value: object) -> object:
    """A stored detail as the JSON export writes it: Spotify's booleans for the flags."""
    return value if value is None or column in TEXT_DETAILS else bool(value)


def _csv_value(column: str, value: object) -> str:
    """A stored detail as the CSV export writes it: empty when unknown, flags in words."""
    if value is None:
        return ""
    return value if column in TEXT_DETAILS else ("true" if value else "false")


def test_details_survive_import_play_rows_json_and_csv_export_and_reimport(
    app, client, conn, local_user, fresh_db, tmp_path
):
    rows = _extended_rows()
    expected = [_expected(fields) for fields in ROW_DETAILS]
    source = write_history(tmp_path / "Streaming_History_Audio_2024.json", rows)
    summary = run_import(conn, local_user, [source], include_incognito=True)
    assert summary.ok and summary.plays_added == len(rows)
    assert stored_details(conn, local_user) == expected

    exported = client.get("/settings/export/plays.json").get_json()
    assert [{c: record[JSON_FIELD[c]] for c in PLAY_DETAIL_COLUMNS} for record in exported] == [
        {c: _json_value(c, v) for c, v in want._asdict().items()} for want in expected
    ]

    text = client.get("/settings/export/plays.csv").get_data(as_text=True)
    assert [{c: cell[c] for c in CSV_DETAILS} for cell in csv.DictReader(io.StringIO(text))] == [
        {c: _csv_value(c, getattr(want, c)) for c in CSV_DETAILS} for want in expected
    ]

    # The JSON export is an extended-history file: imported again, the details are the same.
    again = tmp_path / "again" / "Streaming_History_Audio_export.json"
    again.parent.mkdir()
    again.write_text(json.dumps(exported), encoding="utf-8")
    conn2, user2 = fresh_db("again.sqlite")
    assert run_import(conn2, user2, [again], include_incognito=True).plays_added == len(rows)
    assert stored_details(conn2, user2) == expected


def test_account_data_streams_have_no_details(app, client, conn, local_user, tmp_path):
    rows = [
        {"endTime": "2024-03-01 10:00", "artistName": "A", "trackName": "T", "msPlayed": 200_000}
    ]
    path = tmp_path / "StreamingHistory_music_0.json"
    path.write_text(json.dumps(rows), encoding="utf-8")
    assert run_import(conn, local_user, [path]).ok
    assert stored_details(conn, local_user) == [PlayDetails()]
    (record,) = client.get("/settings/export/plays.json").get_json()
    assert all(record[JSON_FIELD[c]] is None for c in PLAY_DETAIL_COLUMNS)


def test_details_survive_backup_and_restore(app, client, conn, local_user, fresh_db, tmp_path):
    source = write_history(tmp_path / "Streaming_History_Audio_2024.json", _extended_rows())
    assert run_import(conn, local_user, [source], include_incognito=True).ok
    backup = tmp_path / "backup.sqlite"
    backup.write_bytes(client.get("/settings/export/backup.sqlite").data)
    conn2, user2 = fresh_db("restored.sqlite")
    conn2.execute("UPDATE user_settings SET include_incognito = 1 WHERE user_id = ?", (user2,))
    summary = restore_backup(conn2, user2, backup)
    assert summary.ok and summary.plays_added == len(ROW_DETAILS)
    assert stored_details(conn2, user2) == [_expected(fields) for fields in ROW_DETAILS]

"""A stream's details (skipped, shuffle, reasons, platform, offline, incognito) are declared
once, as ``db.plays.PlayDetails``: it matches the ``plays`` table, and the small writers'
``NewPlay`` stores it in its columns. The ways in and out (import, export, restore) are
tested in tests/integration/test_play_details_round_trip.py."""

from __future__ import annotations

from import_fixtures import stored_details

from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo
from music_time_machine.db.plays import (
    PLAY_DETAIL_COLUMNS,
    TEXT_DETAILS,
    NewPlay,
    PlayDetails,
    insert_plays,
)


def test_every_detail_is_a_nullable_plays_column_of_its_type(db):
    columns = {row[1]: row for row in db.execute("PRAGMA table_info(plays)")}
    for name in PLAY_DETAIL_COLUMNS:
        _, _, declared, notnull, _, _ = columns[name]
        assert notnull == 0, name
        assert declared == ("TEXT" if name in TEXT_DETAILS else "INTEGER"), name
    assert TEXT_DETAILS == ("reason_start", "reason_end", "platform")


def test_a_new_play_writes_its_details_to_their_columns(fresh_db):
    conn, user = fresh_db()
    details = [
        PlayDetails(1, 0, "clickrow", "fwdbtn", "android", 1, 0),
        PlayDetails(0, 1, "trackdone", "endplay", "ios", 0, 1),
    ]
    track = Catalogue(conn, user).track_id(TrackInfo("Song", [ArtistInfo("Artist")]))
    plays = [NewPlay(track, 1_700_000_000_000 + i, 200_000, "api") for i in range(3)]
    plays[0].details, plays[1].details = details
    assert insert_plays(conn, user, plays).added == 3
    assert stored_details(conn, user) == [*details, PlayDetails()]

"""The stream's details (skipped, shuffle, reasons, platform, offline, incognito) are listed
in three places that must agree: the plays columns, the importer's ``Stream`` (whose
``DETAILS`` slice the import writes as it is) and the small writers' ``NewPlay``."""

from dataclasses import fields

from music_time_machine.db.plays import PLAY_DETAIL_COLUMNS, NewPlay
from music_time_machine.importers.rows import DETAILS, Stream


def test_the_importers_stream_holds_the_details_in_column_order():
    assert Stream._fields[DETAILS] == PLAY_DETAIL_COLUMNS


def test_a_new_play_holds_the_details_in_column_order():
    names = tuple(f.name for f in fields(NewPlay))
    start = names.index(PLAY_DETAIL_COLUMNS[0])
    assert names[start : start + len(PLAY_DETAIL_COLUMNS)] == PLAY_DETAIL_COLUMNS

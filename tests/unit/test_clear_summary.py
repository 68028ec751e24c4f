"""The clear-data confirmation in words a person recognises: every table with rows is
covered by one line, no table name appears, singular and plural read right."""

from __future__ import annotations

import sqlite3

from music_time_machine.db.migrate import migrate
from music_time_machine.db.userdata import listening_tables
from music_time_machine.web.clear_summary import ACCOUNT_LINE, recognisable_losses


def texts(counts, account=False):
    return [(loss.count, loss.text) for loss in recognisable_losses(counts, account)]


def test_the_issue_example_reads_as_a_person_would_say_it():
    lines = texts(
        {
            "plays": 25_000,
            "playlists": 3,
            "sync_runs": 120,
            "tracks": 900,
            "albums": 300,
            "artists": 150,
            "artist_art": 40,
            "rollup_artist_gap": 77,
        }
    )
    assert lines[0] == (
        25_000,
        "streams: every play in your history, short ones, podcasts and audiobooks included",
    )
    assert lines[1][0] == 3 and lines[1][1].startswith("playlists you made here")
    assert lines[2] == (120, "sync runs")
    assert (None, "900 songs, 300 albums and 150 artists your history names") in lines
    assert (None, "the genres and artwork found for your artists and albums") in lines
    assert lines[-1] == (None, "the totals, search index and bookkeeping computed from these")


def test_one_of_each_is_singular_and_empty_tables_are_left_out():
    lines = texts(
        {"plays": 1, "sync_runs": 1, "playlists": 0, "tracks": 1, "albums": 1, "artists": 1}
    )
    assert lines[0][1].startswith("stream: ")
    assert (1, "sync run") in lines
    assert not any("playlist" in text for _, text in lines)
    assert (None, "1 song, 1 album and 1 artist your history names") in lines


def test_nothing_to_delete_gives_no_lines_but_an_account_still_goes():
    assert texts({"plays": 0, "rollup_day": 0}) == []
    assert texts({}, account=True) == [(None, ACCOUNT_LINE)]


def test_no_line_is_a_table_name_for_the_real_schema():
    """Every listening table of the current schema, each with rows: the lines name none of
    them, and a table a later migration adds is still covered (by the last line)."""
    conn = sqlite3.connect(":memory:")
    conn.row_factory = sqlite3.Row
    migrate(conn)
    tables = listening_tables(conn)
    words = " ".join(text for _, text in texts({t: 2 for t in tables}))
    for table in tables:
        assert not ("_" in table and table in words), table
    for jargon in ("rollup", "recount", "slice", "enrichment", "uris", "art "):
        assert jargon not in words, jargon
    assert texts({"a_table_from_the_future": 1}) == [
        (None, "the totals, search index and bookkeeping computed from these")
    ]

"""File recognition, row mapping, JSON shape checks and the summary table."""

from __future__ import annotations

import io

import pytest

from music_time_machine.db.plays import PlayDetails
from music_time_machine.importers import (
    FileReport,
    ImportFileError,
    ImportProgress,
    ImportSummary,
    SkippedFile,
    format_summary_table,
)
from music_time_machine.importers.formats import (
    ACCOUNT,
    EXTENDED,
    Format,
    format_from_name,
    format_from_row,
)
from music_time_machine.importers.parse import first_item, iter_objects
from music_time_machine.importers.rows import NO_METADATA, Stream, account_stream, extended_stream
from music_time_machine.limits import MAX_NAME_CHARS, NAME_TOO_LONG


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Streaming_History_Audio_2023.json", Format(EXTENDED, "audio")),
        ("Streaming_History_Audio_2019-2021_3.json", Format(EXTENDED, "audio")),
        ("Streaming_History_Video_2018-2023.json", Format(EXTENDED, "video")),
        ("endsong_0.json", Format(EXTENDED, "audio")),
        ("StreamingHistory_music_2.json", Format(ACCOUNT, "music")),
        ("StreamingHistory_podcast_0.json", Format(ACCOUNT, "podcast")),
        ("StreamingHistory_audiobook_0.json", Format(ACCOUNT, "audiobook")),
        ("StreamingHistory0.json", Format(ACCOUNT, "music")),
        ("Userdata.json", None),
        ("Playlist1.json", None),
        ("ReadMeFirst_ExtendedStreamingHistory.pdf", None),
    ],
)
def test_file_names(name, expected):
    assert format_from_name(name) == expected


def test_renamed_files_are_recognised_by_their_rows():
    assert format_from_row({"ts": "x", "ms_played": 1}) == Format(EXTENDED)
    assert format_from_row({"endTime": "x", "msPlayed": 1}) == Format(ACCOUNT)
    assert format_from_row({"searchTime": "x"}) is None
    assert first_item(b'[{"ts": "a", "ms_played": 1}, {"trunc') == {"ts": "a", "ms_played": 1}
    assert first_item(b'{"item": {"ts": 1}}') is None


def test_extended_rows_map_to_kinds():
    base = {
        "ts": "2023-02-25T11:20:37Z",
        "ms_played": 61839,
        "shuffle": False,
        "skipped": True,
        "offline": False,
        "incognito_mode": False,
        "reason_start": "trackdone",
        "reason_end": "endplay",
        "platform": "android",
    }
    track = extended_stream(
        {
            **base,
            "master_metadata_track_name": "Forever",
            "master_metadata_album_artist_name": "Labrinth",
            "master_metadata_album_album_name": "Euphoria",
            "spotify_track_uri": "spotify:track:1",
        }
    )
    assert track.played_at == 1677324037000 and track.kind == "music"
    assert (track.name, track.artist, track.album, track.uri) == (
        "Forever",
        "Labrinth",
        "Euphoria",
        "spotify:track:1",
    )
    assert track.details == PlayDetails(1, 0, "trackdone", "endplay", "android", 0, 0)
    episode = extended_stream(
        {
            **base,
            "episode_name": "Ep",
            "episode_show_name": "Show",
            "spotify_episode_uri": "spotify:episode:1",
        },
        video=True,
    )
    assert (episode.kind, episode.name, episode.artist) == ("podcast", "Ep", "Show")
    book = extended_stream(
        {
            **base,
            "audiobook_title": "Book",
            "audiobook_chapter_title": "Ch 1",
            "audiobook_chapter_uri": "spotify:chapter:1",
        }
    )
    assert (book.kind, book.name, book.artist, book.uri) == (
        "audiobook",
        "Ch 1",
        "Book",
        "spotify:chapter:1",
    )
    video = extended_stream({**base, "spotify_track_uri": "spotify:track:2"}, video=True)
    assert video.kind == "video" and video.name == "spotify:track:2"
    assert extended_stream(base) == NO_METADATA
    assert (
        extended_stream(
            {**base, "ts": "2023-02-25T11:20:37.250Z", "spotify_track_uri": "u"}
        ).played_at
        == 1677324037250
    )
    assert extended_stream({**base, "ts": None}) == "missing or invalid ts"
    assert extended_stream({**base, "ms_played": True}) == "missing or invalid ms_played"


def test_account_rows_map_to_kinds():
    music = account_stream(
        {
            "endTime": "2024-05-21 09:54",
            "artistName": "Doctor Hz",
            "trackName": "Brown Noise",
            "msPlayed": 205999,
        }
    )
    assert music.played_at == 1716285240000 and music.kind == "music" and music.uri is None
    assert music.details == PlayDetails()  # account data has no details: all unknown
    podcast = account_stream(
        {
            "endTime": "2023-10-03 21:56",
            "podcastName": "Void",
            "episodeName": "Ep 1",
            "msPlayed": 1835,
        }
    )
    assert (podcast.kind, podcast.artist, podcast.name) == ("podcast", "Void", "Ep 1")
    book = account_stream(
        {
            "endTime": "2023-10-20 18:58",
            "audiobookName": "House",
            "chapterName": "One",
            "authorName": "KC",
            "msPlayed": 41192,
        }
    )
    assert (book.kind, book.artist, book.name, book.author) == ("audiobook", "House", "One", "KC")
    unknown = {
        "endTime": "2024-08-25 04:37",
        "artistName": "Unknown Artist",
        "trackName": "Unknown Track",
        "msPlayed": 15186,
    }
    assert account_stream(unknown) == NO_METADATA
    assert account_stream({**unknown, "endTime": "25/08/2024"}) == "missing or invalid endTime"


def _objects(data: bytes, name: str = "f.json") -> list:
    return list(iter_objects(io.BufferedReader(io.BytesIO(data)), name))


def test_parse_accepts_a_bom_and_names_the_file_on_errors():
    assert _objects(b'\xef\xbb\xbf[{"a": 1}]') == [{"a": 1}]
    assert _objects(b"  []") == []
    with pytest.raises(ImportFileError) as err:
        _objects(b'[{"a": 1}, [2]]', "Streaming_History_Audio_1.json")
    assert err.value.filename == "Streaming_History_Audio_1.json"
    assert str(err.value).startswith("Streaming_History_Audio_1.json: row 2 is a list")
    with pytest.raises(ImportFileError, match="not valid JSON"):
        _objects(b'[{"a": NaN}]')


def test_summary_totals_table_and_dict():
    a = FileReport(
        "a.json",
        "extended",
        rows_read=10,
        plays_added=5,
        short_plays=2,
        podcasts_audiobooks=1,
        duplicates=1,
        without_metadata=1,
    )
    b = FileReport("b.json", "account", error="is truncated")
    c = FileReport("c.json", "account", rows_read=3, rejected=3)
    c.rejected_reasons["missing or invalid endTime"] = 3
    summary = ImportSummary(files=[a, b, c], skipped=[SkippedFile("Userdata.json", "nope")])
    assert summary.rows_read == 13 and summary.plays_added == 5 and summary.stored == 8
    assert not summary.ok and summary.errors == [b]
    data = summary.to_dict()
    assert data["files"][2]["rejected_reasons"] == {"missing or invalid endTime": 3}
    assert data["skipped"] == [{"name": "Userdata.json", "reason": "nope"}]
    table = format_summary_table(summary)
    assert "Refused b.json: is truncated" in table
    assert "Userdata.json (nope)" in table
    assert "3 row(s) with missing or invalid endTime" in table
    progress = ImportProgress(1, 2, 50, 200, 10, "a.json")
    assert progress.fraction == 0.25 and progress.to_dict()["fraction"] == 0.25


def test_whole_file_parsing_equals_the_streaming_parser():
    """Small files are parsed with json.loads; whatever that path meets, the rows and the
    errors are exactly ijson's (read_objects falls back to it)."""
    from music_time_machine.importers.errors import ImportFileError
    from music_time_machine.importers.parse import read_objects

    row = '{"ts": "2023-01-01T00:00:00Z", "ms_played": 1000, "x": %s}'
    cases = [
        b"[]",
        b"  [ ]  ",
        b"[1]",
        b'[{"a": 1}, 2]',
        b"{}",
        b"",
        b"   ",
        b'[{"a": 1}] [',
        b'[{"a": 1}',
        b'\xef\xbb\xbf[{"a": 1}]',
        b'[{"a": "caf\xc3\xa9"}]',
        b'[{"a": "caf\xe9"}]',
        b"not json",
        b'[{"a": "\xed\xa0\x80"}]',
        b"[" * 5000,
        b'[{"a": ' + b"[" * 5000 + b"]" * 5000 + b"}]",
    ]
    for value in (
        "1.5",
        "1e400",
        "NaN",
        "-Infinity",
        "123456789012345678901234",
        "9223372036854775807",
        "-9223372036854775808",
        "9223372036854775808",
        '"\\ud800"',
        '"\\ud83d\\ude00"',
        '"\\u00e9"',
        '[1, {"b": null}]',
        "true",
        '"a\\u0000b"',
        '"\\udc00\\ud800"',
        "[" * 31 + "]" * 31,
        "[" * 30 + "]" * 30,
    ):
        cases.append(("[" + row % value + "]").encode())
    for data in cases:
        outcome = []
        for size in (None, len(data)):
            stream = io.BufferedReader(io.BytesIO(data))
            try:
                got = ("rows", list(read_objects(stream, "f.json", size)))
            except ImportFileError as exc:
                got = ("error", str(exc))
            outcome.append(got)
        assert outcome[0] == outcome[1], data


#: A music row with every text field an extended row can have.
EXTENDED_TRACK = {
    "ts": "2023-02-25T11:20:37Z",
    "ms_played": 61839,
    "master_metadata_track_name": "Forever",
    "master_metadata_album_artist_name": "Labrinth",
    "master_metadata_album_album_name": "Euphoria",
    "spotify_track_uri": "spotify:track:1",
    "reason_start": "trackdone",
    "reason_end": "endplay",
    "platform": "android",
}


@pytest.mark.parametrize("field", [k for k in EXTENDED_TRACK if k not in ("ts", "ms_played")])
def test_every_text_of_an_extended_row_is_held_to_the_name_limit(field):
    assert type(extended_stream({**EXTENDED_TRACK, field: "x" * MAX_NAME_CHARS})) is Stream
    assert extended_stream({**EXTENDED_TRACK, field: "x" * (MAX_NAME_CHARS + 1)}) == NAME_TOO_LONG


def test_an_audiobook_author_is_held_to_the_name_limit():
    row = {"endTime": "2023-10-20 18:58", "audiobookName": "House", "chapterName": "One"}
    long = "x" * (MAX_NAME_CHARS + 1)
    assert account_stream({**row, "msPlayed": 1, "authorName": "KC"}).author == "KC"
    assert account_stream({**row, "msPlayed": 1, "authorName": long}) == NAME_TOO_LONG

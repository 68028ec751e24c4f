"""One identity for a song (DESIGN §4b, issue #14 item 1): the same primary artist and
normalised title are one song whichever URIs and sources brought its plays, and in
whatever order they were imported; the song's URI is the one played most."""

from __future__ import annotations

import itertools
import json
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from conftest import open_fresh_db
from factories import database_before, read_as_today
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from music_time_machine.daterange import parse_range
from music_time_machine.db import transaction
from music_time_machine.db.migrate import migrate
from music_time_machine.db.playlists import track_details
from music_time_machine.db.rollups import rebuild_rollups
from music_time_machine.db.stats import ListeningStats
from music_time_machine.db.users import create_user
from music_time_machine.importers.run import run_import
from music_time_machine.spotify.sync import store_recent_plays
from music_time_machine.web.stats_api import StatsRequest, summary_payload

ALL = (date(2000, 1, 1), date(2030, 1, 1))
TODAY = date(2026, 1, 1)
START = 1_704_110_400_000  # 2024-01-01 12:00 UTC
LENGTH = 200_000  # every stream runs to the end, so each source reports the same ms


def _uri(song: int, version: int) -> str:
    return f"spotify:track:{song:02d}{version:02d}" + "x" * 18


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _streams():
    """(song, version, end ms to the second, API skew ms, sources) per stream. Songs 0..3
    have up to three URIs (single, album version, re-release); streams end minutes apart."""
    one = st.tuples(
        st.integers(0, 3),
        st.integers(0, 2),
        st.integers(3, 90),
        st.integers(0, 59),
        st.integers(-2_000, 2_000),
        st.sets(st.sampled_from(("extended", "account", "api")), min_size=1),
    )
    return st.lists(one, min_size=1, max_size=12)


def _sources(streams) -> dict[str, object]:
    """The same streams as an extended file, an account-data file and Web API objects."""
    extended, account, api = [], [], {}
    at = START
    for song, version, gap_min, second, skew, sources in streams:
        at = at - at % 60_000 + gap_min * 60_000 + second * 1000
        title, artist = f"Song {song}", f"Artist {song % 2}"
        album, uri = f"Album {song}.{version}", _uri(song, version)
        if "extended" in sources:
            extended.append(
                {
                    "ts": _iso(at),
                    "ms_played": LENGTH,
                    "master_metadata_track_name": title,
                    "master_metadata_album_artist_name": artist,
                    "master_metadata_album_album_name": album,
                    "spotify_track_uri": uri,
                    "reason_start": "trackdone",
                    "reason_end": "trackdone",
                    "skipped": False,
                    "shuffle": False,
                    "offline": False,
                    "incognito_mode": False,
                }
            )
        if "account" in sources:
            account.append(
                {
                    "endTime": _iso(at)[:16].replace("T", " "),
                    "artistName": artist,
                    "trackName": title,
                    "msPlayed": LENGTH,
                }
            )
        if "api" in sources:
            api[(at + skew, uri)] = {
                "played_at": _iso(at + skew),
                "track": {
                    "uri": uri,
                    "name": title,
                    "duration_ms": LENGTH,
                    "type": "track",
                    "artists": [{"id": f"artist{song % 2}", "name": artist}],
                    "album": {"id": f"album{song}{version}", "name": album},
                },
            }
    return {"extended": extended, "account": account, "api": api}


def _import(conn, user: int, tmp: Path, source: str, data) -> None:
    if source == "api":
        store_recent_plays(conn, user, data)
        return
    name = (
        "Streaming_History_Audio_2024.json"
        if source == "extended"
        else "StreamingHistory_music_0.json"
    )
    path = tmp / name
    path.write_text(json.dumps(data))
    if data:
        assert run_import(conn, user, [path]).ok


def _view(conn, user: int) -> dict:
    """``_view_now`` on any schema version (see ``factories.read_as_today``)."""
    with read_as_today(conn):
        return _view_now(conn, user)


def _view_now(conn, user: int) -> dict:
    """What the stats pages show. Equal counts in top lists tie-break by id (the order
    songs were first stored), so the lists are compared as sets of items, without ids."""
    stats = ListeningStats(conn, user)
    api = StatsRequest(stats, parse_range({"range": "all"}, TODAY, stats.first_day), "UTC", TODAY)

    def key(item: dict) -> str:  # ids follow the order songs were stored: left out
        return json.dumps(
            {k: v for k, v in item.items() if k not in ("id", "artist_ids", "album_id")}
        )

    return {
        "summary": summary_payload(api),
        "top_tracks": sorted(map(key, stats.top_tracks(*ALL, 50))),
        "top_artists": sorted(map(key, stats.top_artists(*ALL, 50))),
        "volume": stats.volume(*ALL, "month"),
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(streams=_streams())
def test_any_order_of_the_same_streams_gives_the_same_stats(streams):
    data = _sources(streams)
    views = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n, order in enumerate(itertools.permutations(("extended", "account", "api"))):
            conn, user = open_fresh_db(Path(tmp) / f"{n}.sqlite")
            for source in order:
                _import(conn, user, Path(tmp), source, data[source])
            views[order] = _view(conn, user)
            songs = {(s % 2, s) for s, *_ in streams}
            assert views[order]["summary"]["tracks"] == len(songs), order
            conn.close()
    first = next(iter(views.values()))
    for order, view in views.items():
        assert view == first, order


def _extended_row(at_min: int, uri: str, title: str = "Song", album: str = "Album") -> dict:
    return {
        "ts": _iso(START + at_min * 60_000),
        "ms_played": LENGTH,
        "master_metadata_track_name": title,
        "master_metadata_album_artist_name": "Band",
        "master_metadata_album_album_name": album,
        "spotify_track_uri": uri,
        "reason_end": "trackdone",
        "skipped": False,
        "incognito_mode": False,
    }


def test_an_extended_file_counts_the_versions_of_a_song_as_one(tmp_path, fresh_db):
    """Before, each URI was a track: the single and the album version counted twice."""
    conn, user = fresh_db()
    rows = [
        _extended_row(0, _uri(1, 0), "Song", "Single"),
        _extended_row(5, _uri(1, 1), "Song", "The Album"),
        _extended_row(10, _uri(1, 2), "SONG!", "Reissue"),
    ]
    _import(conn, user, tmp_path, "extended", rows)
    view = _view(conn, user)
    assert view["summary"]["tracks"] == 1
    assert [json.loads(t)["plays"] for t in view["top_tracks"]] == [3]


def test_playlists_use_the_uri_played_most_whatever_the_order(tmp_path, fresh_db):
    single, album = _uri(1, 0), _uri(1, 1)
    rows = [_extended_row(0, single, album="Single")] + [
        _extended_row(10 * i, album, album="The Album") for i in range(1, 4)
    ]
    account = [
        {
            "endTime": r["ts"][:16].replace("T", " "),
            "artistName": "Band",
            "trackName": "Song",
            "msPlayed": LENGTH,
        }
        for r in rows
    ]
    for n, order in enumerate((("extended", "account"), ("account", "extended"))):
        conn, user = fresh_db(f"{n}.sqlite")
        for source in order:
            _import(conn, user, tmp_path, source, rows if source == "extended" else account)
        (song,) = [r[0] for r in conn.execute("SELECT id FROM tracks")]
        details = track_details(conn, [song])[song]
        assert (details.uri, details.album) == (album, "The Album"), order
        assert dict(conn.execute("SELECT uri, plays FROM track_uris")) == {single: 1, album: 3}
        conn.close()


def test_0011_merges_the_split_versions_of_a_song_without_changing_play_counts(
    tmp_path, monkeypatch
):
    conn = database_before(tmp_path / "old.sqlite", monkeypatch, 11)
    user, other = create_user(conn, "Alice"), create_user(conn, "Bob")
    single, album, bob_uri = _uri(1, 0), _uri(1, 1), _uri(1, 0)
    with transaction(conn):
        conn.executemany(
            "INSERT INTO artists (id, user_id, name, name_key) VALUES (?, ?, ?, ?)",
            [(1, user, "Band", "band"), (2, user, "Guest", "guest"), (3, other, "Band", "band")],
        )
        conn.executemany(
            "INSERT INTO albums (id, user_id, name, name_key) VALUES (?, ?, ?, ?)",
            [(1, user, "Single", "single"), (2, user, "The Album", "the album")],
        )
        # As the importer stored them: a track per URI, one by name from account data,
        # and another user's own copy that must stay theirs.
        conn.executemany(
            "INSERT INTO tracks (id, user_id, spotify_id, name, album_id, match_key) "
            "VALUES (?, ?, ?, ?, ?, 'band\x1fsong')",
            [
                (1, user, single, "Song", 1),
                (2, user, album, "Song", 2),
                (3, user, None, "song", None),
                (4, other, bob_uri, "Song", None),
            ],
        )
        conn.executemany(
            "INSERT INTO track_artists VALUES (?, ?, ?)",
            [(1, 1, 0), (2, 1, 0), (2, 2, 1), (3, 1, 0), (4, 3, 0)],
        )
        plays = [
            (user, 1, START),
            (user, 2, START + 3_600_000),
            (user, 2, START + 7_200_000),
            (user, 3, START + 9_000_000),
            (user, 1, START + 10_800_000),
            (user, 2, START + 10_800_000),  # one slot
            (other, 4, START),
        ]
        conn.executemany(
            "INSERT INTO plays (user_id, track_id, played_at, ms_played, kind, source, "
            "local_date, local_hour) VALUES (?, ?, ?, 200000, 'music', 'extended', "
            "'2024-01-01', 12)",
            plays,
        )
        conn.execute(
            "INSERT INTO top_snapshots (user_id, taken_on, item_type, time_range, "
            "rank, track_id) VALUES (?, '2024-02-01', 'track', 'short_term', 1, 2)",
            (user,),
        )
        rebuild_rollups(conn, user)
        rebuild_rollups(conn, other)
    before = _view(conn, user)
    other_before = _view(conn, other)
    assert before["summary"]["tracks"] == 3  # the bug: one song counted three times

    migrate(conn)

    after = _view(conn, user)
    assert after["summary"]["tracks"] == 1
    assert after["summary"]["plays"] == before["summary"]["plays"] == 6
    assert after["summary"]["minutes"] == before["summary"]["minutes"]
    (top,) = map(json.loads, after["top_tracks"])
    assert (top["plays"], top["uri"], top["album"]) == (6, album, "The Album")
    assert sorted(json.loads(a)["name"] for a in after["top_artists"]) == ["Band", "Guest"]
    assert _view(conn, other) == other_before
    assert [
        tuple(r)
        for r in conn.execute(
            "SELECT played_at - ?, track_id, uri_id IS NOT NULL FROM plays WHERE user_id = ? "
            "ORDER BY played_at",
            (START, user),
        )
    ] == [
        (0, 1, 1),
        (3_600_000, 1, 1),
        (7_200_000, 1, 1),
        (9_000_000, 1, 0),
        (10_800_000, 1, 1),
        (10_800_001, 1, 1),
    ]  # the second stream of one slot: 1 ms on
    assert dict(conn.execute("SELECT uri, plays FROM track_uris WHERE user_id = ?", (user,))) == {
        single: 2,
        album: 3,
    }
    assert [tuple(r) for r in conn.execute("SELECT track_id FROM top_snapshots")] == [(1,)]
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    conn.close()

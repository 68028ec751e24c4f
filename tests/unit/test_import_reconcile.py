"""The reconciliation rule: same track within the documented window is one stream,
one-to-one, and different tracks are never merged."""

from __future__ import annotations

import json
import sys
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import open_fresh_db  # noqa: E402
from import_fixtures import account_rows_from_extended  # noqa: E402

from music_time_machine.db import transaction  # noqa: E402
from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo  # noqa: E402
from music_time_machine.db.plays import NewPlay, insert_plays  # noqa: E402
from music_time_machine.importers import Reconciler, run_import, same_stream  # noqa: E402
from music_time_machine.normalise import match_key  # noqa: E402
from music_time_machine.rules import API_EXPORT_WINDOW_MS, MINUTE_TRUNCATION_MS  # noqa: E402

M = 1_700_000_040_000  # a whole minute
assert M % MINUTE_TRUNCATION_MS == 0


def test_same_stream_windows():
    # account row (minute) vs extended (seconds): the extended end lies in that minute
    assert same_stream("account", M, "extended", M)
    assert same_stream("account", M, "extended", M + 59_999)
    assert not same_stream("account", M, "extended", M + 60_000)
    assert not same_stream("account", M, "extended", M - 1)
    assert same_stream("extended", M + 30_000, "account", M)
    assert not same_stream("extended", M + 60_000, "account", M)
    # api vs extended: seconds of skew either way
    assert same_stream("extended", M, "api", M + API_EXPORT_WINDOW_MS)
    assert same_stream("api", M, "extended", M - API_EXPORT_WINDOW_MS)
    assert not same_stream("api", M, "extended", M + API_EXPORT_WINDOW_MS + 1)
    # account vs api: the minute widened by the API's skew
    assert same_stream("account", M, "api", M - 10_000)
    assert same_stream("account", M, "api", M + 70_000)
    assert not same_stream("account", M, "api", M + 60_000 + API_EXPORT_WINDOW_MS)
    # the same source only matches exactly
    assert same_stream("extended", M, "extended", M)
    assert not same_stream("extended", M, "extended", M + 1000)
    assert not same_stream("account", M, "account", M + 1)


def _store(conn, user, plays):
    with transaction(conn):
        cat = Catalogue(conn, user)
        new = [
            NewPlay(cat.track_id(TrackInfo(title, [ArtistInfo(artist)])), at, ms, source)
            for artist, title, at, ms, source in plays
        ]
        insert_plays(conn, user, new)


def test_reconciler_matches_one_to_one_and_by_track(tmp_path):
    conn, user = open_fresh_db(tmp_path / "mtm.sqlite")
    _store(
        conn,
        user,
        [
            ("Band", "Song", M + 10_000, 1000, "extended"),
            ("Band", "Song", M + 40_000, 2000, "extended"),
            ("Band", "Other", M + 20_000, 3000, "extended"),
        ],
    )
    rec = Reconciler(conn, user)
    key = match_key("Band", "Song")
    assert rec.is_duplicate(key, M, "account", 2000)
    assert rec.is_duplicate(key, M + 1, "account", 1000)
    assert not rec.is_duplicate(key, M + 2, "account", 1000)  # both plays used up
    assert not rec.is_duplicate(match_key("Band", "Song (Live)"), M, "account")
    assert rec.is_duplicate(match_key("band", "OTHER"), M, "account")  # normalised names
    # a new reconciler (a new transaction) starts afresh
    assert Reconciler(conn, user).is_duplicate(key, M + 12_000, "api")


_TRACKS = [("Band", "Song"), ("Band", "Song 2"), ("Other Band", "Song"), ("Solo", "Tune")]


@st.composite
def _streams(draw):
    """Extended rows: few tracks and a few minutes, so rows crowd into the same minute."""
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        artist, title = draw(st.sampled_from(_TRACKS))
        second = draw(st.integers(0, 239))
        ms = draw(st.sampled_from([0, 500, 1000, 31_000, 200_000]))
        ts = datetime.fromtimestamp(M // 1000 + second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows.append(
            {
                "ts": ts,
                "ms_played": ms,
                "master_metadata_track_name": title,
                "master_metadata_album_artist_name": artist,
                "master_metadata_album_album_name": None,
                "spotify_track_uri": f"spotify:track:{_TRACKS.index((artist, title))}",
                "skipped": draw(st.booleans()),
            }
        )
    return rows


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=_streams(), account_first=st.booleans(), together=st.booleans())
def test_extended_and_derived_account_data_count_each_stream_once(rows, account_first, together):
    music, _ = account_rows_from_extended(rows)
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        ext = tmp_path / "Streaming_History_Audio_2023.json"
        acc = tmp_path / "StreamingHistory_music_0.json"
        ext.write_text(json.dumps(rows))
        acc.write_text(json.dumps(music))
        conn, user = open_fresh_db(tmp_path / "mtm.sqlite")
        if together:
            run_import(conn, user, [acc, ext])
        else:
            for path in [acc, ext] if account_first else [ext, acc]:
                assert run_import(conn, user, [path]).ok
        distinct = {json.dumps(r, sort_keys=True): r for r in rows}.values()
        expected = Counter(
            match_key(r["master_metadata_album_artist_name"], r["master_metadata_track_name"])
            for r in distinct
        )
        stored = Counter(
            k
            for (k,) in conn.execute(
                "SELECT t.match_key FROM plays p JOIN tracks t ON t.id = p.track_id"
            )
        )
        assert stored == expected  # per track: never merged across tracks, never doubled
        # and importing both again changes nothing
        again = run_import(conn, user, [ext, acc])
        assert again.stored == 0
        conn.close()


def test_two_streams_in_one_second_one_skipped_stay_two_on_every_re_import(tmp_path):
    """Found by the property test above: account data first, then the extended file with a
    stream at :00 and two at :01 of one song (one skipped, one not, both 0 ms). Re-reading
    the file once matched the unskipped :01 row to the stored skipped one, and stored the
    skipped row again a millisecond later."""

    def row(second: int, skipped: bool) -> dict:
        return {
            "ts": f"2023-11-14T22:14:0{second}Z",
            "ms_played": 0,
            "master_metadata_track_name": "Song",
            "master_metadata_album_artist_name": "Band",
            "master_metadata_album_album_name": None,
            "spotify_track_uri": "spotify:track:0",
            "skipped": skipped,
        }

    rows = [row(1, False), row(0, False), row(1, True)]
    music, _ = account_rows_from_extended(rows)
    ext = tmp_path / "Streaming_History_Audio_2023.json"
    acc = tmp_path / "StreamingHistory_music_0.json"
    ext.write_text(json.dumps(rows))
    acc.write_text(json.dumps(music))
    conn, user = open_fresh_db(tmp_path / "mtm.sqlite")
    assert run_import(conn, user, [acc]).stored == 1
    assert run_import(conn, user, [ext]).stored == 2
    assert run_import(conn, user, [ext, acc]).stored == 0
    assert run_import(conn, user, [ext]).stored == 0
    conn.close()

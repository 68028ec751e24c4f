"""Spotify exports import with exactly the counts their raw JSON implies, idempotently,
reconciled across sources, from folders and zips, and in dry-run mode.

Every test runs on the project's own exports in tests/data, where the expected numbers are
also written out by hand (tests/data/README.md says what each row is for), and again on the
real samples in ../shared/samples when they are there.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from import_fixtures import (  # noqa: E402
    ACCOUNT_DIR,
    EXTENDED_DIR,
    SAMPLE_ACCOUNT_DIR,
    SAMPLE_EXTENDED_DIR,
    _account_kind,
    _extended_kind,
    account_rows_from_extended,
    dump,
    expected_counts,
    load,
    make_zip,
    need_samples,
    report_counts,
    write_json,
)

from music_time_machine.importers import ImportProgress, format_summary_table, run_import  # noqa: E402

# Counted by hand from the rows of tests/data (see its README for what each row is).
HAND_COUNTS = {
    # 8 songs; one stream of 15 s is short.
    "Streaming_History_Audio_2022.json": {"rows_read": 8, "plays_added": 7, "short_plays": 1},
    # 30 rows: 2 named nothing, 2 incognito, 1 exact copy, 2 podcast episodes; of the 23
    # songs left 4 are under 30 s (12 s, 5 s, 29.999 s, 25 s) and 19 are plays.
    "Streaming_History_Audio_2023.json": {
        "rows_read": 30,
        "plays_added": 19,
        "short_plays": 4,
        "podcasts_audiobooks": 2,
        "duplicates": 1,
        "without_metadata": 2,
        "incognito_skipped": 2,
    },
    # 6 rows: 3 music videos (one of 5 s), 2 video podcast streams, 1 named nothing.
    "Streaming_History_Video_2023.json": {
        "rows_read": 6,
        "plays_added": 2,
        "short_plays": 1,
        "podcasts_audiobooks": 2,
        "without_metadata": 1,
    },
    # 24 rows: 2 "Unknown Artist/Unknown Track", 1 exact copy; of the 21 left, 4 are under
    # 30 s (3 s, 29.999 s, 1 s, 20 s) and 17 are plays (the 61 s row sharing its minute
    # with a 3 s one counts).
    "StreamingHistory_music_0.json": {
        "rows_read": 24,
        "plays_added": 17,
        "short_plays": 4,
        "duplicates": 1,
        "without_metadata": 2,
    },
    # 5 rows: 1 exact copy, 1 without an episode name, 3 episodes.
    "StreamingHistory_podcast_0.json": {
        "rows_read": 5,
        "podcasts_audiobooks": 3,
        "duplicates": 1,
        "without_metadata": 1,
    },
    # 4 rows: 3 chapters, 1 naming nothing.
    "StreamingHistory_audiobook_0.json": {
        "rows_read": 4,
        "podcasts_audiobooks": 3,
        "without_metadata": 1,
    },
}


@dataclass(frozen=True)
class Export:
    """One set of export files: tests/data (``hand`` set) or the real samples."""

    extended: Path
    account: Path
    hand: bool

    @property
    def files(self) -> list[tuple[Path, str]]:
        return [(p, "extended") for p in sorted(self.extended.glob("*.json"))] + [
            (p, "account") for p in sorted(self.account.glob("*.json"))
        ]

    @property
    def audio_2023(self) -> Path:
        return self.extended / "Streaming_History_Audio_2023.json"

    @property
    def audio_2022(self) -> Path:
        return self.extended / "Streaming_History_Audio_2022.json"


@pytest.fixture(params=["data", "shared"])
def export(request) -> Export:
    if request.param == "shared":
        need_samples()
        return Export(SAMPLE_EXTENDED_DIR, SAMPLE_ACCOUNT_DIR, hand=False)
    return Export(EXTENDED_DIR, ACCOUNT_DIR, hand=True)


def test_each_file_imports_with_exact_counts(export, fresh_db):
    assert len(export.files) == 6
    for path, fmt in export.files:
        rows = load(path)
        expected = expected_counts(rows, fmt, video="Video" in path.name)
        if export.hand:
            assert expected == Counter(HAND_COUNTS[path.name]), path.name
        conn, user = fresh_db(f"{path.stem}.sqlite")

        summary = run_import(conn, user, [path])

        assert summary.ok and not summary.skipped
        (report,) = summary.files
        assert report.kind == fmt and report.name == path.name
        assert report_counts(report) == expected, path.name
        stored = conn.execute("SELECT COUNT(*), COALESCE(SUM(ms_played), 0) FROM plays").fetchone()
        assert stored[0] == report.stored
        # ms_played of what was stored equals that of the distinct, usable raw rows
        assert stored[1] == _expected_ms(rows, fmt)
        kinds = Counter(dict(conn.execute("SELECT kind, COUNT(*) FROM plays GROUP BY kind")))
        assert kinds["podcast"] + kinds["audiobook"] == expected["podcasts_audiobooks"]
        assert (
            conn.execute("SELECT COUNT(*) FROM plays WHERE source != ?", (fmt,)).fetchone()[0] == 0
        )

        # the same file again adds nothing
        before = dump(conn)
        again = run_import(conn, user, [path]).files[0]
        assert again.stored == 0
        assert (
            again.duplicates
            == expected["rows_read"] - expected["without_metadata"] - expected["incognito_skipped"]
        )
        assert dump(conn) == before


def _expected_ms(rows: list[dict], fmt: str) -> int:
    seen, total = set(), 0
    for row in rows:
        kind = _extended_kind(row, False) if fmt == "extended" else _account_kind(row)
        if kind is None or row.get("incognito_mode"):
            continue
        key = json.dumps(row, sort_keys=True)
        if key not in seen:
            seen.add(key)
            total += row["ms_played"] if fmt == "extended" else row["msPlayed"]
    return total


def test_all_files_together_match_the_sum_of_the_files(export, fresh_db):
    conn, user = fresh_db()
    progress: list[ImportProgress] = []
    summary = run_import(conn, user, [export.extended, export.account], progress=progress.append)
    assert summary.ok
    assert [f.kind for f in summary.files] == ["extended"] * 3 + ["account"] * 3
    total = Counter()
    for path, fmt in export.files:
        total += expected_counts(load(path), fmt, video="Video" in path.name)
    if export.hand:  # the six files' hand counts added up: 77 rows, 45 plays
        assert total == sum(map(Counter, HAND_COUNTS.values()), Counter())
        assert (total["rows_read"], total["plays_added"]) == (77, 45)
    assert Counter({k: v for k, v in summary.totals().items() if v}) == total
    assert progress[-1].fraction == 1.0 and progress[-1].files_done == 6
    assert all(b.bytes_done >= a.bytes_done for a, b in zip(progress, progress[1:], strict=False))
    table = format_summary_table(summary)
    assert "TOTAL" in table and "Streaming_History_Audio_2023.json" in table
    assert summary.to_dict()["totals"]["rows_read"] == total["rows_read"]


def test_account_data_after_extended_adds_nothing(export, fresh_db, tmp_path):
    conn, user = fresh_db()
    ext = [export.audio_2022, export.audio_2023]
    rows = load(ext[0]) + load(ext[1])
    music, podcast = account_rows_from_extended(rows)
    acc_music = write_json(tmp_path / "acc" / "StreamingHistory_music_0.json", music)
    acc_pod = write_json(tmp_path / "acc" / "StreamingHistory_podcast_0.json", podcast)
    first = run_import(conn, user, ext)
    assert first.ok and first.stored > 0
    if export.hand:
        # 8 + (30 - 2 named nothing - 2 incognito - 1 copy); account rows: the 32 named,
        # non-incognito songs (the copy included) and the 2 episodes.
        assert (first.stored, len(music), len(podcast)) == (33, 32, 2)
    before = dump(conn)

    second = run_import(conn, user, [acc_music, acc_pod])

    assert second.ok
    assert second.stored == 0
    assert second.duplicates == len(music) + len(podcast)
    assert dump(conn) == before


def test_extended_after_account_data_only_adds_what_account_data_collapsed(
    export, fresh_db, tmp_path
):
    conn, user = fresh_db()
    rows = load(export.audio_2023)
    music, podcast = account_rows_from_extended(rows)
    write_json(tmp_path / "acc" / "StreamingHistory_music_0.json", music)
    write_json(tmp_path / "acc" / "StreamingHistory_podcast_0.json", podcast)
    run_import(conn, user, [tmp_path / "acc"])
    summary = run_import(conn, user, [export.audio_2023])
    # Account rows that are exactly alike are one stream to the account file; the extended
    # rows they came from may differ (ts seconds, flags) and then add the missing streams.
    usable = [r for r in rows if _extended_kind(r, False) and not r.get("incognito_mode")]
    ext_distinct = len({_json(r) for r in usable})
    acc_distinct = len({_json(r) for r in music}) + len({_json(r) for r in podcast})
    if export.hand:
        # 25 usable streams; the two 45 s plays of Slow Comet 45 s apart become one
        # account row, so account data holds 24 and the extended file adds 1.
        assert (ext_distinct, acc_distinct) == (25, 24)
    assert summary.stored == ext_distinct - acc_distinct
    assert conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == ext_distinct


def _json(row: dict) -> str:
    return json.dumps(row, sort_keys=True)


@pytest.mark.parametrize("account_folder", ["Spotify Account Data", "MyData"])
def test_zip_with_both_folders_imports_extended_first_and_lists_skipped(
    export, fresh_db, tmp_path, account_folder
):
    path = export.audio_2023
    music, podcast = account_rows_from_extended(load(path))
    archive = make_zip(
        tmp_path / "my_spotify_data.zip",
        {
            f"{account_folder}/StreamingHistory_music_0.json": json.dumps(music),
            f"{account_folder}/StreamingHistory_podcast_0.json": json.dumps(podcast),
            f"{account_folder}/Userdata.json": json.dumps({"username": "x"}),
            f"{account_folder}/Playlist1.json": json.dumps({"playlists": []}),
            f"{account_folder}/SearchQueries.json": json.dumps([{"searchTime": "x"}]),
            "Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf": b"%PDF",
            "Spotify Extended Streaming History/Streaming_History_Audio_2023.json": path,
            "__MACOSX/Spotify Extended Streaming History/._Streaming_History_Audio_2023.json": b"x",
        },
    )
    conn, user = fresh_db()

    summary = run_import(conn, user, [archive])

    assert summary.ok
    names = [f.name for f in summary.files]
    assert names[0] == (
        "my_spotify_data.zip/Spotify Extended Streaming History/Streaming_History_Audio_2023.json"
    )
    assert [f.kind for f in summary.files] == ["extended", "account", "account"]
    assert report_counts(summary.files[0]) == expected_counts(load(path), "extended")
    if export.hand:
        assert summary.files[0].plays_added == 19
    assert sum(f.stored for f in summary.files[1:]) == 0
    skipped = sorted(s.name.rsplit("/", 1)[-1] for s in summary.skipped)
    assert skipped == [
        "Playlist1.json",
        "ReadMeFirst_ExtendedStreamingHistory.pdf",
        "SearchQueries.json",
        "Userdata.json",
    ]
    assert "Userdata.json" in format_summary_table(summary)


def test_dry_run_reports_the_same_counts_and_writes_nothing(export, fresh_db, tmp_path):
    path = export.audio_2023
    music, _ = account_rows_from_extended(load(path))
    acc = write_json(tmp_path / "in" / "StreamingHistory_music_9.json", music)
    conn, user = fresh_db()
    run_import(conn, user, [export.audio_2022])
    before = dump(conn)

    dry = run_import(conn, user, [path, acc, export.account], dry_run=True)

    assert dump(conn) == before
    assert dry.dry_run and "Dry run" in format_summary_table(dry)
    real = run_import(conn, user, [path, acc, export.account])
    assert [f.to_dict() for f in dry.files] == [f.to_dict() for f in real.files]
    derived = next(f for f in real.files if f.name == "StreamingHistory_music_9.json")
    assert derived.stored == 0 and derived.duplicates == len(music)  # reconciled in both runs
    if export.hand:
        assert len(music) == 24  # the named, non-incognito songs of the 2023 file


def test_incognito_rows_follow_the_setting_or_the_override(export, fresh_db, tmp_path):
    rows = load(export.audio_2022)
    for row in rows[:5]:
        row["incognito_mode"] = True
    path = write_json(tmp_path / "Streaming_History_Audio_2022.json", rows)
    conn, user = fresh_db()
    skipped = run_import(conn, user, [path], dry_run=True).files[0]
    assert skipped.incognito_skipped == 5
    kept = run_import(conn, user, [path], include_incognito=True).files[0]
    assert kept.incognito_skipped == 0
    assert report_counts(kept) == expected_counts(rows, "extended", include_incognito=True)
    assert conn.execute("SELECT COUNT(*) FROM plays WHERE incognito = 1").fetchone()[0] == 5


def test_the_files_own_incognito_rows_are_skipped_unless_asked_for(fresh_db):
    """tests/data's 2023 file has two incognito streams (both plays) of its own."""
    path = EXTENDED_DIR / "Streaming_History_Audio_2023.json"
    conn, user = fresh_db()
    kept = run_import(conn, user, [path], include_incognito=True).files[0]
    assert (kept.incognito_skipped, kept.plays_added) == (0, 21)  # 19 + the 2 incognito
    assert conn.execute("SELECT COUNT(*) FROM plays WHERE incognito = 1").fetchone()[0] == 2


def test_api_plays_from_the_live_sync_are_recognised(export, fresh_db, tmp_path):
    """Plays the sync stored (source 'api', a few seconds off the export) are not doubled."""
    from music_time_machine.db import transaction
    from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo
    from music_time_machine.db.plays import NewPlay, insert_plays
    from music_time_machine.timezones import parse_iso_utc_ms

    rows = [
        r
        for r in load(export.audio_2023)
        if r["spotify_track_uri"] and r["ms_played"] >= 30_000 and not r["incognito_mode"]
    ][:200]
    if export.hand:
        # 19 plays, all but the local file (no URI) have one; the exact copy is here too.
        assert len(rows) == 19
    conn, user = fresh_db()
    with transaction(conn):
        cat = Catalogue(conn, user)
        plays = [
            NewPlay(
                cat.track_id(
                    TrackInfo(
                        r["master_metadata_track_name"],
                        [ArtistInfo(r["master_metadata_album_artist_name"])],
                        spotify_uri=r["spotify_track_uri"],
                    )
                ),
                parse_iso_utc_ms(r["ts"]) + (i % 7 - 3) * 1000 + 123,
                r["ms_played"],
                "api",
            )
            for i, r in enumerate(rows)
        ]
        insert_plays(conn, user, plays)
    path = write_json(tmp_path / "Streaming_History_Audio_2023.json", rows)
    summary = run_import(conn, user, [path])
    assert summary.stored == 0 and summary.duplicates == len(rows)

"""Real Spotify export samples import with exactly the counts their raw JSON implies,
idempotently, reconciled across sources, from folders and zips, and in dry-run mode."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from import_fixtures import (  # noqa: E402
    ACCOUNT_DIR,
    EXTENDED_DIR,
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

SAMPLE_FILES = [
    ("spotify-extended", "Streaming_History_Audio_2022.json", "extended"),
    ("spotify-extended", "Streaming_History_Audio_2023.json", "extended"),
    ("spotify-extended", "Streaming_History_Video_2023.json", "extended"),
    ("spotify-account", "StreamingHistory_music_1.json", "account"),
    ("spotify-account", "StreamingHistory_podcast_0.json", "account"),
    ("spotify-account", "StreamingHistory_audiobook_0.json", "account"),
]


@pytest.mark.parametrize(("folder", "name", "fmt"), SAMPLE_FILES)
def test_each_sample_imports_with_exact_counts(tmp_path, fresh_db, folder, name, fmt):
    need_samples()
    path = EXTENDED_DIR.parent / folder / name
    rows = load(path)
    expected = expected_counts(rows, fmt, video="Video" in name)
    conn, user = fresh_db()

    summary = run_import(conn, user, [path])

    assert summary.ok and not summary.skipped
    (report,) = summary.files
    assert report.kind == fmt and report.name == name
    assert report_counts(report) == expected
    stored = conn.execute("SELECT COUNT(*), COALESCE(SUM(ms_played), 0) FROM plays").fetchone()
    assert stored[0] == report.stored
    # ms_played of what was stored equals that of the distinct, usable raw rows
    assert stored[1] == _expected_ms(rows, fmt)
    kinds = Counter(dict(conn.execute("SELECT kind, COUNT(*) FROM plays GROUP BY kind")))
    assert kinds["podcast"] + kinds["audiobook"] == expected["podcasts_audiobooks"]
    assert conn.execute("SELECT COUNT(*) FROM plays WHERE source != ?", (fmt,)).fetchone()[0] == 0

    # the same file again adds nothing
    before = dump(conn)
    again = run_import(conn, user, [path]).files[0]
    assert again.stored == 0
    assert again.duplicates == expected["rows_read"] - expected["without_metadata"] \
        - expected["incognito_skipped"]
    assert dump(conn) == before


def _expected_ms(rows: list[dict], fmt: str) -> int:
    import json

    from import_fixtures import _account_kind, _extended_kind

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


def test_all_samples_together_match_the_sum_of_the_files(tmp_path, fresh_db):
    need_samples()
    conn, user = fresh_db()
    progress: list[ImportProgress] = []
    summary = run_import(conn, user, [EXTENDED_DIR, ACCOUNT_DIR], progress=progress.append)
    assert summary.ok
    assert [f.kind for f in summary.files] == ["extended"] * 3 + ["account"] * 3
    total = Counter()
    for folder, name, fmt in SAMPLE_FILES:
        total += expected_counts(load(EXTENDED_DIR.parent / folder / name), fmt,
                                 video="Video" in name)
    assert Counter({k: v for k, v in summary.totals().items() if v}) == total
    assert progress[-1].fraction == 1.0 and progress[-1].files_done == 6
    assert all(b.bytes_done >= a.bytes_done for a, b in zip(progress, progress[1:], strict=False))
    table = format_summary_table(summary)
    assert "TOTAL" in table and "Streaming_History_Audio_2023.json" in table
    assert summary.to_dict()["totals"]["rows_read"] == total["rows_read"]


def test_account_data_after_extended_adds_nothing(tmp_path, fresh_db):
    need_samples()
    conn, user = fresh_db()
    ext = [EXTENDED_DIR / "Streaming_History_Audio_2022.json",
           EXTENDED_DIR / "Streaming_History_Audio_2023.json"]
    rows = load(ext[0]) + load(ext[1])
    music, podcast = account_rows_from_extended(rows)
    acc_music = write_json(tmp_path / "acc" / "StreamingHistory_music_0.json", music)
    acc_pod = write_json(tmp_path / "acc" / "StreamingHistory_podcast_0.json", podcast)
    first = run_import(conn, user, ext)
    assert first.ok and first.stored > 0
    before = dump(conn)

    second = run_import(conn, user, [acc_music, acc_pod])

    assert second.ok
    assert second.stored == 0
    assert second.duplicates == len(music) + len(podcast)
    assert dump(conn) == before


def test_extended_after_account_data_only_adds_what_account_data_collapsed(tmp_path, fresh_db):
    need_samples()
    conn, user = fresh_db()
    path = EXTENDED_DIR / "Streaming_History_Audio_2023.json"
    rows = load(path)
    music, podcast = account_rows_from_extended(rows)
    write_json(tmp_path / "acc" / "StreamingHistory_music_0.json", music)
    write_json(tmp_path / "acc" / "StreamingHistory_podcast_0.json", podcast)
    run_import(conn, user, [tmp_path / "acc"])
    summary = run_import(conn, user, [path])
    # Account rows that are exactly alike are one stream to the account file; the extended
    # rows they came from may differ (ts seconds, flags) and then add the missing streams.
    ext_distinct = len({_json(r) for r in rows})
    acc_distinct = len({_json(r) for r in music}) + len({_json(r) for r in podcast})
    assert summary.stored == ext_distinct - acc_distinct
    assert conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0] == ext_distinct


def _json(row: dict) -> str:
    import json

    return json.dumps(row, sort_keys=True)


def test_zip_with_both_folders_imports_extended_first_and_lists_skipped(tmp_path, fresh_db):
    need_samples()
    path = EXTENDED_DIR / "Streaming_History_Audio_2023.json"
    music, podcast = account_rows_from_extended(load(path))
    import json

    archive = make_zip(tmp_path / "my_spotify_data.zip", {
        "Spotify Account Data/StreamingHistory_music_0.json": json.dumps(music),
        "Spotify Account Data/StreamingHistory_podcast_0.json": json.dumps(podcast),
        "Spotify Account Data/Userdata.json": json.dumps({"username": "x"}),
        "Spotify Account Data/Playlist1.json": json.dumps({"playlists": []}),
        "Spotify Account Data/SearchQueries.json": json.dumps([{"searchTime": "x"}]),
        "Spotify Extended Streaming History/ReadMeFirst_ExtendedStreamingHistory.pdf": b"%PDF",
        "Spotify Extended Streaming History/Streaming_History_Audio_2023.json": path,
        "__MACOSX/Spotify Extended Streaming History/._Streaming_History_Audio_2023.json": b"x",
    })
    conn, user = fresh_db()

    summary = run_import(conn, user, [archive])

    assert summary.ok
    names = [f.name for f in summary.files]
    assert names[0] == ("my_spotify_data.zip/Spotify Extended Streaming History/"
                        "Streaming_History_Audio_2023.json")
    assert [f.kind for f in summary.files] == ["extended", "account", "account"]
    assert report_counts(summary.files[0]) == expected_counts(load(path), "extended")
    assert sum(f.stored for f in summary.files[1:]) == 0
    skipped = sorted(s.name.rsplit("/", 1)[-1] for s in summary.skipped)
    assert skipped == ["Playlist1.json", "ReadMeFirst_ExtendedStreamingHistory.pdf",
                       "SearchQueries.json", "Userdata.json"]
    assert "Userdata.json" in format_summary_table(summary)


def test_dry_run_reports_the_same_counts_and_writes_nothing(tmp_path, fresh_db):
    need_samples()
    path = EXTENDED_DIR / "Streaming_History_Audio_2023.json"
    music, _ = account_rows_from_extended(load(path))
    acc = write_json(tmp_path / "in" / "StreamingHistory_music_0.json", music)
    conn, user = fresh_db()
    run_import(conn, user, [EXTENDED_DIR / "Streaming_History_Audio_2022.json"])
    before = dump(conn)

    dry = run_import(conn, user, [path, acc, ACCOUNT_DIR], dry_run=True)

    assert dump(conn) == before
    assert dry.dry_run and "Dry run" in format_summary_table(dry)
    real = run_import(conn, user, [path, acc, ACCOUNT_DIR])
    assert [f.to_dict() for f in dry.files] == [f.to_dict() for f in real.files]
    derived = next(f for f in real.files if f.name == "StreamingHistory_music_0.json")
    assert derived.stored == 0 and derived.duplicates == len(music)  # reconciled in both runs


def test_incognito_rows_follow_the_setting_or_the_override(tmp_path, fresh_db):
    need_samples()
    rows = load(EXTENDED_DIR / "Streaming_History_Audio_2022.json")
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


def test_api_plays_from_the_live_sync_are_recognised(tmp_path, fresh_db):
    """Plays the sync stored (source 'api', a few seconds off the export) are not doubled."""
    need_samples()
    from music_time_machine.db import transaction
    from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo
    from music_time_machine.db.plays import NewPlay, insert_plays
    from music_time_machine.timezones import parse_iso_utc_ms

    rows = [r for r in load(EXTENDED_DIR / "Streaming_History_Audio_2023.json")
            if r["spotify_track_uri"] and r["ms_played"] >= 30_000][:200]
    conn, user = fresh_db()
    with transaction(conn):
        cat = Catalogue(conn, user)
        plays = [NewPlay(cat.track_id(TrackInfo(r["master_metadata_track_name"],
                                                [ArtistInfo(r["master_metadata_album_artist_name"])],
                                                spotify_uri=r["spotify_track_uri"])),
                         parse_iso_utc_ms(r["ts"]) + (i % 7 - 3) * 1000 + 123, r["ms_played"],
                         "api") for i, r in enumerate(rows)]
        insert_plays(conn, user, plays)
    path = write_json(tmp_path / "Streaming_History_Audio_2023.json", rows)
    summary = run_import(conn, user, [path])
    assert summary.stored == 0 and summary.duplicates == len(rows)

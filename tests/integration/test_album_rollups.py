"""Album rollups (migration 0017) against an independent computation from the raw plays
(plain Python with zoneinfo) after every kind of write: a file imported in many batches
while one song's most-played version moves to another album, a sync from the fake
Spotify, a failed import undone, deleted data, a time-zone re-count in a zone with DST,
a play-rule change, a backup restored into another history, migration 0017; and the top
albums, album pages and year pages that read them agree."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path

import pytest
from factories import add_plays, database_before
from import_fixtures import extended_play, write_history
from oracle_helpers import clock_and_rule
from spotify_helpers import connect_via_app, control

from music_time_machine.db.migrate import migrate
from music_time_machine.db.recount import rebucket_user
from music_time_machine.db.rollups import rebuild_rollups
from music_time_machine.db.rollups_monthly import GAP_MIN_DAYS
from music_time_machine.db.userdata import backup_user, delete_listening_data
from music_time_machine.db.users import create_user, ensure_local_user, update_settings
from music_time_machine.importers import run_import
from music_time_machine.importers.restore import restore_backup
from music_time_machine.rules import PlayRule
from music_time_machine.spotify.client import SpotifyClient
from music_time_machine.spotify.sync import sync_user

ROWS = 2_000
#: Every tenth play is "Hit": its single's URI for the first HIT_SWITCH rows, then the
#: album's, which ends up the version played most, so the song changes album mid-import.
HIT_SWITCH = 700


def history(path: Path, rows: int = ROWS, first: int = 0, tail: str = "", tag: str = "") -> Path:
    """An extended-history file: a play every 6 hours (500 days for 2,000 rows) of 30 songs
    on 6 albums plus "Hit"; albums 4 and 5 fall silent for 50 days in every 150 (gaps);
    one stream in seven is short. ``tag`` names another catalogue; ``tail`` is appended
    to the JSON text."""
    data = []
    for i in range(first, first + rows):
        if i % 10 == 7:
            song, album = "Hit", "Big Album" if i >= HIT_SWITCH else "Hit (single)"
            uri = f"spotify:track:hit{tag}{'album' if i >= HIT_SWITCH else 'single'}"
            artist = f"Artist {tag}H"
        else:
            n = i % (20 if (i // 200) % 3 == 1 else 30)
            song, album, uri = f"Song {tag}{n}", f"Album {tag}{n // 5}", f"spotify:track:{tag}s{n}"
            artist = f"Artist {tag}{n % 3}"
        data.append(
            extended_play(
                1_672_531_200 + i * 6 * 3600,
                10_000 if i % 7 == 3 else 60_000 + (i % 5) * 20_000,
                song,
                artist,
                album,
                uri,
                "trackdone" if i % 3 else "fwdbtn",
            )
        )
    return write_history(path, data, tail)


# -- the independent computation --------------------------------------------------------


def oracle(conn, user_id) -> dict[str, set[tuple]]:
    """Every album rollup table's rows for the user, computed from the plays: local dates
    from zoneinfo, the play rule from the settings, a song counting for its
    ``tracks.album_id``."""
    tz, rule = clock_and_rule(conn, user_id)
    album_of = dict(
        conn.execute(
            "SELECT id, album_id FROM tracks WHERE user_id = ? AND album_id IS NOT NULL",
            (user_id,),
        )
    )
    days: dict[tuple[str, int], list[int]] = defaultdict(lambda: [0, 0])
    for played_at, ms, reason_end, duration, track_id in conn.execute(
        "SELECT p.played_at, p.ms_played, p.reason_end, t.duration_ms, p.track_id "
        "FROM plays p JOIN tracks t ON t.id = p.track_id "
        "WHERE p.user_id = ? AND p.kind = 'music'",
        (user_id,),
    ):
        if track_id in album_of:
            day = datetime.fromtimestamp(played_at / 1000, tz).date().isoformat()
            cell = days[(day, album_of[track_id])]
            cell[0] += bool(rule.counts(ms, reason_end, duration))
            cell[1] += ms
    months, years = defaultdict(lambda: [0, 0]), defaultdict(lambda: [0, 0])
    all_ms, played = defaultdict(int), defaultdict(list)
    for (day, album), (plays, ms) in days.items():
        for table, key in ((months, (album, day[:7])), (years, (album, day[:4]))):
            table[key][0] += plays
            table[key][1] += ms
        all_ms[album] += ms
        if plays:
            played[album].append(day)
    gaps = set()
    for album, played_days in played.items():
        ordered = sorted(date.fromisoformat(d) for d in played_days)
        for before, after in zip(ordered, ordered[1:], strict=False):
            if (after - before).days - 1 >= GAP_MIN_DAYS:
                gaps.add((album, before.isoformat(), after.isoformat()))
    return {
        "rollup_day_album": {(d, a, p, ms) for (d, a), (p, ms) in days.items()},
        "rollup_month_album": {(a, m, p, ms) for (a, m), (p, ms) in months.items()},
        "rollup_year_album": {(a, y, p, ms) for (a, y), (p, ms) in years.items()},
        "rollup_album_total": {
            (a, sum(days[(d, a)][0] for d in ds), all_ms[a], min(ds), max(ds))
            for a, ds in played.items()
        },
        "rollup_album_gap": gaps,
        "rollup_album_first": {(a, min(ds)) for a, ds in played.items()},
    }


_COLUMNS = {
    "rollup_day_album": "day, album_id, plays, ms_played",
    "rollup_month_album": "album_id, month, plays, ms_played",
    "rollup_year_album": "album_id, year, plays, ms_played",
    "rollup_album_total": "album_id, plays, ms_played, first_day, last_day",
    "rollup_album_gap": "album_id, after_day, before_day",
    "rollup_album_first": "album_id, first_day",
}


def stored(conn, user_id) -> dict[str, set[tuple]]:
    return {
        table: {
            tuple(r)
            for r in conn.execute(f"SELECT {cols} FROM {table} WHERE user_id = ?", (user_id,))
        }
        for table, cols in _COLUMNS.items()
    }


def assert_albums_match(conn, user_id) -> dict[str, set[tuple]]:
    expected = oracle(conn, user_id)
    found = stored(conn, user_id)
    for table in _COLUMNS:
        assert found[table] == expected[table], table
    return expected


def album_id(conn, user_id, name):
    return conn.execute(
        "SELECT id FROM albums WHERE user_id = ? AND name = ?", (user_id, name)
    ).fetchone()[0]


def hit_album(conn, user_id):
    return conn.execute(
        "SELECT al.name FROM tracks t JOIN albums al ON al.id = t.album_id "
        "WHERE t.user_id = ? AND t.name = 'Hit'",
        (user_id,),
    ).fetchone()[0]


# -- the write paths ----------------------------------------------------------------------


def test_an_import_in_batches_equals_the_plays_and_a_song_moving_album_moves_its_plays(
    conn, local_user, tmp_path, small_slices
):
    update_settings(conn, local_user, timezone="America/New_York")
    first = run_import(conn, local_user, [history(tmp_path / "a.json", rows=HIT_SWITCH + 100)])
    assert first.files[0].error is None
    # The single's URI was played most so far: the song counts for the single.
    assert hit_album(conn, local_user) == "Hit (single)"
    assert_albums_match(conn, local_user)
    second = run_import(
        conn,
        local_user,
        [history(tmp_path / "b.json", rows=ROWS - HIT_SWITCH - 100, first=HIT_SWITCH + 100)],
    )
    assert second.files[0].error is None
    assert hit_album(conn, local_user) == "Big Album"
    expected = assert_albums_match(conn, local_user)
    single = album_id(conn, local_user, "Hit (single)")
    assert all(row[0] != single for row in expected["rollup_album_total"])
    assert expected["rollup_album_gap"], "the history has long silences"
    assert any(row[2] == 0 for row in expected["rollup_day_album"]), "short streams only"


def test_the_song_moving_album_inside_one_file_is_exact(conn, local_user, tmp_path, small_slices):
    update_settings(conn, local_user, timezone="Europe/Berlin")
    report = run_import(conn, local_user, [history(tmp_path / "all.json")])
    assert report.files[0].error is None
    assert hit_album(conn, local_user) == "Big Album"
    assert_albums_match(conn, local_user)


def test_a_failed_import_undone_leaves_the_album_rollups_of_the_plays_that_stay(
    conn, local_user, tmp_path, small_slices
):
    run_import(conn, local_user, [history(tmp_path / "a.json", rows=600)])
    before = assert_albums_match(conn, local_user)
    # Hit's album version is played most in this file: while its slices are stored the
    # song counts for the album; undone, it counts for the single again.
    broken = history(tmp_path / "b.json", rows=1_200, first=800, tail=', {"ts": ')
    report = run_import(conn, local_user, [broken])
    assert report.files[0].error
    assert hit_album(conn, local_user) == "Hit (single)"
    assert assert_albums_match(conn, local_user) == before


def test_a_time_zone_recount_and_a_play_rule_change_rebuild_them_exactly(
    conn, local_user, tmp_path
):
    run_import(conn, local_user, [history(tmp_path / "a.json")])
    utc = assert_albums_match(conn, local_user)
    update_settings(conn, local_user, timezone="America/New_York")
    rebucket_user(conn, local_user)
    new_york = assert_albums_match(conn, local_user)
    assert new_york["rollup_day_album"] != utc["rollup_day_album"]
    update_settings(conn, local_user, play_rule=PlayRule("finished"))
    rebuild_rollups(conn, local_user)
    finished = assert_albums_match(conn, local_user)
    assert finished["rollup_album_total"] != new_york["rollup_album_total"]


def test_deleting_a_users_data_empties_theirs_and_keeps_anothers(conn, local_user, tmp_path):
    run_import(conn, local_user, [history(tmp_path / "a.json", rows=400)])
    other = create_user(conn, "other", timezone="Australia/Sydney")
    add_plays(
        conn,
        other,
        [
            ("Band", "Tune", "2024-04-06 15:30:00", 200_000, {"album": "Record"}),
            ("Band", "Tune", "2024-04-06 16:30:00", 200_000, {"album": "Record"}),
            ("Band", "Other", "2024-06-01 10:00:00", 5_000, {"album": "Record"}),
        ],
    )
    assert_albums_match(conn, other)
    delete_listening_data(conn, local_user)
    assert all(not rows for rows in stored(conn, local_user).values())
    kept = assert_albums_match(conn, other)
    # Sydney leaves daylight time on 7 April 2024 at 03:00 local (16:00 UTC on the 6th):
    # both plays fall on the 7th.
    assert {(d, p) for d, _a, p, _ms in kept["rollup_day_album"]} == {
        ("2024-04-07", 2),
        ("2024-06-01", 0),
    }


@pytest.mark.fake_spotify
def test_a_sync_after_an_import_adds_exactly_its_plays(
    app, client, conn, local_user, fake, tmp_path
):
    update_settings(conn, local_user, timezone="America/New_York")
    run_import(conn, local_user, [history(tmp_path / "a.json", rows=300)])
    assert connect_via_app(client).status_code == 302
    control(fake, "POST", "clock", now=1_760_000_000)
    spotify = SpotifyClient.from_config(conn, local_user, app.config, sleep=lambda _s: None)
    result = sync_user(conn, local_user, spotify)
    assert (result.outcome, result.plays_added) == ("ok", 50)
    control(fake, "POST", "clock", advance=24 * 3600)
    again = sync_user(conn, local_user, spotify)
    assert again.outcome == "ok" and again.plays_added > 0
    expected = assert_albums_match(conn, local_user)
    synced = conn.execute(
        "SELECT COUNT(DISTINCT t.album_id) FROM plays p JOIN tracks t ON t.id = p.track_id "
        "WHERE p.user_id = ? AND p.source = 'api'",
        (local_user,),
    ).fetchone()[0]
    assert synced > 1 and len(expected["rollup_album_total"]) > 6


def test_a_restored_backup_merged_into_another_history_equals_the_plays(fresh_db, tmp_path):
    old, me = fresh_db("old.sqlite", "UTC")
    run_import(old, me, [history(tmp_path / "a.json", rows=1_500)])
    backup_user(tmp_path / "old.sqlite", me, tmp_path / "backup.sqlite")
    new, you = fresh_db("new.sqlite", "America/New_York")
    # The new account already holds the later plays: Hit counts for its album version.
    run_import(new, you, [history(tmp_path / "b.json", rows=1_000, first=1_000)])
    assert hit_album(new, you) == "Big Album"
    report = restore_backup(new, you, tmp_path / "backup.sqlite").files[0]
    assert report.error is None and report.plays_added + report.short_plays == 1_000
    expected = assert_albums_match(new, you)
    assert len(expected["rollup_album_total"]) > 6


def test_migration_0017_fills_them_for_existing_users(tmp_path, monkeypatch):
    conn = database_before(tmp_path / "old.sqlite", monkeypatch, 17)
    user = ensure_local_user(conn, "America/New_York")
    run_import(conn, user, [history(tmp_path / "a.json")])
    migrate(conn)
    expected = assert_albums_match(conn, user)
    assert expected["rollup_album_gap"] and hit_album(conn, user) == "Big Album"
    conn.close()


# -- what the pages read ----------------------------------------------------------------------


def test_top_albums_and_the_album_page_follow_the_song_that_moved(
    client, conn, local_user, tmp_path, small_slices
):
    run_import(conn, local_user, [history(tmp_path / "all.json")])
    expected = oracle(conn, local_user)
    ranked = sorted(expected["rollup_album_total"], key=lambda r: (-r[1], -r[2], r[0]))
    body = client.get("/api/stats/top-albums?range=all").get_json()
    assert [(a["id"], a["plays"], a["minutes"]) for a in body["items"]] == [
        (a, p, round(ms / 60000, 1)) for a, p, ms, _f, _l in ranked[:10]
    ]
    big = album_id(conn, local_user, "Big Album")
    page = client.get(f"/api/albums/{big}?range=all").get_json()
    plays, ms = next((p, m) for a, p, m, _f, _l in ranked if a == big)
    assert (page["all_time"]["plays"], page["all_time"]["minutes"]) == (
        plays,
        round(ms / 60000, 1),
    )
    last = max(d for d, _a, _p, _ms in expected["rollup_day_album"] if _a == big and _p)
    assert page["last_play"]["day"] == last
    single = album_id(conn, local_user, "Hit (single)")
    assert client.get(f"/api/albums/{single}?range=all").get_json()["all_time"]["plays"] == 0
    # A past year's albums on the year page: the same sums over that year.
    year = date.fromisoformat(last).year - 1
    yearly = sorted(
        (r for r in expected["rollup_year_album"] if r[1] == str(year) and r[2]),
        key=lambda r: (-r[2], -r[3], r[0]),
    )
    review = client.get(f"/api/years/{year}").get_json()
    assert [(a["id"], a["plays"]) for a in review["albums"]] == [
        (a, p) for a, _y, p, _ms in yearly[:10]
    ]
    # Each is credited to the artists of its most-played song of the year (ties: minutes,
    # then the song stored first), counted here from the raw plays.
    tz, rule = clock_and_rule(conn, local_user)
    song_plays, song_ms = defaultdict(int), defaultdict(int)
    for played_at, ms, reason_end, duration, track_id in conn.execute(
        "SELECT p.played_at, p.ms_played, p.reason_end, t.duration_ms, p.track_id "
        "FROM plays p JOIN tracks t ON t.id = p.track_id WHERE p.user_id = ?",
        (local_user,),
    ):
        if datetime.fromtimestamp(played_at / 1000, tz).year == year:
            song_plays[track_id] += bool(rule.counts(ms, reason_end, duration))
            song_ms[track_id] += ms
    album_of = dict(conn.execute("SELECT id, album_id FROM tracks"))
    for album in review["albums"]:
        songs = [t for t in song_plays if album_of[t] == album["id"]]
        lead = min(songs, key=lambda t: (-song_plays[t], -song_ms[t], t))
        credited = [
            r[0]
            for r in conn.execute(
                "SELECT a.name FROM track_artists ta JOIN artists a ON a.id = ta.artist_id "
                "WHERE ta.track_id = ? ORDER BY ta.position",
                (lead,),
            )
        ]
        assert album["artists"] == credited

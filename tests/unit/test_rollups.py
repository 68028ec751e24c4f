"""Rollups must equal a plain computation over the plays, in the user's local time."""

import pytest
from factories import add_plays

from music_time_machine.db.recount import rebucket_user
from music_time_machine.db.rollups import rebuild_rollups
from music_time_machine.db.users import create_user, update_settings
from music_time_machine.rules import PlayRule


def rollup(conn, user_id, table="rollup_day", cols="day, plays, streams, ms_played"):
    return conn.execute(
        f"SELECT {cols} FROM {table} WHERE user_id = ? ORDER BY 1, 2", (user_id,)
    ).fetchall()


def test_plays_follow_the_rule_and_minutes_include_short_streams(db):
    uid = create_user(db, "a")
    result = add_plays(
        db,
        uid,
        [
            ("Artist", "Song", "2024-05-01 10:00:00", 200_000),
            ("Artist", "Song", "2024-05-01 10:04:00", 29_999),  # short: not a play
            ("Artist", "Other", "2024-05-01 10:08:00", 30_000),
        ],
    )
    assert result.added == 3
    assert [tuple(r) for r in rollup(db, uid)] == [("2024-05-01", 2, 3, 259_999)]


def test_reinserting_the_same_plays_adds_nothing(db):
    uid = create_user(db, "a")
    rows = [("Artist", "Song", "2024-05-01 10:00:00", 200_000)]
    add_plays(db, uid, rows)
    again = add_plays(db, uid, rows)
    assert (again.added, again.duplicates) == (0, 1)
    assert rollup(db, uid)[0]["plays"] == 1


@pytest.mark.parametrize(
    ("zone", "songs_ending", "hours"),
    [
        # 2024-03-31 01:30 Berlin (CET, +1) = 00:30 UTC; clocks jump at 01:00 UTC.
        (
            "Europe/Berlin",
            [
                ("x", "2024-03-31 00:30:00"),
                ("y", "2024-03-31 01:30:00"),  # 03:30 CEST
                ("z", "2024-03-30 23:30:00"),  # 00:30 CET, 31st
            ],
            [("2024-03-31", 0, 1), ("2024-03-31", 1, 1), ("2024-03-31", 3, 1)],
        ),
        # 2024-03-10 01:30 New York (EST, -5) = 06:30 UTC; 2024-11-03 01:30 EDT = 05:30 UTC,
        # and 01:30 EST (after fall-back) = 06:30 UTC: both land in hour 1 of 3 November.
        (
            "America/New_York",
            [
                ("x", "2024-03-10 06:30:00"),
                ("x", "2024-11-03 05:30:00"),
                ("x", "2024-11-03 06:30:00"),
                ("x", "2024-11-03 04:30:00"),  # 2024-11-03 00:30 EDT
            ],
            [("2024-03-10", 1, 1), ("2024-11-03", 0, 1), ("2024-11-03", 1, 2)],
        ),
    ],
)
def test_dst_days_and_hours_in_berlin_and_new_york(db, zone, songs_ending, hours):
    user = create_user(db, "u", timezone=zone)
    add_plays(db, user, [("A", song, end, 60_000) for song, end in songs_ending])
    found = rollup(db, user, "rollup_day_hour", "day, hour, plays")
    assert [tuple(r) for r in found] == hours


def test_a_time_zone_change_rebuckets(db):
    uid = create_user(db, "a", timezone="UTC")
    add_plays(db, uid, [("A", "x", "2024-06-01 23:30:00", 60_000)])
    assert rollup(db, uid)[0]["day"] == "2024-06-01"
    update_settings(db, uid, timezone="Asia/Tokyo")
    assert rebucket_user(db, uid) == 1
    assert rollup(db, uid)[0]["day"] == "2024-06-02"


def test_a_play_rule_change_recounts(db):
    uid = create_user(db, "a")
    add_plays(
        db,
        uid,
        [
            ("A", "x", "2024-06-01 10:00:00", 45_000, {"reason_end": "fwdbtn"}),
            ("A", "y", "2024-06-01 10:05:00", 200_000, {"reason_end": "trackdone"}),
        ],
    )
    assert rollup(db, uid)[0]["plays"] == 2
    update_settings(db, uid, play_rule=PlayRule("finished"))
    rebuild_rollups(db, uid)
    assert rollup(db, uid)[0]["plays"] == 1
    update_settings(db, uid, play_rule=PlayRule("min_ms", 60_000))
    rebuild_rollups(db, uid)
    assert rollup(db, uid)[0]["plays"] == 1


def test_a_track_with_two_artists_counts_for_each(db):
    uid = create_user(db, "a")
    add_plays(db, uid, [("Ana & Ben", "Duet", "2024-06-01 10:00:00", 100_000)])
    artists = rollup(db, uid, "rollup_day_artist", "day, artist_id, plays")
    assert [r["plays"] for r in artists] == [1, 1]


def test_first_days_move_earlier_when_older_history_arrives(db):
    uid = create_user(db, "a")
    add_plays(db, uid, [("A", "x", "2024-06-01 10:00:00", 100_000)])
    add_plays(
        db,
        uid,
        [("A", "x", "2023-01-01 10:00:00", 100_000), ("A", "y", "2023-01-02 10:00:00", 10_000)],
    )  # short: not discovered
    firsts = db.execute(
        "SELECT t.name, f.first_day FROM rollup_track_first f "
        "JOIN tracks t ON t.id = f.track_id WHERE f.user_id = ?",
        (uid,),
    ).fetchall()
    assert [tuple(r) for r in firsts] == [("x", "2023-01-01")]


def test_users_do_not_share_rollups(db):
    a, b = create_user(db, "a"), create_user(db, "b")
    add_plays(db, a, [("A", "x", "2024-06-01 10:00:00", 100_000)])
    assert rollup(db, b) == []

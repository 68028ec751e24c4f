"""Sources and the builder against histories with known answers (dates relative to today)."""

from datetime import UTC, datetime, timedelta

import pytest
from factories import add_plays

from music_time_machine.db.catalogue import save_features
from music_time_machine.db.snapshots import save_snapshot
from music_time_machine.db.users import create_user
from music_time_machine.playlists import sources
from music_time_machine.playlists.builder import (
    ORDER_BY_FIT,
    NoTracks,
    build_preview,
    pinned_preview,
)
from music_time_machine.playlists.options import parse_options

TODAY = datetime.now(UTC).date()


def at(days_ago: int, hour: int = 12) -> str:
    return f"{TODAY - timedelta(days=days_ago)} {hour:02d}:00:00"


def plays(artist: str, track: str, days_ago: int, times: int = 1, **extra) -> list[tuple]:
    uri = extra.pop("uri", f"spotify:track:{(artist + track).replace(' ', '')[:22]:0<22}")
    return [
        (artist, track, at(days_ago, hour=h % 24), 200_000, {"uri": uri, **extra})
        for h in range(times)
    ]


def options(source: str, **form):
    found, errors = parse_options({"source": source, "size": "10", **form}, TODAY)
    assert errors == {}
    return found


def names(conn, candidates) -> list[str]:
    ids = [c.track_id for c in candidates]
    rows = dict(conn.execute("SELECT id, name FROM tracks").fetchall())
    return [rows[i] for i in ids]


@pytest.fixture
def uid(db):
    return create_user(db, "listener", timezone="UTC")


@pytest.fixture
def listen(db, uid):
    """Adds plays to the listener's history: each argument a list of ``add_plays`` rows
    (what ``plays`` returns), all written at once."""

    def add(*groups: list[tuple], source: str = "extended"):
        return add_plays(db, uid, [row for group in groups for row in group], source=source)

    return add


def test_a_track_loved_200_days_ago_and_never_since_is_a_forgotten_gem(db, uid, listen):
    listen(
        plays("Gem Band", "Old Love", 200, times=8),
        plays("Still Here", "Evergreen", 200, times=9),
        plays("Still Here", "Evergreen", 1),  # played yesterday: not forgotten
        plays("Ancient", "Too Old", 400, times=12),  # before the window
        plays("Fresh", "Too New", 30, times=5),  # inside the quiet period
    )
    gems = sources.forgotten_gems(db, uid, TODAY)
    assert names(db, gems) == ["Old Love"]
    assert "played 8× back then" in gems[0].why and "200 days ago" in gems[0].why


def test_forgotten_gems_windows_are_configurable(db, uid, listen):
    listen(plays("A", "Older", 500, times=3), plays("A", "Newer", 40, times=3))
    assert names(db, sources.forgotten_gems(db, uid, TODAY)) == []
    assert names(db, sources.forgotten_gems(db, uid, TODAY, loved_from_days=730)) == ["Older"]
    assert names(db, sources.forgotten_gems(db, uid, TODAY, quiet_days=30)) == ["Newer"]


def test_forgotten_gems_rank_by_plays(db, uid, listen):
    listen(
        plays("A", "Twice", 150, times=2),
        plays("B", "Five", 300, times=5),
        plays("C", "Thrice", 120, times=3),
    )
    assert names(db, sources.forgotten_gems(db, uid, TODAY)) == ["Five", "Thrice", "Twice"]


def test_on_this_day_looks_at_this_week_in_earlier_years(db, uid, listen):
    listen(
        plays("A", "Last Year", 365 + 2, times=3),
        plays("B", "Two Years", 730, times=2),
        plays("C", "Wrong Week", 365 + 40, times=9),
        plays("D", "This Year", 2, times=9),
    )
    found = sources.on_this_day(db, uid, TODAY)
    assert names(db, found) == ["Last Year", "Two Years"]
    assert "year ago" in found[0].why


def test_current_rotation_uses_spotifys_top_list_when_there_is_one(db, uid, listen):
    listen(
        plays("A", "Often", 3, times=9),
        plays("B", "Spotify Top", 10, times=1),
        plays("C", "Old", 60, times=20),
    )
    assert names(db, sources.current_rotation(db, uid, TODAY)) == ["Often", "Spotify Top"]
    top = db.execute("SELECT id FROM tracks WHERE name = 'Spotify Top'").fetchone()[0]
    save_snapshot(db, uid, TODAY.isoformat(), "track", "short_term", [top])
    found = sources.current_rotation(db, uid, TODAY)
    assert names(db, found) == ["Spotify Top"]
    assert found[0].why.startswith("#1 in your Spotify top tracks")


def test_recent_discoveries_are_first_played_in_the_last_30_days(db, uid, listen):
    listen(
        plays("A", "New Love", 10, times=2),
        plays("A", "New Love", 5, times=4),
        plays("B", "Newer", 2, times=3),
        plays("C", "Known", 100),
        plays("C", "Known", 3, times=10),
    )
    found = sources.recent_discoveries(db, uid, TODAY)
    assert names(db, found) == ["New Love", "Newer"]
    assert found[0].plays == 6


def test_time_capsule_picks_a_month_or_a_year(db, uid, listen):
    listen(
        [
            ("A", "June Song", "2023-06-10 10:00:00", 200_000),
            ("A", "June Song", "2023-06-11 10:00:00", 200_000),
            ("B", "July Song", "2023-07-01 10:00:00", 200_000),
            ("C", "Other Year", "2022-06-10 10:00:00", 200_000),
        ],
    )
    assert names(db, sources.time_capsule(db, uid, "2023-06")) == ["June Song"]
    assert names(db, sources.time_capsule(db, uid, "2023")) == ["June Song", "July Song"]


def test_short_streams_are_not_plays(db, uid, listen):
    listen([("A", "Skipped", at(200), 5_000, {"uri": "spotify:track:" + "s" * 22})])
    assert sources.forgotten_gems(db, uid, TODAY) == []


# -- the builder ---------------------------------------------------------------------------


def test_at_most_two_tracks_per_artist_by_default(db, uid, listen):
    rows = []
    for n in range(5):
        rows += plays("Prolific", f"Song {n}", 200, times=10 - n)
    rows += plays("Other", "Single", 200, times=1)
    listen(rows)
    preview = build_preview(db, uid, options("forgotten_gems"), TODAY)
    assert [t.title for t in preview.tracks] == ["Song 0", "Song 1", "Single"]
    assert (
        build_preview(db, uid, options("forgotten_gems", per_artist="3"), TODAY).tracks[2].title
        == "Song 2"
    )


def test_high_skip_tracks_are_pushed_down(db, uid, listen):
    listen(
        plays("A", "Loved", 200, times=6),
        plays("B", "Skipped A Lot", 200, times=8),
        [
            (
                "B",
                "Skipped A Lot",
                at(201, h),
                10_000,
                {"uri": "spotify:track:BSkippedALot0000000000"},
            )
            for h in range(8)
        ],
    )
    preview = build_preview(db, uid, options("forgotten_gems"), TODAY)
    assert [t.title for t in preview.tracks] == ["Loved", "Skipped A Lot"]
    assert "skipped 50%" in preview.tracks[1].why


WORKOUT_FEATURES = {
    "energy": 0.95,
    "tempo": 160,
    "valence": 0.8,
    "danceability": 0.8,
    "acousticness": 0.0,
    "instrumentalness": 0.0,
    "speechiness": 0.05,
}


def test_every_track_says_why_and_where_its_score_came_from(db, uid, listen):
    listen(
        plays("Metal Band", "Loud", 5, times=3, genres=["death metal"]),
        plays("Calm Band", "Soft", 5, times=3, genres=["ambient"]),
        plays("Measured", "Known", 5, times=3),
    )
    known = db.execute("SELECT id FROM tracks WHERE name = 'Known'").fetchone()[0]
    save_features(db, uid, known, WORKOUT_FEATURES)
    preview = build_preview(db, uid, options("workout"), TODAY)
    by_title = {t.title: t for t in preview.tracks}
    assert [t.title for t in preview.tracks] == ["Known", "Loud", "Soft"]
    assert by_title["Known"].score_source == "spotify audio features"
    assert by_title["Loud"].score_source == "estimated from genre: death metal (Spotify)"
    assert "workout fit" in by_title["Soft"].why
    history = build_preview(db, uid, options("current_rotation"), TODAY)
    assert {t.score_source for t in history.tracks} == {"your play history"}


def test_melancholic_prefers_sad_acoustic_genres(db, uid, listen):
    listen(
        plays("Party", "Banger", 5, times=9, genres=["dance pop"]),
        plays("Folk", "Ballad", 5, times=2, genres=["indie folk"]),
    )
    preview = build_preview(db, uid, options("melancholic"), TODAY)
    assert preview.tracks[0].title == "Ballad"


def test_moods_without_features_or_genres_explain_instead_of_an_empty_playlist(db, uid, listen):
    listen(plays("Nobody", "Unknown", 5, times=3))
    with pytest.raises(NoTracks, match="genres"):
        build_preview(db, uid, options("party"), TODAY)


def test_empty_history_explains_how_to_get_some(db, uid):
    with pytest.raises(NoTracks, match="no listening history"):
        build_preview(db, uid, options("forgotten_gems"), TODAY)


def test_no_match_names_the_source(db, uid, listen):
    listen(plays("A", "Yesterday", 1))
    with pytest.raises(NoTracks, match="No forgotten gems"):
        build_preview(db, uid, options("forgotten_gems"), TODAY)


def test_tracks_without_a_spotify_uri_are_listed_as_skipped(db, uid, listen):
    listen(
        plays("A", "Linked", 3, times=2),
        [("B", "Account Data Only", at(3), 200_000)],
        source="account",
    )
    preview = build_preview(db, uid, options("current_rotation"), TODAY)
    assert [t.title for t in preview.without_uri] == ["Account Data Only"]
    assert preview.uris == [preview.tracks[0].uri]
    assert any("no Spotify link" in note for note in preview.notes)


def test_a_pinned_preview_keeps_the_previewed_tracks_in_order(db, uid, listen):
    listen(plays("A", "One", 3, times=3), plays("B", "Two", 3, times=2))
    opts = options("current_rotation")
    first = build_preview(db, uid, opts, TODAY)
    listen(plays("B", "Two", 1, times=5))  # a sync lands between preview and create
    assert [t.title for t in build_preview(db, uid, opts, TODAY).tracks] == ["Two", "One"]
    pinned = pinned_preview(db, uid, opts, TODAY, first.track_ids)
    assert [t.title for t in pinned.tracks] == ["One", "Two"]
    assert (
        pinned_preview(db, uid, opts, TODAY, [first.track_ids[0], 999_999]).track_ids
        == first.track_ids[:1]
    )


def test_a_mood_preview_is_listed_by_the_fit_it_shows_and_says_so(db, uid):
    # "Often" fits less well but is played 40 times, "Rarely" fits perfectly but was played
    # once: the liking-weighted score puts "Often" first, the fit (which each line shows)
    # puts "Rarely" first. The list must follow the number the reader sees.
    add_plays(db, uid, plays("A", "Often", 5, times=40) + plays("B", "Rarely", 5, times=1))
    ids = dict(db.execute("SELECT name, id FROM tracks").fetchall())
    save_features(db, uid, ids["Rarely"], WORKOUT_FEATURES)
    save_features(db, uid, ids["Often"], {**WORKOUT_FEATURES, "energy": 0.6, "tempo": 115})
    preview = build_preview(db, uid, options("workout"), TODAY)
    by_title = {t.title: t for t in preview.tracks}
    assert by_title["Often"].score > by_title["Rarely"].score  # the data disagrees on purpose
    assert by_title["Often"].fit < by_title["Rarely"].fit
    assert [t.title for t in preview.tracks] == ["Rarely", "Often"]
    shown = [int(t.why.split("%")[0]) for t in preview.tracks]
    assert shown == sorted(shown, reverse=True)
    assert preview.order == ORDER_BY_FIT and "by mood fit, best first" in ORDER_BY_FIT
    assert preview.to_json()["order"] == preview.order


def test_a_time_machine_preview_says_it_is_listed_by_plays(db, uid):
    add_plays(db, uid, plays("A", "One", 3, times=3) + plays("B", "Two", 3, times=5))
    preview = build_preview(db, uid, options("current_rotation"), TODAY)
    assert [t.title for t in preview.tracks] == ["Two", "One"]
    assert preview.order.startswith("Listed by your plays, most first")

"""Migration 0008 (per-user catalogue) carries a multi-user database over: every user's
stats stay exactly as they were, and afterwards no user's rows point at another's."""

from __future__ import annotations

import json
from datetime import date

import pytest
from factories import database_before, read_as_today

from music_time_machine.daterange import parse_range
from music_time_machine.db import transaction
from music_time_machine.db.migrate import current_version, migrate
from music_time_machine.db.plays import NewPlay
from music_time_machine.db.rollups import rebuild_rollups
from music_time_machine.db.stats import ListeningStats
from music_time_machine.db.users import create_user
from music_time_machine.web.stats_api import StatsRequest, summary_payload

ALL = (date(2000, 1, 1), date(2030, 1, 1))
DAY_MS = 86_400_000
START = 1_704_110_400_000  # 2024-01-01 12:00 UTC
URI = "spotify:track:4uLU6hMCjMI75M1A2tKUQC"


#: The plays columns before migration 0011 that a ``NewPlay`` fills (besides the user and
#: the local date and hour, which SQLite computes in UTC here).
OLD_COLUMNS = ("track_id", "played_at", "ms_played", "kind", "source")


def insert_plays(conn, user_id: int, plays: list[NewPlay]) -> None:
    """Plays written as the app wrote them before migration 0011 (no ``uri_id`` column),
    rollups included: today's writer needs today's schema."""
    with transaction(conn):
        conn.executemany(
            f"INSERT INTO plays (user_id, {', '.join(OLD_COLUMNS)}, local_date, local_hour) "
            "VALUES (?, ?, ?, ?, ?, ?, date(? / 1000, 'unixepoch'), "
            "CAST(strftime('%H', ? / 1000, 'unixepoch') AS INT))",
            [
                (user_id, *(getattr(p, c) for c in OLD_COLUMNS), p.played_at, p.played_at)
                for p in plays
            ],
        )
        rebuild_rollups(conn, user_id)


def _shared_catalogue(conn) -> tuple[int, int, int]:
    """Three users over one shared catalogue, as the app stored it before 0008."""
    alice, bob, carol = (create_user(conn, n) for n in ("Alice", "Bob", "Carol"))
    with transaction(conn):
        conn.executemany(
            "INSERT INTO artists (id, spotify_id, name, name_key, genres) VALUES (?, ?, ?, ?, ?)",
            [
                (1, "A1", "Shared Band", "shared band", json.dumps(["rock", "indie"])),
                (2, None, "Bob Only", "bob only", json.dumps(["jazz"])),
                (3, "A3", "Featured", "featured", None),
                (4, None, "Orphan", "orphan", None),
                (5, None, "Carol Band", "carol band", "[]"),
            ],
        )
        conn.executemany(
            "INSERT INTO albums (id, spotify_id, name, name_key) VALUES (?, ?, ?, ?)",
            [
                (1, "AL1", "Shared Album", "shared album"),
                (2, None, "Bob Album", "bob album"),
                (3, None, "Gone", "gone"),
            ],
        )
        conn.executemany(
            "INSERT INTO tracks (id, spotify_id, name, album_id, duration_ms, match_key, energy,"
            " features_source) VALUES (?, ?, ?, ?, 200000, ?, ?, ?)",
            [
                (1, URI, "Shared Song", 1, "shared band\x1fshared song", 0.7, "spotify"),
                (2, None, "Alice Only", None, "shared band\x1falice only", None, None),
                (3, None, "Bob Song", 2, "bob only\x1fbob song", None, None),
                (4, None, "Orphan Song", 3, "orphan\x1forphan song", None, None),
                (5, None, "Carol Song", None, "carol band\x1fcarol song", None, None),
                (6, None, "Bob Second", 2, "bob only\x1fbob second", None, None),
            ],
        )
        conn.executemany(
            "INSERT INTO track_artists (track_id, artist_id, position) VALUES (?, ?, ?)",
            [
                (1, 1, 0),
                (1, 3, 1),
                (2, 1, 0),
                (3, 2, 0),
                (4, 4, 0),
                (5, 5, 0),
                (5, 3, 1),
                (6, 2, 0),
            ],
        )
    # Equal play counts and lengths, so top lists break ties by id: the order must survive.
    plan = {alice: [1, 1, 1, 2, 2, 2], bob: [3, 3, 1, 1, 6, 6], carol: [5, 5]}
    for user, track_ids in plan.items():
        insert_plays(
            conn,
            user,
            [
                NewPlay(t, START + i * DAY_MS + user * 1000, 200_000, "api")
                for i, t in enumerate(track_ids)
            ],
        )
        insert_plays(
            conn, user, [NewPlay(track_ids[0], START + 400 * DAY_MS, 10_000, "extended")]
        )  # a short play
    with transaction(conn):
        conn.executemany(
            "INSERT INTO top_snapshots (user_id, taken_on, item_type, time_range, rank,"
            " track_id, artist_id) VALUES (?, '2024-02-01', ?, 'short_term', 1, ?, ?)",
            [(bob, "track", 1, None), (bob, "artist", None, 1), (alice, "track", 1, None)],
        )
    return alice, bob, carol


#: Keys that hold ids, or links made of them: they may change, the numbers must not.
_ID_KEYS = {
    "id",
    "ids",
    "artist_ids",
    "album_id",
    "url",
    "urls",
    "album_url",
    "artist_urls",
    "credits",
}


def _without_ids(value):
    if isinstance(value, dict):
        return {k: _without_ids(v) for k, v in value.items() if k not in _ID_KEYS}
    if isinstance(value, list | tuple):
        return [_without_ids(v) for v in value]
    return value


def _view(conn, user_id: int) -> dict:
    """``_view_now`` on any schema version (see ``factories.read_as_today``)."""
    with read_as_today(conn):
        return _view_now(conn, user_id)


def _view_now(conn, user_id: int) -> dict:
    """Everything the stats API answers for a user (ids left out: they may change)."""
    stats = ListeningStats(conn, user_id)
    genres = stats.top_genres(*ALL, 10)
    today = date(2026, 1, 1)
    api = StatsRequest(
        stats, parse_range({"range": "all"}, today, stats.first_day), "UTC", today
    )  # what /api/stats/summary?range=all answers
    return _without_ids(
        {
            # The top lists' API payloads add pictures (a table of a later migration, 0016):
            # the stats they are built from are compared instead.
            "api_summary": summary_payload(api),
            "summary": stats.summary(*ALL),
            "volume": stats.volume(*ALL, "month"),
            "top_tracks": _without_ids(stats.top_tracks(*ALL, 50)),
            "top_artists": _without_ids(stats.top_artists(*ALL, 50)),
            "genres": (genres.items, genres.unknown_plays, genres.artist_plays),
            "heatmap": stats.heatmap(*ALL),
            "discoveries": stats.discoveries(*ALL),
            "snapshots": [
                tuple(r)
                for r in conn.execute(
                    "SELECT s.item_type, s.rank, t.name, t.spotify_id, a.name, a.genres "
                    "FROM top_snapshots s LEFT JOIN tracks t ON t.id = s.track_id "
                    "LEFT JOIN artists a ON a.id = s.artist_id WHERE s.user_id = ? "
                    "ORDER BY s.item_type, s.rank",
                    (user_id,),
                )
            ],
        }
    )


def _foreign_rows(conn) -> list[tuple]:
    """(table, column, count) of references from a user's row to another user's catalogue."""
    found = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        columns = {c[1] for c in conn.execute(f"PRAGMA table_info({table})")}
        for column, parent in (
            ("track_id", "tracks"),
            ("artist_id", "artists"),
            ("album_id", "albums"),
        ):
            if "user_id" in columns and column in columns:
                n = conn.execute(
                    f"SELECT COUNT(*) FROM {table} x JOIN {parent} p "
                    f"ON p.id = x.{column} WHERE p.user_id != x.user_id"
                ).fetchone()[0]
                if n:
                    found.append((table, column, n))
    found += [
        (
            "track_artists",
            "artist_id",
            conn.execute(
                "SELECT COUNT(*) FROM track_artists ta JOIN tracks t ON t.id = ta.track_id "
                "JOIN artists a ON a.id = ta.artist_id WHERE a.user_id != t.user_id"
            ).fetchone()[0],
        )
    ]
    return [f for f in found if f[2]]


def test_0008_splits_a_shared_catalogue_without_changing_anyones_stats(tmp_path, monkeypatch):
    conn = database_before(tmp_path / "old.sqlite", monkeypatch, 8)
    alice, bob, carol = _shared_catalogue(conn)
    before = {u: _view(conn, u) for u in (alice, bob, carol)}
    # Shared Song and Bob Second tie: the order of their ids decides, and must survive.
    assert [t["name"] for t in before[bob]["top_tracks"]] == [
        "Bob Song",
        "Shared Song",
        "Bob Second",
    ]

    assert migrate(conn)[0] == 8

    assert {u: _view(conn, u) for u in (alice, bob, carol)} == before
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert _foreign_rows(conn) == []
    # The shared track is now one row per user; Alice (lowest id) kept the ids.
    owners = [
        tuple(r)
        for r in conn.execute(
            "SELECT user_id, id FROM tracks WHERE spotify_id = ? ORDER BY user_id", (URI,)
        )
    ]
    assert [o[0] for o in owners] == [alice, bob] and owners[0][1] == 1
    assert dict(conn.execute("SELECT id, user_id FROM tracks WHERE user_id = ?", (alice,))) == {
        1: alice,
        2: alice,
    }
    # Carol shares only an artist: her track keeps its id, her artists are renumbered.
    assert [r[0] for r in conn.execute("SELECT id FROM tracks WHERE user_id = ?", (carol,))] == [5]
    # Rows nobody used are gone.
    for table, name in (("tracks", "Orphan Song"), ("artists", "Orphan"), ("albums", "Gone")):
        assert (
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE name = ?", (name,)).fetchone()[0] == 0
        )
    # Features and genres were copied with the rows.
    assert [
        r[0] for r in conn.execute("SELECT energy FROM tracks WHERE spotify_id = ?", (URI,))
    ] == [0.7, 0.7]


def test_0008_on_an_empty_or_one_user_database_changes_no_id(tmp_path, monkeypatch):
    conn = database_before(tmp_path / "one.sqlite", monkeypatch, 8)
    user = create_user(conn, "Solo")
    with transaction(conn):
        conn.execute("INSERT INTO artists (id, name, name_key) VALUES (7, 'A', 'a')")
        conn.execute("INSERT INTO tracks (id, name, match_key) VALUES (9, 'T', 'a\x1ft')")
        conn.execute("INSERT INTO track_artists VALUES (9, 7, 0)")
    insert_plays(conn, user, [NewPlay(9, START, 200_000, "api")])
    before = _view(conn, user)
    migrate(conn)
    assert _view(conn, user) == before
    assert [tuple(r) for r in conn.execute("SELECT id, user_id FROM tracks")] == [(9, user)]
    assert [tuple(r) for r in conn.execute("SELECT id, user_id FROM artists")] == [(7, user)]


def test_a_reference_the_split_cannot_place_stops_the_migration(tmp_path, monkeypatch):
    """A table referring to tracks without a user_id: refuse rather than guess an owner."""
    conn = database_before(tmp_path / "odd.sqlite", monkeypatch, 8)
    conn.execute("CREATE TABLE odd (track_id INTEGER REFERENCES tracks(id))")
    version = current_version(conn)
    with pytest.raises(Exception, match="odd.track_id"):
        migrate(conn)
    assert current_version(conn) == version
    assert "user_id" not in {c[1] for c in conn.execute("PRAGMA table_info(tracks)")}
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1

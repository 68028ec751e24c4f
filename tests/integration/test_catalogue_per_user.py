"""Issue #13 item 3: what one user imports, restores or syncs never shows in another user's
view, and nobody can learn from the catalogue whether another user has an item."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import open_fresh_db
from factories import add_plays
from import_fixtures import write_json

from music_time_machine.db.catalogue import save_artist_metadata, save_features
from music_time_machine.db.stats import ListeningStats
from music_time_machine.db.userdata import backup_user, delete_account, delete_listening_data
from music_time_machine.db.users import create_user
from music_time_machine.importers.restore import restore_backup
from music_time_machine.importers.run import run_import

URI = "spotify:track:4uLU6hMCjMI75M1A2tKUQC"
ARTIST_ID = "0gxyHStUsqpMadRV0Di1Qt"
ALL = (date(2000, 1, 1), date(2030, 1, 1))


def extended_rows(
    track: str, artist: str, uri: str | None, times: int = 3, day: int = 10
) -> list[dict]:
    """Extended-history rows of full plays, one a day from 2024-03-``day``."""
    return [
        {
            "ts": f"2024-03-{day + i:02d}T12:00:00Z",
            "ms_played": 200_000,
            "master_metadata_track_name": track,
            "master_metadata_album_artist_name": artist,
            "master_metadata_album_album_name": f"{track} (single)",
            "spotify_track_uri": uri,
            "reason_end": "trackdone",
        }
        for i in range(times)
    ]


def import_extended(conn, tmp_path: Path, user_id: int, rows: list[dict], name: str):
    path = write_json(tmp_path / name / "Streaming_History_Audio_2024.json", rows)
    summary = run_import(conn, user_id, [path])
    assert not [f.error for f in summary.files if f.error]
    return summary


def import_account(conn, tmp_path: Path, user_id: int, track: str, artist: str, name: str):
    rows = [
        {
            "endTime": f"2024-04-{d:02d} 09:00",
            "artistName": artist,
            "trackName": track,
            "msPlayed": 200_000,
        }
        for d in (1, 2)
    ]
    path = write_json(tmp_path / name / "StreamingHistory_music_0.json", rows)
    summary = run_import(conn, user_id, [path])
    assert not [f.error for f in summary.files if f.error]


def top_tracks(conn, user_id: int) -> list[tuple]:
    return [
        (t["name"], tuple(t["artists"]), t["uri"], t["plays"])
        for t in ListeningStats(conn, user_id).top_tracks(*ALL, 10)
    ]


def top_artists(conn, user_id: int) -> list[tuple]:
    return [
        (a["name"], tuple(a["genres"]), a["plays"])
        for a in ListeningStats(conn, user_id).top_artists(*ALL, 10)
    ]


def two_users(tmp_path: Path, name: str = "mtm.sqlite"):
    conn, alice = open_fresh_db(tmp_path / name)
    return conn, alice, create_user(conn, "Bob")


def test_an_import_under_a_poisoned_name_renames_nothing_of_another_user(tmp_path):
    conn, alice, bob = two_users(tmp_path)
    import_extended(conn, tmp_path, alice, extended_rows("Real Song", "Real Artist", URI), "a")
    import_extended(conn, tmp_path, bob, extended_rows("POISONED by Bob", "Bob Says", URI), "b")
    assert top_tracks(conn, alice) == [("Real Song", ("Real Artist",), URI, 3)]
    assert top_artists(conn, alice) == [("Real Artist", (), 3)]
    assert top_tracks(conn, bob) == [("POISONED by Bob", ("Bob Says",), URI, 3)]
    # ... and the other way round: Alice's later import does not rename Bob's view either.
    import_extended(conn, tmp_path, alice, extended_rows("Alice Renames", "X", URI, day=20), "a2")
    assert top_tracks(conn, bob) == [("POISONED by Bob", ("Bob Says",), URI, 3)]


def test_a_poisoned_name_from_a_sync_stays_with_its_user(tmp_path):
    """The sync path (Catalogue for the syncing user) as the factories write it."""
    conn, alice, bob = two_users(tmp_path)
    add_plays(
        conn,
        alice,
        [("Real Artist", "Real Song", "2024-03-01 10:00:00", 200_000, {"uri": URI})],
        source="api",
    )
    add_plays(
        conn,
        bob,
        [("Bob Says", "POISONED by Bob", "2024-03-02 10:00:00", 200_000, {"uri": URI})],
        source="api",
    )
    assert [t[0] for t in top_tracks(conn, alice)] == ["Real Song"]
    assert [t[0] for t in top_tracks(conn, bob)] == ["POISONED by Bob"]


def _backup_with_genres(tmp_path: Path) -> Path:
    """A backup (Settings › Export) of someone whose copy of the artist has a genre."""
    other, user = open_fresh_db(tmp_path / "other.sqlite")
    add_plays(
        other,
        user,
        [
            (
                "Shared Artist",
                "Shared Song",
                "2024-02-01 10:00:00",
                200_000,
                {"uri": URI, "genres": ["poisoned-genre"]},
            )
        ],
    )
    other.execute("UPDATE artists SET spotify_id = ?", (ARTIST_ID,))
    other.close()
    destination = tmp_path / "backup.sqlite"
    backup_user(tmp_path / "other.sqlite", user, destination)
    return destination


def test_a_restore_with_genres_changes_no_genre_of_another_user(tmp_path):
    backup = _backup_with_genres(tmp_path)
    conn, alice, bob = two_users(tmp_path)
    # Alice knows the artist (same Spotify id) from another track, with no genre yet.
    add_plays(
        conn,
        alice,
        [
            (
                "Shared Artist",
                "Alice Song",
                "2024-03-01 10:00:00",
                200_000,
                {"uri": "spotify:track:" + "A" * 22},
            )
        ],
    )
    conn.execute("UPDATE artists SET spotify_id = ?", (ARTIST_ID,))  # only Alice's so far
    summary = restore_backup(conn, bob, backup)
    assert not summary.errors and summary.plays_added == 1
    assert top_artists(conn, alice) == [("Shared Artist", (), 1)]
    assert top_artists(conn, bob) == [("Shared Artist", ("poisoned-genre",), 1)]


def test_spotify_metadata_is_stored_on_the_syncing_users_rows_only(tmp_path):
    conn, alice, bob = two_users(tmp_path)
    for user in (alice, bob):
        add_plays(
            conn,
            user,
            [("Shared Artist", "Shared Song", "2024-03-01 10:00:00", 200_000, {"uri": URI})],
        )
    artist_of = dict(conn.execute("SELECT user_id, id FROM artists"))
    track_of = dict(conn.execute("SELECT user_id, id FROM tracks"))
    save_artist_metadata(conn, bob, artist_of[bob], {"genres": ["bob-genre"]})
    save_features(conn, bob, track_of[bob], {"energy": 0.9})
    save_artist_metadata(conn, bob, artist_of[alice], {"genres": ["not-bobs-row"]})
    save_features(conn, bob, track_of[alice], {"energy": 0.1})
    assert top_artists(conn, alice) == [("Shared Artist", (), 1)]
    assert top_artists(conn, bob) == [("Shared Artist", ("bob-genre",), 1)]
    assert [
        tuple(r) for r in conn.execute("SELECT user_id, energy FROM tracks ORDER BY user_id")
    ] == [(alice, None), (bob, 0.9)]


def _bobs_view_after_probe(tmp_path: Path, name: str, alice_played: bool):
    conn, alice, bob = two_users(tmp_path, name)
    if alice_played:
        import_extended(
            conn, tmp_path, alice, extended_rows("Secret Track", "Secret Band", URI), f"{name}-a"
        )
    summary = import_extended(
        conn, tmp_path, bob, extended_rows("Probe Name", "Probe Band", URI, times=1), f"{name}-b"
    )
    report = summary.to_dict()
    report.pop("seconds", None)
    for file in report.get("files", []):
        file.pop("seconds", None)
    return top_tracks(conn, bob), top_artists(conn, bob), report


def test_a_probe_import_cannot_tell_whether_another_user_played_a_track(tmp_path):
    seen_when_played = _bobs_view_after_probe(tmp_path, "played.sqlite", alice_played=True)
    seen_when_not = _bobs_view_after_probe(tmp_path, "unplayed.sqlite", alice_played=False)
    assert seen_when_played == seen_when_not
    assert seen_when_played[0] == [("Probe Name", ("Probe Band",), URI, 1)]


def test_account_data_rows_never_adopt_another_users_rows(tmp_path):
    conn, alice, bob = two_users(tmp_path)
    # Alice's track has a URI; Bob's account data names the same artist and title.
    import_extended(conn, tmp_path, alice, extended_rows("Song", "Band", URI), "a")
    import_account(conn, tmp_path, bob, "Song", "Band", "b")
    assert top_tracks(conn, bob) == [("Song", ("Band",), None, 2)]
    assert top_tracks(conn, alice) == [("Song", ("Band",), URI, 3)]
    # Carol's account data first, then Dave's extended history with the URI: Dave's URI
    # must not be given to Carol's URI-less track (nor her artist).
    carol, dave = create_user(conn, "Carol"), create_user(conn, "Dave")
    import_account(conn, tmp_path, carol, "Other Song", "Other Band", "c")
    import_extended(
        conn,
        tmp_path,
        dave,
        extended_rows("Other Song", "Other Band", "spotify:track:" + "D" * 22),
        "d",
    )
    assert top_tracks(conn, carol) == [("Other Song", ("Other Band",), None, 2)]
    assert (
        conn.execute(
            "SELECT COUNT(*) FROM artists WHERE user_id = ? AND spotify_id IS NOT NULL", (carol,)
        ).fetchone()[0]
        == 0
    )
    for user in (alice, bob, carol, dave):  # every row a user's stats reach is their own
        assert (
            conn.execute(
                "SELECT COUNT(*) FROM plays p JOIN tracks t ON t.id = p.track_id "
                "WHERE p.user_id = ? AND t.user_id != p.user_id",
                (user,),
            ).fetchone()[0]
            == 0
        )


def test_clearing_or_deleting_a_user_removes_their_catalogue_only(tmp_path):
    conn, alice, bob = two_users(tmp_path)
    for user, name in ((alice, "Alice Song"), (bob, "Bob Song")):
        add_plays(conn, user, [("Band", name, "2024-03-01 10:00:00", 200_000, {"uri": URI})])
    deleted = delete_listening_data(conn, bob)
    assert deleted["tracks"] == deleted["artists"] == deleted["albums"] == 1
    for table in ("tracks", "artists", "albums"):
        assert [r[0] for r in conn.execute(f"SELECT user_id FROM {table}")] == [alice]
    add_plays(conn, bob, [("Band", "Bob Song", "2024-03-01 10:00:00", 200_000, {"uri": URI})])
    delete_account(conn, bob)
    assert [r[0] for r in conn.execute("SELECT name FROM tracks")] == ["Alice Song"]
    assert top_tracks(conn, alice) == [("Alice Song", ("Band",), URI, 1)]

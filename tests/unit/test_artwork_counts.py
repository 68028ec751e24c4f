"""Settings' artwork counts (``artwork_counts``) against a plain reading of the rows: an
album is still to look up when one of its music songs has a counted play and it was never
looked for; unplayed albums, albums already looked for and other users' albums are not."""

from factories import add_plays

from music_time_machine.db.artwork import artwork_counts, save_album_art
from music_time_machine.db.users import create_user


def albums_to_look_up(conn, user_id) -> int:
    """Independently: albums with a song played at least 30 s (the default rule), by the
    plays themselves, without an artwork row."""
    return conn.execute(
        "SELECT COUNT(DISTINCT t.album_id) FROM plays p JOIN tracks t ON t.id = p.track_id "
        "WHERE p.user_id = ? AND p.kind = 'music' AND p.ms_played >= 30000 "
        "AND t.album_id IS NOT NULL "
        "AND t.album_id NOT IN (SELECT album FROM album_art)",
        (user_id,),
    ).fetchone()[0]


def test_albums_to_look_up_are_the_played_ones_never_looked_for(fresh_db):
    conn, user = fresh_db()
    other = create_user(conn, "other")
    add_plays(
        conn,
        user,
        [
            ("A", "Played", "2024-01-01 10:00:00", 200_000, {"album": "Played LP"}),
            ("A", "Short", "2024-01-01 11:00:00", 5_000, {"album": "Only Short LP"}),
            # One song of this album is played, the other only skipped: it counts once.
            ("A", "Skipped", "2024-01-01 12:00:00", 5_000, {"album": "Mixed LP"}),
            ("A", "Kept", "2024-01-01 13:00:00", 200_000, {"album": "Mixed LP"}),
            ("A", "Found", "2024-01-01 14:00:00", 200_000, {"album": "Found LP"}),
            ("A", "None", "2024-01-01 15:00:00", 200_000, {"album": "No Cover LP"}),
        ],
    )
    add_plays(conn, other, [("B", "Theirs", "2024-01-01 10:00:00", 200_000, {"album": "B LP"})])
    ids = dict(conn.execute("SELECT name, id FROM albums WHERE user_id = ?", (user,)))
    save_album_art(conn, user, ids["Found LP"], "k" * 64, "spotify")
    save_album_art(conn, user, ids["No Cover LP"], None, None)

    counts = artwork_counts(conn, user)
    assert counts["to_look_up"] == albums_to_look_up(conn, user) == 2  # Played, Mixed
    assert (counts["albums_with_art"], counts["albums_without"]) == (1, 1)
    assert artwork_counts(conn, other)["to_look_up"] == albums_to_look_up(conn, other) == 1

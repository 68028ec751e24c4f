"""Clearing a user's data empties whole tables when they are the database's only user, and
deletes only their rows otherwise; both check the foreign keys once, at the end
(``db.userdata._delete``, ``db.transaction_checking_keys_at_end``), and must leave exactly
what the row-by-row delete with enforced keys (and their cascades) left."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import open_fresh_db
from factories import add_plays

from music_time_machine.db import transaction, transaction_checking_keys_at_end
from music_time_machine.db.enrichment import save_match
from music_time_machine.db.userdata import (
    delete_account,
    delete_listening_data,
    listening_tables,
    user_tables,
)
from music_time_machine.db.users import create_user

#: Tables whose rows hang off the catalogue without a user_id (the keys' cascade's work).
HANGING = ("track_artists", "artist_metadata", "artist_tags", "track_tags")


def listen(conn, user: int, band: str) -> None:
    """Plays, a song of two artists, and a MusicBrainz match with tags for each artist."""
    add_plays(
        conn,
        user,
        [
            (f"{band} & Guest", "One", "2024-03-01 10:00:00", 200_000, {"album": "LP"}),
            (band, "Two", "2024-03-02 10:00:00", 200_000, {"album": "LP"}),
            (band, "Two", "2024-03-03 10:00:00", 5_000, {"album": "LP"}),
        ],
    )
    for artist, track in conn.execute(
        "SELECT ta.artist_id, ta.track_id FROM track_artists ta "
        "JOIN artists a ON a.id = ta.artist_id WHERE a.user_id = ?",
        (user,),
    ).fetchall():
        save_match(
            conn,
            artist,
            f"mbid-{artist}",
            "exact",
            1.0,
            [("rock", 3)],
            [("loud", 1)],
            track_tags=[(track, [("anthem", 2)])],
        )


def rows_of(conn, user: int) -> dict[str, int]:
    """How many rows each table holds for ``user`` (hanging tables through the catalogue)."""
    counts = {
        t: conn.execute(f"SELECT COUNT(*) FROM {t} WHERE user_id = ?", (user,)).fetchone()[0]
        for t in user_tables(conn)
    }
    owner = {
        "track_artists": "SELECT user_id FROM tracks WHERE id = h.track_id",
        "artist_metadata": "SELECT user_id FROM artists WHERE id = h.artist_id",
        "artist_tags": "SELECT user_id FROM artists WHERE id = h.artist_id",
        "track_tags": "SELECT user_id FROM tracks WHERE id = h.track_id",
    }
    for table in HANGING:
        counts[table] = conn.execute(
            f"SELECT COUNT(*) FROM {table} h WHERE ({owner[table]}) = ?", (user,)
        ).fetchone()[0]
    return counts


def test_the_only_user_has_every_table_emptied_and_keys_back_on(tmp_path):
    conn, user = open_fresh_db(tmp_path / "one.sqlite")
    listen(conn, user, "Band")
    before = rows_of(conn, user)
    assert all(before[t] for t in ("plays", "tracks", "rollup_day_track", *HANGING))
    deleted = delete_listening_data(conn, user)
    assert deleted["plays"] == 3 and deleted["tracks"] == 2
    for table in (*listening_tables(conn), *HANGING):
        assert conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] == 0, table
    assert conn.execute("SELECT COUNT(*) FROM users").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_with_another_user_only_this_users_rows_go(tmp_path):
    conn, ana = open_fresh_db(tmp_path / "two.sqlite")
    ben = create_user(conn, "Ben")
    listen(conn, ana, "Band")
    listen(conn, ben, "Band")  # the same names: each user has their own catalogue rows
    ben_before = rows_of(conn, ben)
    delete_listening_data(conn, ana)
    assert rows_of(conn, ben) == ben_before
    assert all(
        n == 0 for t, n in rows_of(conn, ana).items() if t in (*listening_tables(conn), *HANGING)
    )
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


@pytest.mark.parametrize("others", [False, True])
def test_deleting_the_account_leaves_no_row_of_the_user(tmp_path, others):
    conn, ana = open_fresh_db(tmp_path / "acct.sqlite")
    ben = create_user(conn, "Ben") if others else None
    listen(conn, ana, "Band")
    if ben:
        listen(conn, ben, "Other Band")
        ben_before = rows_of(conn, ben)
    delete_account(conn, ana)
    assert all(n == 0 for n in rows_of(conn, ana).values())
    assert [r[0] for r in conn.execute("SELECT id FROM users")] == ([ben] if ben else [])
    if ben:
        assert rows_of(conn, ben) == ben_before
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize("others", [False, True])
def test_a_reference_the_delete_would_break_undoes_it_all(tmp_path, others):
    """A table the delete does not know refers to the user's songs: the check at the end
    finds the broken reference and nothing is deleted."""
    conn, ana = open_fresh_db(tmp_path / "stray.sqlite")
    if others:
        create_user(conn, "Ben")
    listen(conn, ana, "Band")
    with transaction(conn):
        conn.execute("CREATE TABLE stray (track_id INTEGER REFERENCES tracks(id))")
        conn.execute("INSERT INTO stray SELECT MIN(id) FROM tracks")
    before = rows_of(conn, ana)
    with pytest.raises(sqlite3.IntegrityError, match="broken references, first in table stray"):
        delete_listening_data(conn, ana)
    assert rows_of(conn, ana) == before
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert not conn.in_transaction


def test_keys_cannot_be_switched_off_inside_a_transaction(tmp_path):
    conn, _user = open_fresh_db(tmp_path / "nested.sqlite")
    with (
        transaction(conn),
        pytest.raises(RuntimeError, match="between transactions"),
        transaction_checking_keys_at_end(conn, "nested"),
    ):
        pass
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1

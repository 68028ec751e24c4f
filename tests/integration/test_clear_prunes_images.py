"""Clearing data or deleting an account removes the pictures nobody shows any more, from the
real image store in the app's data folder, through Settings' two-step confirmation; and so
do a server start and the artwork phase, the other places where pictures stop being shown."""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pytest
from factories import add_plays, give_album_picture, picture, sign_in
from musicbrainz_helpers import albums_to_play, coverart_client, mb_client, server_fixture
from web_client import csrf, form_value

from music_time_machine.cli import _undo_abandoned_writes
from music_time_machine.db import connect, transaction
from music_time_machine.db.artwork import save_artist_art
from music_time_machine.db.users import create_user
from music_time_machine.metadata.artwork import fetch_artwork
from music_time_machine.metadata.image_store import ImageStore
from music_time_machine.metadata.imaging import SIZES

HOURS_S = 3600
PHRASES = {"data": "delete my listening history", "account": "delete my account"}

server, fresh = server_fixture()


def make_old(store: ImageStore, key: str) -> None:
    then = time.time() - 2 * HOURS_S  # well past the grace period
    for size in SIZES:
        os.utime(store.path(key, size), (then, then))


def renditions(key: str) -> set[str]:
    return {f"images/{key[:2]}/{key}-{size}.webp" for size in SIZES}


def files_in(folder: Path) -> set[str]:
    """Every file in the data folder but the database's own (which a clear changes)."""
    return {
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*")
        if (p.is_file() or p.is_symlink()) and ".sqlite" not in p.name
    }


@pytest.fixture
def household(multi_user_app):
    """Ana and Ben, each with listening and pictures in one store, all but one written two
    hours ago: a cover only Ana shows, one both show, an artist picture only Ana shows, one
    only Ana shows written a minute ago, and a picture a crash left that nobody shows; plus
    files in the store that are not pictures."""
    app = multi_user_app
    data_dir = Path(app.config["MTM_DATA_DIR"])
    conn = connect(app.config["DATABASE"])
    ana, ben = create_user(conn, "Ana"), create_user(conn, "Ben")
    day = "2025-03-0{} 10:00:00"
    add_plays(
        conn,
        ana,
        [
            ("Ana Artist", f"Song {n}", day.format(n), 200_000, {"album": album})
            for n, album in enumerate(("Only Ana", "Both", "Just Now"), start=1)
        ],
    )
    add_plays(conn, ben, [("Ben Artist", "Tune", day.format(1), 200_000, {"album": "Both"})])
    store = ImageStore.in_data_dir(data_dir)
    keys = {
        "only_ana": give_album_picture(conn, ana, data_dir, "Only Ana", picture(40, 40)),
        "both": give_album_picture(conn, ana, data_dir, "Both", picture(50, 50, colour=(1, 2, 3))),
        "young": give_album_picture(conn, ana, data_dir, "Just Now", picture(60, 60)),
        "artist": store.put(picture(70, 90, colour=(9, 9, 9))),
        "crash": store.put(picture(80, 80, colour=(4, 4, 4))),
    }
    assert (
        give_album_picture(conn, ben, data_dir, "Both", picture(50, 50, colour=(1, 2, 3)))
        == (keys["both"])
    )
    with transaction(conn):
        artist = conn.execute(
            "SELECT id FROM artists WHERE user_id = ? AND name = 'Ana Artist'", (ana,)
        ).fetchone()[0]
        save_artist_art(conn, ana, artist, keys["artist"], "spotify")
    for name, key in keys.items():
        if name != "young":
            make_old(store, key)
    strays = [
        store.root / "README.txt",
        store.root / keys["only_ana"][:2] / f".{keys['only_ana']}-64.webp.tmp",
        store.root / keys["both"][:2] / "notes.txt",
        data_dir / "keep-me.webp",
    ]
    for path in strays:
        path.write_bytes(b"not a picture of ours")
        os.utime(path, (0, 0))
    yield app, conn, {"ana": ana, "ben": ben}, keys, store
    conn.close()


def confirm(client, what: str):
    """Settings' two steps, as a person takes them: the confirmation page, then its form."""
    html = client.get(f"/settings/clear?what={what}").get_data(as_text=True)
    assert "picture files stored on this server for your albums and artists are deleted" in html
    token = form_value(html, "confirm_token")
    return client.post(
        "/settings/clear",
        data={"csrf_token": csrf(client), "confirm_token": token, "phrase": PHRASES[what]},
        follow_redirects=True,
    )


def art_rows(conn, user_id: int) -> list[tuple]:
    return conn.execute(
        "SELECT image_key, source, fetched_at FROM album_art WHERE user_id = ? "
        "UNION ALL SELECT image_key, source, fetched_at FROM artist_art WHERE user_id = ? "
        "ORDER BY 1",
        (user_id, user_id),
    ).fetchall()


@pytest.mark.parametrize("what", ["data", "account"])
def test_clearing_removes_the_pictures_only_that_user_showed(household, what):
    app, conn, users, keys, store = household
    data_dir = Path(app.config["MTM_DATA_DIR"])
    before = files_in(data_dir)
    bens_rows = [tuple(r) for r in art_rows(conn, users["ben"])]
    ana = app.test_client()
    sign_in(ana, users["ana"])

    page = confirm(ana, what).get_data(as_text=True)

    assert "Deleted 3 streams" in page or "Your account and all its data were deleted" in page
    gone = renditions(keys["only_ana"]) | renditions(keys["artist"]) | renditions(keys["crash"])
    assert files_in(data_dir) == before - gone  # the young one, Ben's and the strays stay
    assert store.has(keys["young"]) and store.has(keys["both"])
    assert art_rows(conn, users["ana"]) == []
    assert [tuple(r) for r in art_rows(conn, users["ben"])] == bens_rows
    ben = app.test_client()
    sign_in(ben, users["ben"])
    assert ben.get(f"/images/{keys['both']}-64.webp").status_code == 200


def test_a_failure_removing_pictures_is_logged_and_the_clear_still_succeeds(household, caplog):
    app, conn, users, keys, store = household
    shutil.rmtree(store.root)
    store.root.write_bytes(b"a file where the images folder was")
    ana = app.test_client()
    sign_in(ana, users["ana"])

    with caplog.at_level(logging.ERROR, logger="music_time_machine.metadata.image_pruning"):
        response = confirm(ana, "data")

    assert response.status_code == 200
    assert "Deleted 3 streams" in response.get_data(as_text=True)
    assert (
        conn.execute("SELECT COUNT(*) FROM plays WHERE user_id = ?", (users["ana"],)).fetchone()[0]
        == 0
    )
    assert "could not remove the pictures nobody shows" in caplog.text


def test_the_settings_page_says_that_clearing_removes_stored_pictures(household):
    app, _conn, users, _keys, _store = household
    ana = app.test_client()
    sign_in(ana, users["ana"])
    html = " ".join(ana.get("/settings").get_data(as_text=True).split())
    assert "the album covers and artist pictures stored for you that no other account" in html


def test_a_server_start_removes_what_a_crash_left_and_keeps_what_is_shown(household):
    app, conn, users, keys, store = household
    data_dir = Path(app.config["MTM_DATA_DIR"])
    before = files_in(data_dir)

    _undo_abandoned_writes(app)  # what `mtm serve` does when it starts

    assert files_in(data_dir) == before - renditions(keys["crash"])


def test_the_artwork_phase_removes_a_forgotten_pictures_leftover_files(server, fresh_db, tmp_path):
    """A picture whose 300 px file went missing is forgotten and the album fetched again; it
    now shows the Archive's cover, and the old picture's 64 px file, shown by nobody, goes."""
    conn, user = fresh_db()
    album = albums_to_play(server, exact_only=False)[0]
    add_plays(
        conn,
        user,
        [
            (
                album["artist"],
                album["title"],
                "2025-03-01 10:00:00",
                200_000,
                {"album": album["album"]},
            )
        ],
    )
    store = ImageStore.in_data_dir(tmp_path)
    old = give_album_picture(conn, user, tmp_path, album["album"], picture(33, 33))
    make_old(store, old)
    store.path(old, 300).unlink()

    summary = fetch_artwork(
        conn,
        user,
        mb_client(server),
        coverart_client(server),
        store,
        lambda _done, _total: None,
        lambda: False,
    )

    assert summary.albums_from_coverart == 1
    new = conn.execute("SELECT image_key FROM album_art WHERE user_id = ?", (user,)).fetchone()[0]
    assert new != old and store.has(new)
    assert not store.path(old, 64).exists()

"""Small builders for test data that go through the app's real write path."""

from __future__ import annotations

import time
from contextlib import contextmanager
from datetime import UTC, datetime

from music_time_machine.db import connect, transaction
from music_time_machine.db import migrate as migrate_module
from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo
from music_time_machine.db.plays import (
    PLAY_DETAIL_COLUMNS,
    InsertResult,
    NewPlay,
    PlayDetails,
    insert_plays,
)
from music_time_machine.db.users import session_generation
from music_time_machine.web.sessions import GENERATION_KEY, SEEN_KEY


def database_before(path, monkeypatch, version: int):
    """A database migrated up to (not including) migration ``version``, for migration
    tests; later ``migrate`` calls apply every migration again."""
    conn = connect(path)
    every = migrate_module.available()
    monkeypatch.setattr(migrate_module, "available", lambda: [m for m in every if m[0] < version])
    migrate_module.migrate(conn)
    monkeypatch.setattr(migrate_module, "available", lambda: every)
    assert migrate_module.current_version(conn) < version
    return conn


@contextmanager
def read_as_today(conn):
    """Lets today's stats code read a database older than migration 0015: an empty,
    temporary ``artist_metadata`` (no artist looked up on MusicBrainz) stands in for the
    table that migration adds, for the duration of the block."""
    exists = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'artist_metadata'").fetchone()
    if not exists:
        conn.execute(
            "CREATE TEMP TABLE artist_metadata (artist_id INTEGER PRIMARY KEY, genres TEXT)"
        )
    try:
        yield conn
    finally:
        if not exists:
            conn.execute("DROP TABLE temp.artist_metadata")


def scalar(conn, sql: str, *params):
    """The one value a test's own check query returns (a count, a maximum, an id)."""
    return conn.execute(sql, params).fetchone()[0]


def play_count(conn, user_id: int) -> int:
    """How many streams ``user_id`` has stored, counted as plays or not: what an import, a
    restore or a clearing must have added or left."""
    return scalar(conn, "SELECT COUNT(*) FROM plays WHERE user_id = ?", user_id)


def ms(text: str) -> int:
    """'2024-03-31 01:30:00' (UTC) → epoch ms."""
    dt = datetime.fromisoformat(text).replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def add_plays(conn, user_id: int, rows: list[tuple], source: str = "extended") -> InsertResult:
    """rows: (artist, track, 'YYYY-MM-DD HH:MM:SS' UTC end time, ms_played[, extra dict]);
    ``extra`` holds the track's album, uri, duration_ms and genres, the play's details by
    column name and other ``NewPlay`` fields."""
    with transaction(conn):
        catalogue = Catalogue(conn, user_id)
        plays = []
        for row in rows:
            artist, track, when, played = row[:4]
            extra = row[4] if len(row) > 4 else {}
            genres = extra.pop("genres", None)
            track_id, uri_id = catalogue.track(
                TrackInfo(
                    name=track,
                    artists=[ArtistInfo(a, genres=genres) for a in artist.split(" & ")],
                    album=extra.pop("album", f"{track} (single)"),
                    spotify_uri=extra.pop("uri", None),
                    duration_ms=extra.pop("duration_ms", None),
                )
            )
            plays.append(
                NewPlay(
                    track_id=track_id,
                    played_at=ms(when),
                    ms_played=played,
                    source=source,
                    uri_id=uri_id,
                    details=PlayDetails(
                        **{c: extra.pop(c) for c in PLAY_DETAIL_COLUMNS if c in extra}
                    ),
                    **extra,
                )
            )
        return insert_plays(conn, user_id, plays)


def sign_in(client, user_id: int) -> None:
    """Give ``client`` a session signed in as ``user_id`` (as the Spotify callback would)."""
    conn = connect(client.application.config["DATABASE"])
    try:
        generation = session_generation(conn, user_id)
    finally:
        conn.close()
    with client.session_transaction() as session:
        session["user_id"] = user_id
        session[GENERATION_KEY] = generation
        session[SEEN_KEY] = int(time.time())


def vm_steps(conn, call) -> int:
    """SQLite virtual-machine instructions that ``call()`` runs on ``conn`` (to within 100):
    a count of the work a query does that, unlike its time, does not depend on the machine.
    """
    ticks = 0

    def tick() -> int:
        nonlocal ticks
        ticks += 1
        return 0

    conn.set_progress_handler(tick, 100)
    try:
        call()
    finally:
        conn.set_progress_handler(None, 100)
    return ticks * 100


def picture(
    width: int = 32,
    height: int = 32,
    colour: tuple = (200, 40, 40),
    kind: str = "PNG",
    **save_options,
) -> bytes:
    """A real picture made with Pillow (PNG unless ``kind`` says otherwise)."""
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, kind, **save_options)
    return out.getvalue()


def give_album_picture(
    conn, user_id: int, data_dir, album: str | None = None, data: bytes | None = None
) -> str:
    """Store a picture in ``data_dir``'s image store and show it for one of the user's albums
    (``album`` by name, else their first); returns its key."""
    from music_time_machine.db.artwork import save_album_art
    from music_time_machine.metadata.image_store import ImageStore

    key = ImageStore.in_data_dir(data_dir).put(data or picture())
    with transaction(conn):
        if album is None:
            album_id = conn.execute(
                "SELECT id FROM albums WHERE user_id = ? ORDER BY id", (user_id,)
            ).fetchone()
            if album_id is None:
                album_id = conn.execute(
                    "INSERT INTO albums (user_id, name, name_key) VALUES (?, 'An album', "
                    "'an album') RETURNING id",
                    (user_id,),
                ).fetchone()
        else:
            album_id = conn.execute(
                "SELECT id FROM albums WHERE user_id = ? AND name = ?", (user_id, album)
            ).fetchone()
        save_album_art(conn, user_id, album_id[0], key, "coverartarchive")
    return key


def png_declaring(width: int, height: int) -> bytes:
    """A valid PNG header claiming ``width`` x ``height`` with almost no pixel data: a
    decompression bomb's shape."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


def demo_with_genres(conn, user_id: int, **demo_options) -> None:
    """The demo history with each artist's genres stored as Spotify would give them to an
    app with extended quota (the demo itself leaves genres to enrichment, which pages
    other than Settings › Genres and artwork need not wait for)."""
    import json

    from music_time_machine.demo import generate_demo
    from music_time_machine.demo.taste import artist_count
    from music_time_machine.sandbox.world import build_world

    generate_demo(conn, user_id, **demo_options)
    world = build_world(
        demo_options.get("seed", 42), artist_count(demo_options.get("plays", 25_000))
    )
    with transaction(conn):
        conn.executemany(
            "UPDATE artists SET genres = ? WHERE user_id = ? AND spotify_id = ?",
            [
                (json.dumps(list(a.genres)), user_id, a.spotify_id)
                for a in world.artists
                if a.genres
            ],
        )


def demo_backup(app, conn, user_id: int, path, plays: int, years: float):
    """A backup file at ``path`` of a demo history of ``plays`` plays over ``years`` years up
    to 1 June 2025 (a fixed end, so every run backs up the same history)."""
    from music_time_machine.db.userdata import backup_user
    from music_time_machine.demo import generate_demo

    generate_demo(conn, user_id, plays=plays, end=datetime(2025, 6, 1, tzinfo=UTC), years=years)
    backup_user(app.config["DATABASE"], user_id, path)
    return path


def genre_plays(spread: dict[str, int], day: str = "2025-06-01") -> list[tuple]:
    """Rows for ``add_plays``: for each genre, that many plays of one track by an artist of
    exactly that genre (one play a minute from 10:00 on ``day``)."""
    return [
        (f"Artist {genre}", f"Song {genre}", f"{day} 10:{i:02d}:00", 200_000, {"genres": [genre]})
        for genre, plays in spread.items()
        for i in range(plays)
    ]

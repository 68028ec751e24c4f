"""The artwork phase against the fake MusicBrainz and Cover Art Archive, over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from factories import add_plays, png_declaring
from musicbrainz_helpers import albums_to_play, coverart_client, fault, mb_client, server_fixture
from werkzeug.serving import make_server
from werkzeug.wrappers import Response

from music_time_machine.db import transaction
from music_time_machine.metadata.artwork import artist_words, fetch_artwork, host_allowed
from music_time_machine.metadata.coverart import CoverArtClient
from music_time_machine.metadata.image_store import ImageStore, image_key
from music_time_machine.metadata.musicbrainz import MusicBrainzClient
from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer
from music_time_machine.sandbox.fake_musicbrainz.images import cover_png

RATE = 20.0  # the fake answers 503 to anything faster, and counts it
LOOPBACK = ("127.0.0.1",)


server, fresh = server_fixture(rate=RATE)


@pytest.fixture
def history(server, fresh_db):
    conn, user = fresh_db()
    albums = albums_to_play(server, exact_only=False)
    rows = [
        (a["artist"], a["title"], f"2025-03-01 {hour:02d}:00:00", 200_000, {"album": a["album"]})
        for rank, a in enumerate(albums)
        for hour in range(10 - rank)
    ]
    add_plays(conn, user, rows)
    return conn, user, albums


def clients(server: FakeMusicBrainzServer) -> tuple[MusicBrainzClient, CoverArtClient]:
    return mb_client(server, rate=RATE), coverart_client(server)


def run(server, conn, user, store, stop_after: int | None = None, **options):
    mb, caa = clients(server)
    seen: list[tuple[int, int]] = []
    summary = fetch_artwork(
        conn,
        user,
        mb,
        caa,
        store,
        lambda d, t: seen.append((d, t)),
        lambda: stop_after is not None and seen[-1][0] >= stop_after,
        **options,
    )
    return summary, seen


def art(conn, user) -> dict[str, tuple]:
    return {
        r[0]: (r[1], r[2])
        for r in conn.execute(
            "SELECT al.name, aa.image_key, aa.source FROM album_art aa "
            "JOIN albums al ON al.id = aa.album WHERE aa.user_id = ?",
            (user,),
        )
    }


def test_covers_are_found_for_matched_albums_and_none_is_remembered(server, history, tmp_path):
    conn, user, albums = history
    store = ImageStore(tmp_path / "images")
    summary, seen = run(server, conn, user, store)
    assert summary.finished and summary.albums_total == 6
    assert (summary.albums_from_coverart, summary.albums_none) == (4, 2)
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    found = art(conn, user)
    for album in albums[:4]:  # the Archive's own cover, as it served it (500 px thumbnail)
        assert found[album["album"]] == (
            image_key(cover_png(album["cover"], 500)),
            "coverartarchive",
        )
        assert store.has(found[album["album"]][0])
    for album in albums[4:]:
        assert found[album["album"]] == (None, None)
    traffic = server.traffic()
    assert traffic["rate_limited"] == 0  # never faster than the rate (measured by the fake)
    assert traffic["by_endpoint"].get("ws2/recording") == 6  # one search per album

    again, _ = run(server, conn, user, store)  # "none" is remembered: nothing is asked
    assert (again.albums_total, again.done) == (0, 0)
    assert server.traffic()["requests"] == traffic["requests"]


def test_pictures_whose_files_are_gone_are_fetched_again(server, history, tmp_path):
    conn, user, albums = history
    store = ImageStore(tmp_path / "images")
    run(server, conn, user, store)
    lost = art(conn, user)[albums[0]["album"]][0]
    store.path(lost, 300).unlink()
    again, _ = run(server, conn, user, store)
    assert (again.albums_total, again.albums_from_coverart) == (1, 1)
    assert art(conn, user)[albums[0]["album"]][0] == lost and store.has(lost)


def test_a_stopped_run_resumes_where_it_stopped_most_played_first(server, history, tmp_path):
    conn, user, albums = history
    store = ImageStore(tmp_path / "images")
    first, _ = run(server, conn, user, store, stop_after=2)
    assert first.stopped and first.done == 2
    assert set(art(conn, user)) == {albums[0]["album"], albums[1]["album"]}
    second, seen = run(server, conn, user, store)
    assert second.finished and seen[0] == (0, 4) and second.done == 4
    assert set(art(conn, user)) == {a["album"] for a in albums}
    assert server.traffic()["by_endpoint"].get("ws2/recording") == 6  # none asked twice


def test_a_503_with_a_long_retry_after_pauses_the_run_and_loses_nothing(server, history, tmp_path):
    conn, user, albums = history
    store = ImageStore(tmp_path / "images")
    first, _ = run(server, conn, user, store, stop_after=1)
    fault(server, status=503, path_prefix="/ws/2/recording", retry_after=120, times=1)
    paused, _ = run(server, conn, user, store)
    assert paused.paused_for == 120 and paused.cause == "rate_limited" and not paused.finished
    assert set(art(conn, user)) == {albums[0]["album"]}  # nothing recorded as "none"
    resumed, _ = run(server, conn, user, store)
    assert resumed.finished and len(art(conn, user)) == 6


def test_spotify_album_images_come_first_and_only_from_allowed_hosts(server, history, tmp_path):
    conn, user, albums = history
    cat = server.catalogue
    group = next(g for g in cat.release_groups.values() if g.cover_image_id)
    spotify_url = f"{server.url}/release/{group.release_id}/{group.cover_image_id}-250.png"
    with transaction(conn):
        conn.execute(
            "UPDATE albums SET image_url = ? WHERE name = ?", (spotify_url, albums[0]["album"])
        )
        conn.execute(
            "UPDATE albums SET image_url = ? WHERE name = ?",  # not Spotify's CDN
            ("http://localhost:9/internal.png", albums[1]["album"]),
        )
    summary, _ = run(server, conn, user, ImageStore(tmp_path / "images"), image_hosts=LOOPBACK)
    found = art(conn, user)
    assert found[albums[0]["album"]] == (image_key(cover_png(group.cover_image_id, 250)), "spotify")
    assert found[albums[1]["album"]][1] == "coverartarchive"
    assert (summary.albums_from_spotify, summary.albums_from_coverart) == (1, 3)
    assert server.traffic()["by_endpoint"].get("ws2/recording") == 5


HOSTILE = {
    "/page.png": ("text/html", b"<!doctype html><script>alert(1)</script>"),
    "/drawing.png": ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>'),
    "/typed.png": ("image/png", b"<html><body>not a picture</body></html>"),
    "/bomb.png": ("image/png", png_declaring(60_000, 60_000)),
}


@pytest.fixture
def hostile() -> Iterator[str]:
    """A server answering "pictures" that are not: HTML, SVG, HTML sent as a PNG, and a
    real PNG header declaring 60,000 x 60,000 pixels."""

    def app(environ, start_response):
        kind, body = HOSTILE.get(environ["PATH_INFO"], ("text/plain", b"?"))
        return Response(body, content_type=kind)(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_hostile_pictures_are_refused_and_nothing_is_kept(server, history, hostile, tmp_path):
    conn, user, _albums = history
    with transaction(conn):
        ids = [
            r[0]
            for r in conn.execute("SELECT id FROM artists WHERE user_id = ? ORDER BY id", (user,))
        ]
        for artist_id, path in zip(ids, HOSTILE, strict=False):
            conn.execute(
                "UPDATE artists SET image_url = ? WHERE id = ?", (hostile + path, artist_id)
            )
    store = ImageStore(tmp_path / "images")
    summary, _ = run(server, conn, user, store, image_hosts=LOOPBACK)
    assert summary.finished and summary.rejected == 4
    assert (summary.artists_total, summary.artists_found, summary.artists_none) == (4, 0, 4)
    assert (
        conn.execute("SELECT COUNT(*) FROM artist_art WHERE image_key IS NOT NULL").fetchone()[0]
        == 0
    )
    stored = {p.name.split("-")[0] for p in store.root.rglob("*.webp")}
    assert stored == {key for key, _ in art(conn, user).values() if key}  # covers only
    assert not list(store.root.rglob("*.tmp"))


def test_artist_words_compare_names_as_a_person_would():
    assert artist_words("The Tide & Moths") == artist_words("Tide and Moths")
    assert artist_words("Beyoncé") == artist_words("BEYONCE")
    assert artist_words("The The") == ("the",)
    assert artist_words("Tide of Moths") != artist_words("Tide of Moths Revival")


def test_only_http_addresses_on_listed_hosts_are_fetched():
    hosts = ("i.scdn.co", "*.spotifycdn.com")
    assert host_allowed("https://i.scdn.co/image/ab67", hosts)
    assert host_allowed("https://image-cdn-ak.spotifycdn.com/image/x", hosts)
    for url in (
        "https://i.scdn.co.evil.example/x",
        "file:///etc/passwd",
        "https://spotifycdn.com.x/",
        "https://evilspotifycdn.com/x",
        "ftp://i.scdn.co/x",
        "//i.scdn.co/x",
    ):
        assert not host_allowed(url, hosts), url

"""Pictures are served by the app itself, and no page points the browser anywhere else."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from factories import add_plays, give_album_picture, picture, sign_in
from PIL import Image
from web_client import csrf

from music_time_machine.db import transaction
from music_time_machine.db.artwork import save_artist_art
from music_time_machine.db.users import create_user
from music_time_machine.metadata.image_store import ImageStore

TODAY = datetime.now(UTC).date()
SPOTIFY_CDN = "https://i.scdn.co/image/ab67616d00001e02aaaaaaaaaaaaaaaaaaaaaaaa"


class Images(HTMLParser):
    """Every ``<img>`` of a page, with its attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "img":
            self.found.append(dict(attrs))


def images_of(html: str) -> list[dict]:
    parser = Images()
    parser.feed(html)
    return parser.found


@pytest.fixture
def pictured(app, conn, local_user) -> dict:
    """Twelve songs on twelve albums, pictures for the even albums and for Artist 0; every
    album and artist also has the Spotify CDN address a sync would have stored."""
    day = TODAY - timedelta(days=2)
    rows = [
        (
            f"Artist {n}",
            f"Song {n}",
            f"{day} {h:02d}:00:00",
            200_000,
            {"album": f"Album {n}", "uri": f"spotify:track:{n:022d}"},
        )
        for n in range(12)
        for h in range(12 - n)
    ]
    add_plays(conn, local_user, rows)
    with transaction(conn):
        conn.execute("UPDATE albums SET image_url = ?", (SPOTIFY_CDN,))
        conn.execute("UPDATE artists SET image_url = ?", (SPOTIFY_CDN,))
    data_dir = app.config["MTM_DATA_DIR"]
    keys = {
        n: give_album_picture(
            conn, local_user, data_dir, f"Album {n}", picture(200, 200, colour=(n * 20, 90, 160))
        )
        for n in range(0, 12, 2)
    }
    artist_key = ImageStore.in_data_dir(data_dir).put(picture(90, 120, colour=(9, 9, 9)))
    with transaction(conn):
        artist = conn.execute("SELECT id FROM artists WHERE name = 'Artist 0'").fetchone()[0]
        save_artist_art(conn, local_user, artist, artist_key, "spotify")
    return {"albums": keys, "artist": artist_key}


def test_a_picture_is_served_by_the_app_as_webp_cached_for_a_year(client, pictured):
    for size in (64, 300):
        response = client.get(f"/images/{pictured['artist']}-{size}.webp")
        assert response.status_code == 200
        assert response.mimetype == "image/webp"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        cache = {p.strip() for p in response.headers["Cache-Control"].split(",")}
        assert {"max-age=31536000", "immutable", "private"} <= cache
        image = Image.open(io.BytesIO(response.data))
        assert (image.format, image.size) == ("WEBP", (size, size))


def test_names_that_are_not_one_of_the_users_pictures_are_404(app, client, conn, pictured):
    key = pictured["artist"]
    other = create_user(conn, "Other", "UTC")
    their_key = give_album_picture(
        conn, other, app.config["MTM_DATA_DIR"], data=picture(50, 50, colour=(1, 200, 3))
    )
    for path in (
        f"/images/{key}-65.webp",
        f"/images/{key[:-1]}-64.webp",
        f"/images/{key.upper()}-64.webp",
        f"/images/{'0' * 32}-64.webp",
        f"/images/{their_key}-64.webp",
        "/images/..%2f..%2fsecret_key-64.webp",
    ):
        assert client.get(path).status_code == 404, path
    other_client = app.test_client()
    sign_in(other_client, other)
    assert other_client.get(f"/images/{their_key}-64.webp").status_code == 200  # the control
    assert other_client.get(f"/images/{key}-64.webp").status_code == 404


def pages(client) -> dict[str, str]:
    token = csrf(client, "/playlists")
    form = {"csrf_token": token, "source": "current_rotation", "size": "12", "action": "preview"}
    found = {
        path: client.get(path).get_data(as_text=True)
        for path in ("/", "/analytics", "/analytics?range=all", "/playlists", "/settings")
    }
    found["POST /playlists"] = client.post("/playlists", data=form).get_data(as_text=True)
    found["POST /api/playlists/preview"] = client.post(
        "/api/playlists/preview", data=form, headers={"X-CSRFToken": token}
    ).get_json()["html"]
    return found


def test_every_picture_on_every_page_comes_from_the_app(client, pictured):
    shown = 0
    for name, html in pages(client).items():
        assert "scdn.co" not in html, name
        for img in images_of(html):
            src = img["src"]
            assert src.startswith("/") and not src.startswith("//"), (name, src)
            assert client.get(src).status_code == 200, (name, src)
            assert "alt" in img and img["width"] and img["height"], (name, img)
            if src.startswith("/images/"):  # the artwork macro's pictures
                assert img["loading"] == "lazy" and img["width"] == img["height"], (name, img)
                shown += 1
    assert shown >= 15  # the check did not pass by finding no pictures


def test_items_without_a_picture_get_a_placeholder_of_the_same_size(client, pictured):
    html = client.get("/analytics?range=all").get_data(as_text=True)
    rows = html.split('id="track-rows"')[1].split("</tbody>")[0]
    assert rows.count('<img class="art art-40"') == 5  # the top 10: songs 0 to 9
    assert rows.count('<span class="art art-40 art-none" aria-hidden="true">') == 5
    home = client.get("/").get_data(as_text=True)
    assert 'class="art art-120"' in home  # the top track's cover, large


def test_top_lists_in_the_api_name_same_origin_pictures(client, pictured):
    tracks = client.get("/api/stats/top-tracks?range=all&limit=12").get_json()["items"]
    by_name = {t["name"]: t for t in tracks}
    for n in range(12):
        item = by_name[f"Song {n}"]
        if n % 2:
            assert item["image"] is None and item["image_large"] is None
        else:
            key = pictured["albums"][n]
            assert (item["image"], item["image_large"]) == (
                f"/images/{key}-64.webp",
                f"/images/{key}-300.webp",
            )
        assert "image_key" not in item
    artists = client.get("/api/stats/top-artists?range=all&limit=12").get_json()["items"]
    assert {a["name"]: a["image"] for a in artists if a["image"]} == {
        "Artist 0": f"/images/{pictured['artist']}-64.webp"
    }


@pytest.mark.fake_spotify
def test_the_spotify_account_shows_initials_not_spotifys_picture(client, conn, local_user):
    from spotify_helpers import connect_via_app

    assert connect_via_app(client).status_code == 302
    stored = conn.execute("SELECT image_url FROM spotify_accounts").fetchone()[0]
    assert stored and "/_fake/images/" in stored  # Spotify (the fake) did send one
    html = client.get("/settings").get_data(as_text=True)
    assert stored not in html and "/_fake/" not in html
    assert 'class="avatar avatar-initials"' in html
    assert all(img["src"].startswith("/") for img in images_of(html))


class Links(HTMLParser):
    """The ``href`` and text of every link inside the element with ``id`` (a Home card)."""

    def __init__(self, section_id: str) -> None:
        super().__init__()
        self.section_id, self.depth, self.href = section_id, 0, None
        self.found: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attrs = dict(attrs)
        if tag == "section" and attrs.get("aria-labelledby") == self.section_id:
            self.depth = 1
        elif self.depth and tag == "section":
            self.depth += 1
        if self.depth and tag == "a":
            self.href = attrs.get("href")

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "section":
            self.depth -= 1
        if tag == "a":
            self.href = None

    def handle_data(self, data: str) -> None:
        if self.depth and self.href and data.strip():
            self.found.append((data.strip(), self.href))


def links_in(html: str, section_id: str) -> dict[str, str]:
    parser = Links(section_id)
    parser.feed(html)
    return dict(parser.found)


def test_on_repeat_cards_link_names_to_their_pages(client, conn, pictured):
    html = client.get("/").get_data(as_text=True)
    ids = {name: i for i, name in conn.execute("SELECT id, name FROM artists")}
    tracks = {name: i for i, name in conn.execute("SELECT id, name FROM tracks")}
    artists = links_in(html, "top-artists-now-title")
    assert artists["Artist 0"] == f"/artists/{ids['Artist 0']}"  # the lead, with its picture
    assert artists["Artist 4"] == f"/artists/{ids['Artist 4']}"  # one of the list below
    songs = links_in(html, "top-tracks-now-title")
    assert songs["Song 0"] == f"/tracks/{tracks['Song 0']}"
    assert songs["Song 3"] == f"/tracks/{tracks['Song 3']}"
    assert songs["Artist 3"] == f"/artists/{ids['Artist 3']}"  # the track's artist too


def test_settings_shows_where_the_artwork_stands(client, conn, local_user, pictured):
    from music_time_machine.db.artwork import save_album_art

    with transaction(conn):  # Album 1 was looked for: none found
        album = conn.execute("SELECT id FROM albums WHERE name = 'Album 1'").fetchone()[0]
        save_album_art(conn, local_user, album, None, None)
    html = client.get("/settings").get_data(as_text=True)
    # 6 covers + Artist 0's picture; Album 1; 5 albums and 11 pictured artists not yet asked
    for key, value in (("found", 7), ("none", 1), ("to_look_up", 16)):
        assert f'<dd data-artwork="{key}">{value}</dd>' in html, key
    status = client.get("/api/enrich").get_json()["artwork"]
    assert (status["found"], status["none"], status["to_look_up"]) == (7, 1, 16)

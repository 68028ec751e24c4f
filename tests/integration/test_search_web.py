"""The search page (no JavaScript needed), the suggestions API, the header box on every
page, and hostile input through HTTP."""

import pytest
from factories import add_plays


@pytest.fixture
def played(conn, local_user):
    add_plays(
        conn,
        local_user,
        [
            ("Björk", "Jóga", f"2024-01-01 10:{m:02d}:00", 200_000, {"album": "Homogenic"})
            for m in range(3)
        ]
        + [
            ("Beyoncé", "Halo", "2024-01-02 10:00:00", 200_000, {"album": "I Am... Sasha Fierce"}),
            ("Bjørn Again", "Waterloo", "2024-01-03 10:00:00", 200_000),
        ],
    )
    return local_user


def test_the_search_page_links_results_ranked_by_plays(client, conn, played):
    page = client.get("/search?q=BJO")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    bjork, bjorn = (
        conn.execute("SELECT id FROM artists WHERE name = ?", (n,)).fetchone()[0]
        for n in ("Björk", "Bjørn Again")
    )
    assert html.index(f'href="/artists/{bjork}"') < html.index(f'href="/artists/{bjorn}"')
    track = conn.execute("SELECT id FROM tracks WHERE name = 'Jóga'").fetchone()[0]
    album = conn.execute("SELECT id FROM albums WHERE name = 'Homogenic'").fetchone()[0]
    assert f'href="/tracks/{track}"' in html and "3 plays" in html
    homogenic = client.get("/search?q=homogen").get_data(as_text=True)
    assert f'href="/albums/{album}"' in homogenic


def test_an_item_with_only_short_plays_says_no_counted_play_not_0_plays(client, conn, played):
    """A stream under the play rule's threshold is kept but not counted: "no counted play",
    as the item's own page says, rather than a bare "0 plays"."""
    add_plays(conn, played, [("Skippy", "Brief", "2024-01-04 10:00:00", 5_000)])
    html = client.get("/search?q=skip").get_data(as_text=True)
    entry = html[html.index("Skippy") :]
    assert "no counted play" in entry[: entry.index("</li>")]
    assert "0 plays" not in html


def test_the_api_suggests_each_kind_with_links(client, played):
    body = client.get("/api/search?q=beyon").get_json()
    assert [a["name"] for a in body["results"]["artist"]] == ["Beyoncé"]
    track = body["results"]["track"][0]
    assert (track["name"], track["artists"], track["plays"]) == ("Halo", ["Beyoncé"], 1)
    assert track["url"] == f"/tracks/{track['id']}"
    assert client.get("/api/search?q=b&limit=1").get_json()["results"]["artist"] == [
        client.get("/api/search?q=bjork").get_json()["results"]["artist"][0]
    ]


@pytest.mark.parametrize(
    "q", ['"', "NEAR(a b)", "a OR b", "*", "bj*rk", "%00", "'; DROP", "\x07\x1b", "^", ":", "(("]
)
def test_hostile_queries_answer_200(client, played, q):
    assert client.get("/api/search", query_string={"q": q}).status_code == 200
    assert client.get("/search", query_string={"q": q}).status_code == 200


def test_overlong_queries_are_a_clear_400(client, played):
    q = "a" * 10_000
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code == 400
    assert api.get_json()["error"] == "q: must be at most 200 characters"
    page = client.get("/search", query_string={"q": q})
    assert page.status_code == 400
    assert "q: must be at most 200 characters" in page.get_data(as_text=True)
    assert client.get("/api/search?q=a&limit=0").status_code == 400


def test_every_signed_in_page_has_the_search_box(client, played):
    for path in ("/", "/analytics", "/playlists", "/settings", "/search"):
        html = client.get(path).get_data(as_text=True)
        assert 'role="search" method="get" action="/search"' in html, path
        assert 'name="q"' in html


def test_a_restored_backup_is_searchable(app, client, conn, played, tmp_path):
    """Backups leave the index out; the restoring database's triggers rebuild it."""
    from music_time_machine.db import connect
    from music_time_machine.db.migrate import migrate
    from music_time_machine.db.search import search_catalogue
    from music_time_machine.db.userdata import backup_user
    from music_time_machine.db.users import ensure_local_user
    from music_time_machine.importers.restore import restore_backup

    path = tmp_path / "backup.sqlite"
    backup_user(app.config["DATABASE"], played, path)
    other = connect(tmp_path / "other.sqlite")
    migrate(other)
    user = ensure_local_user(other, "UTC")
    assert restore_backup(other, user, path).ok
    found = search_catalogue(other, user, ["bjork"], 5)
    assert [f.name for f in found["artist"]] == ["Björk"]
    assert found["track"][0].plays == 3
    other.close()

"""The Playlist Manager without Spotify: form, preview, validation, CSRF, take-along."""

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from factories import add_plays
from web_client import csrf, csrf_headers

TODAY = datetime.now(UTC).date()


@pytest.fixture
def history(conn, local_user):
    rows = []
    for n in range(12):
        day = TODAY - timedelta(days=3)
        uri = f"spotify:track:{n:022d}"
        rows += [
            (f"Artist {n}", f"Song {n}", f"{day} {h:02d}:00:00", 200_000, {"uri": uri})
            for h in range(12 - n)
        ]
    rows.append(("Old Artist", "No Link", f"{TODAY - timedelta(days=2)} 10:00:00", 200_000))
    add_plays(conn, local_user, rows)
    return local_user


def form(client, **fields):
    return {
        "csrf_token": csrf(client, "/playlists"),
        "source": "current_rotation",
        "size": "10",
        **fields,
    }


def test_the_page_shows_the_form_and_says_spotify_is_not_connected(client):
    html = client.get("/playlists").get_data(as_text=True)
    assert 'name="source"' in html and "Forgotten gems" in html and "Melancholic" in html
    assert "Spotify is not connected" in html
    assert 'value="preview"' in html


def test_preview_without_javascript_lists_tracks_and_writes_nothing(client, conn, history):
    response = client.post("/playlists", data=form(client, action="preview"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.index("Song 0") < html.index("Song 1") < html.index("Song 9")
    assert "Song 10" not in html  # size 10
    assert "played 12× in the last 4 weeks" in html
    assert "Score: your play history" in html
    assert "spotify:track:" + "0" * 22 in html  # take-along URIs
    assert conn.execute("SELECT COUNT(*) FROM playlists").fetchone()[0] == 0


def test_invalid_choices_re_render_the_form_with_errors(client, history):
    response = client.post("/playlists", data=form(client, size="500", action="create"))
    assert response.status_code == 400
    # Named as the form labels the field ("Number of tracks"), not by its key.
    assert "The number of tracks must be between 10 and 100" in response.get_data(as_text=True)


def test_creating_when_not_connected_explains_and_keeps_the_preview(client, history):
    response = client.post("/playlists", data=form(client, action="create"))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Connect Spotify in Settings" in html
    assert "Song 0" in html and "Download CSV" in html


def test_empty_history_gives_a_helpful_message_not_an_empty_playlist(client, local_user):
    html = client.post("/playlists", data=form(client, action="preview")).get_data(as_text=True)
    assert "no listening history yet" in html
    assert "Preview:" not in html


def test_json_preview_needs_the_csrf_header(client, history):
    assert client.post("/api/playlists/preview", json={"source": "chill"}).status_code == 400
    bad = client.post("/api/playlists/preview", json={"source": "chill"})
    assert "error" in bad.get_json()
    ok = client.post(
        "/api/playlists/preview",
        json={"source": "current_rotation", "size": 10},
        headers=csrf_headers(client, "/playlists"),
    )
    assert ok.status_code == 200
    data = ok.get_json()
    assert [t["title"] for t in data["tracks"]][:2] == ["Song 0", "Song 1"]
    assert data["name"] == f"Current rotation — {TODAY:%B %Y}"
    assert "Preview: Current rotation" in data["html"]


def test_json_errors_are_json_with_fitting_statuses(client, local_user):
    headers = csrf_headers(client, "/playlists")
    bad = client.post("/api/playlists/preview", json={"source": "nope"}, headers=headers)
    assert bad.status_code == 400 and "Choose a mood" in bad.get_json()["error"]
    empty = client.post("/api/playlists/preview", json={"source": "workout"}, headers=headers)
    assert empty.status_code == 422 and "no listening history" in empty.get_json()["error"]


def test_json_create_when_not_connected_is_409(client, history):
    response = client.post(
        "/api/playlists",
        json={"source": "current_rotation"},
        headers=csrf_headers(client, "/playlists"),
    )
    assert response.status_code == 409
    assert "not connected" in response.get_json()["error"]


def test_csv_download_works_without_spotify(client, history):
    response = client.get("/playlists/preview.csv?source=current_rotation&size=10")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0].startswith("position,title,artist")
    assert lines[1].startswith("1,Song 0,Artist 0")
    assert len(lines) == 11


def test_csv_download_quotes_formula_like_names(client, conn, local_user):
    day = TODAY - timedelta(days=3)
    add_plays(
        conn,
        local_user,
        [
            (
                "-1+1",
                '=HYPERLINK("http://x")',
                f"{day} {h:02d}:00:00",
                200_000,
                {"uri": "spotify:track:" + "7" * 22},
            )
            for h in range(3)
        ],
    )
    text = client.get("/playlists/preview.csv?source=current_rotation&size=10").get_data(
        as_text=True
    )
    row = next(csv.reader(io.StringIO(text.splitlines()[1])))
    assert row[:3] == ["1", '\'=HYPERLINK("http://x")', "'-1+1"]


def test_tracks_without_a_link_are_shown_as_skipped_in_the_preview(client, history):
    html = client.post(
        "/playlists", data=form(client, action="preview", size="20", per_artist="5")
    ).get_data(as_text=True)
    assert "No Link" in html and "no Spotify link: will be skipped" in html


def test_another_users_playlist_is_not_found(client, local_user):
    response = client.get("/playlists/12345")
    assert response.status_code == 404
    assert "There is no such playlist." in response.get_data(as_text=True)  # said, in the page

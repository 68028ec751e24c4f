"""The top-genres answer says when its "other genres" would outweigh every genre shown
(``long_tail``), so no page draws a doughnut whose biggest slice is "other"; and the
Analytics page says so in words (issue #17). Counts come from plays made here, by hand."""

from __future__ import annotations

from factories import add_plays, genre_plays


def top_genres(client) -> dict:
    return client.get("/api/stats/top-genres?range=all&limit=8").get_json()


def test_twenty_equal_genres_are_a_long_tail(client, conn, local_user):
    add_plays(conn, local_user, genre_plays({f"genre {n:02d}": 3 for n in range(20)}))
    found = top_genres(client)
    # 8 genres of 3 plays shown (5% each); the other 12 are 36 of 60 plays: 60%.
    assert [g["share"] for g in found["items"]] == [0.05] * 8
    assert round(found["other_share"], 4) == 0.6
    assert found["long_tail"] is True
    page = client.get("/analytics?range=all").get_data(as_text=True)
    assert "Your genres have a long tail: the other 60% is spread over smaller genres" in page


def test_a_few_big_genres_keep_their_doughnut(client, conn, local_user):
    spread = {"rock": 30, "jazz": 20} | {f"genre {n:02d}": 1 for n in range(10)}
    add_plays(conn, local_user, genre_plays(spread))
    found = top_genres(client)
    assert found["items"][0]["genre"] == "rock"
    assert round(found["other_share"], 4) == round(4 / 60, 4)  # 4 one-play genres left over
    assert found["long_tail"] is False
    page = client.get("/analytics?range=all").get_data(as_text=True)
    assert "data-genre-tail hidden" in page


def test_no_known_genre_is_no_tail(client, conn, local_user):
    add_plays(conn, local_user, [("Nobody", "Song", "2025-06-01 10:00:00", 200_000)])
    assert top_genres(client)["long_tail"] is False

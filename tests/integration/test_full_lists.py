"""Full top lists (every page, both sorts, any range) and top albums against an independent
computation from the raw plays, in a zone with DST; bad page/sort; the no-JS list page."""

import math
import random
import re
from collections import defaultdict
from datetime import date, timedelta
from html import unescape
from urllib.parse import parse_qsl

import pytest
from test_stats_api import Oracle

from music_time_machine.db.users import update_settings
from music_time_machine.demo import generate_demo


class ListOracle(Oracle):
    """Adds every item's plays and minutes in a range, ranked both ways. An album's songs
    are the tracks whose ``album_id`` names it (the mapping top_albums documents)."""

    def __init__(self, conn, user_id):
        super().__init__(conn, user_id)
        self.album_of = dict(
            conn.execute("SELECT id, album_id FROM tracks WHERE album_id IS NOT NULL")
        )
        self.album_name = dict(conn.execute("SELECT id, name FROM albums"))

    def full(self, what, start, end, sort):
        """Minutes of every stream, plays counted by the play rule, items with a play."""
        item_plays, item_ms = defaultdict(int), defaultdict(int)
        for r in self.within(start, end):
            track = r[4]
            keys = {
                "tracks": [track],
                "artists": self.artists[track],
                "albums": [self.album_of[track]] if track in self.album_of else [],
            }[what]
            for key in keys:
                item_plays[key] += r[3]
                item_ms[key] += r[2]
        item_plays = {k: p for k, p in item_plays.items() if p}
        if sort == "plays":
            order = sorted(item_plays, key=lambda k: (-item_plays[k], -item_ms[k], k))
        else:
            order = sorted(item_plays, key=lambda k: (-item_ms[k], -item_plays[k], k))
        names = {"tracks": self.track_name, "artists": self.artist_name, "albums": self.album_name}[
            what
        ]
        return [(k, names[k], item_plays[k], round(item_ms[k] / 60000, 1)) for k in order]


@pytest.fixture
def oracle(conn, local_user):
    update_settings(conn, local_user, timezone="America/New_York")
    generate_demo(conn, local_user, plays=3000, seed=23, years=2.0)
    return ListOracle(conn, local_user)


def walk(client, what, query, sort, per_page):
    """Every page of a list through the API: (items, total, pages)."""
    first = client.get(f"/api/stats/top-{what}?{query}&sort={sort}&limit={per_page}")
    assert first.status_code == 200, first.get_json()
    body = first.get_json()
    items = body["items"]
    for page in range(2, body["pages"] + 1):
        more = client.get(
            f"/api/stats/top-{what}?{query}&sort={sort}&limit={per_page}&page={page}"
        ).get_json()
        assert (more["page"], more["total"]) == (page, body["total"])
        items += more["items"]
    return items, body


def test_every_page_of_every_list_matches_the_independent_computation(client, oracle):
    days = sorted(r[0] for r in oracle.rows)
    first, last = days[0], days[-1]
    rnd = random.Random(3)
    queries = ["range=all", "range=12m", "range=30d", f"range={last.year - 1}"]
    for span in (9, 45, 200):
        a = first + timedelta(days=rnd.randint(0, (last - first).days - span))
        queries.append(f"start={a.isoformat()}&end={(a + timedelta(days=span)).isoformat()}")
    # Short ranges around the last spring and autumn DST changes (New York: the second
    # Sunday of March, the first of November).
    for month, sunday in ((3, 2), (11, 1)):
        year = last.year if date(last.year, month, 15) < last else last.year - 1
        change = [d for d in (date(year, month, n) for n in range(1, 15)) if d.weekday() == 6][
            sunday - 1
        ]
        queries.append(
            f"start={(change - timedelta(days=1)).isoformat()}"
            f"&end={(change + timedelta(days=1)).isoformat()}"
        )
    checked = 0
    for query in queries:
        answer = client.get(f"/api/stats/summary?{query}").get_json()
        start, end = date.fromisoformat(answer["start"]), date.fromisoformat(answer["end"])
        for what in ("artists", "tracks", "albums"):
            for sort in ("plays", "time"):
                expected = oracle.full(what, start, end, sort)
                per_page = rnd.choice([7, 50, 100])
                items, body = walk(client, what, query, sort, per_page)
                assert [
                    (i["id"], i["name"], i["plays"], i["minutes"]) for i in items
                ] == expected, (query, what, sort)
                assert [i["rank"] for i in items] == list(range(1, len(expected) + 1))
                assert body["total"] == len(expected)
                assert body["pages"] == max(1, math.ceil(len(expected) / per_page))
                checked += bool(expected)
    assert checked >= 30


def test_top_albums_on_analytics_match_the_independent_computation(client, oracle):
    last = max(r[0] for r in oracle.rows)
    custom = f"start={(last - timedelta(days=100)).isoformat()}&end={last.isoformat()}"
    for query in ("range=all", "range=12m", custom):
        answer = client.get(f"/api/stats/top-albums?{query}").get_json()
        start, end = date.fromisoformat(answer["start"]), date.fromisoformat(answer["end"])
        expected = oracle.full("albums", start, end, "plays")[:10]
        assert expected
        assert [(a["name"], a["plays"], a["minutes"]) for a in answer["items"]] == [
            (name, p, m) for _k, name, p, m in expected
        ]
        page = client.get(f"/analytics?{query}").get_data(as_text=True)
        rows = re.search(r'<tbody id="album-rows">(.*?)</tbody>', page, re.S).group(1)
        for album_id, _name, plays, _m in expected:
            assert f'href="/albums/{album_id}"' in rows
            assert f"{plays:,}" in rows
        assert ("albums", dict(parse_qsl(query))) in links_in(page)


def links_in(html):
    """(list, query) of every link to a full list on a page."""
    return [
        (what, dict(parse_qsl(unescape(query))))
        for what, query in re.findall(r'href="/analytics/top/(\w+)\?([^"]*)"', html)
    ]


def test_the_list_page_pages_and_sorts_with_plain_links(client, oracle):
    expected = oracle.full("tracks", date(1900, 1, 1), date(2100, 1, 1), "time")
    assert len(expected) > 60
    page = client.get("/analytics/top/tracks?range=all&sort=time&page=2")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    rows = re.findall(r'<tr><td>(\d+)</td>\s*<td><a class="track" href="/tracks/(\d+)"', html)
    assert [(int(r), int(t)) for r, t in rows] == [
        (51 + i, e[0]) for i, e in enumerate(expected[50:100])
    ]
    pages = math.ceil(len(expected) / 50)
    assert f"Page 2 of {pages}" in html
    links = links_in(html)
    assert ("tracks", {"range": "all", "sort": "time", "page": "1"}) in links
    assert ("tracks", {"range": "all", "sort": "time", "page": "3"}) in links
    assert ("tracks", {"range": "all", "sort": "time", "page": str(pages)}) in links
    assert ("tracks", {"range": "all", "sort": "plays"}) in links
    assert ("albums", {"range": "all", "sort": "time"}) in links
    last_year = max(r[0] for r in oracle.rows).year
    assert ("tracks", {"range": str(last_year - 1), "sort": "time"}) in links
    # The range form keeps the sort; the list keeps the range.
    assert '<input type="hidden" name="sort" value="time">' in html
    beyond = client.get(f"/analytics/top/tracks?range=all&page={pages + 1}")
    assert beyond.status_code == 200
    assert f"the list has {pages} pages" in beyond.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=%EF%BC%91", "page"),
        ("page=9999999", "page"),
        ("sort=name", "sort"),
        ("sort=PLAYS", "sort"),
        ("limit=101", "limit"),
        ("range=nope", "range"),
    ],
)
def test_bad_page_or_sort_is_a_400_naming_it(client, oracle, query, param):
    for what in ("artists", "tracks", "albums"):
        answer = client.get(f"/api/stats/top-{what}?{query}")
        assert answer.status_code == 400
        assert answer.get_json()["error"].startswith(f"{param}: ")
    page = client.get(f"/analytics/top/albums?{query}")
    if param != "limit":  # the page has a fixed size and ignores limit
        assert page.status_code == 400
        assert f"{param}: " in page.get_data(as_text=True)


def test_unknown_lists_are_404(client, oracle):
    assert client.get("/analytics/top/genres").status_code == 404
    assert client.get("/api/stats/top-playlists").status_code == 404

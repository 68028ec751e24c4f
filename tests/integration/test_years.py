"""Year in review and genre pages against an independent computation from the raw plays
(the stats API tests' Oracle: plain Python with zoneinfo, no rollups), in a DST zone; the
running year's "stuck" rule; the Top 50 playlist; hostile years and genre names."""

import re
from collections import defaultdict
from datetime import date, timedelta

import pytest
from factories import add_plays
from test_stats_api import Oracle
from web_client import csrf

from music_time_machine.db import years as year_queries
from music_time_machine.db.users import update_settings


class YearOracle(Oracle):
    """The review's own questions, from the Oracle's rows (local date, hour, ms, counted,
    track)."""

    def __init__(self, conn, user_id):
        super().__init__(conn, user_id)
        self.album = {
            t: (a, name)
            for t, a, name in conn.execute(
                "SELECT t.id, al.id, al.name FROM tracks t JOIN albums al ON al.id = t.album_id"
            )
        }

    def years(self):
        return sorted({r[0].year for r in self.rows if r[3]})

    def days(self, year):
        plays, ms = defaultdict(int), defaultdict(int)
        for day, _h, m, counted, _t in self.within(date(year, 1, 1), date(year, 12, 31)):
            plays[day] += counted
            ms[day] += m
        return plays, ms

    def streak(self, year):
        plays, _ = self.days(year)
        best, run, previous = (0, None, None), 0, None
        for day in sorted(d for d in plays if plays[d]):
            run = run + 1 if previous == day - timedelta(days=1) else 1
            previous = day
            if run > best[0]:
                best = (run, (day - timedelta(days=run - 1)).isoformat(), day.isoformat())
        return best

    def biggest_day(self, year):
        plays, ms = self.days(year)
        day = min((d for d in plays if plays[d]), key=lambda d: (-plays[d], -ms[d], d))
        return {"date": day.isoformat(), "plays": plays[day], "minutes": round(ms[day] / 60000, 1)}

    def month_leaders(self, year):
        plays, ms = defaultdict(int), defaultdict(int)
        for day, _h, m, counted, track in self.within(date(year, 1, 1), date(year, 12, 31)):
            for a in self.artists[track]:
                plays[(day.isoformat()[:7], a)] += counted
                ms[(day.isoformat()[:7], a)] += m
        leaders = {}
        for (month, a), p in plays.items():
            if p and (month not in leaders or (-p, -ms[(month, a)], a) < leaders[month][0]):
                leaders[month] = ((-p, -ms[(month, a)], a), self.artist_name[a], p)
        return {month: (name, p) for month, (_key, name, p) in leaders.items()}

    def albums(self, year, limit):
        plays, ms, names = defaultdict(int), defaultdict(int), {}
        for _d, _h, m, counted, track in self.within(date(year, 1, 1), date(year, 12, 31)):
            if track in self.album:
                album_id, name = self.album[track]
                plays[album_id] += counted
                ms[album_id] += m
                names[album_id] = name
        top = sorted((a for a in plays if plays[a]), key=lambda a: (-plays[a], -ms[a], a))
        return [(names[a], plays[a], round(ms[a] / 60000, 1)) for a in top[:limit]]

    def stuck(self, year):
        """Past years: discoveries of the year with a play in the next one."""
        found = [a for a, day in self.first_days().items() if day.year == year]
        next_year = {
            a
            for d, _h, _ms, counted, t in self.rows
            if counted and d.year == year + 1
            for a in self.artists[t]
        }
        return len(found), sum(a in next_year for a in found)


def test_every_year_matches_an_independent_computation(client, conn, demo_user):
    oracle = YearOracle(conn, demo_user)
    years = oracle.years()
    assert len(years) >= 3
    listed = client.get("/api/years").get_json()["years"]
    assert [y["year"] for y in listed] == years
    for year in years:
        first, last = date(year, 1, 1), date(year, 12, 31)
        body = client.get(f"/api/years/{year}").get_json()
        assert body["timezone"] == "America/New_York"
        summary = oracle.summary(first, last)
        assert {k: body["summary"][k] for k in summary} == summary, year
        plays, _ = oracle.days(year)
        assert body["summary"]["days_played"] == sum(1 for d in plays if plays[d])
        months = oracle.volume(first, last, "month")
        assert [m["period"] for m in body["months"]] == [f"{year}-{m:02d}" for m in range(1, 13)]
        assert [
            {k: m[k] for k in ("period", "plays", "minutes")} for m in body["months"]
        ] == months, year
        leaders = oracle.month_leaders(year)
        assert {
            m["period"]: (m["top_artist"]["name"], m["top_artist"]["plays"])
            for m in body["months"]
            if m["top_artist"]
        } == leaders, year
        best_month = min(
            (m for m in months if m["plays"]),
            key=lambda m: (-m["plays"], -m["minutes"], m["period"]),
        )
        assert body["biggest_month"]["period"] == best_month["period"]
        assert body["biggest_day"] == oracle.biggest_day(year)
        days, streak_first, streak_last = oracle.streak(year)
        assert body["streak"] == {"days": days, "first": streak_first, "last": streak_last}
        assert [
            (a["name"], a["plays"], a["minutes"]) for a in body["artists"]
        ] == oracle.top_artists(first, last, 10), year
        assert [
            (t["name"], t["artists"], t["plays"], t["minutes"]) for t in body["tracks"]
        ] == oracle.top_tracks(first, last, 10), year
        assert [(a["name"], a["plays"], a["minutes"]) for a in body["albums"]] == oracle.albums(
            year, 10
        ), year
        expected, unknown = oracle.genres(first, last, 10)
        assert [(g["genre"], g["plays"]) for g in body["genres"]["items"]] == [
            (g, p) for g, p, _ in expected
        ]
        assert body["genres"]["unknown_share"] == pytest.approx(unknown, abs=1e-4)
        found = body["discoveries"]
        first_days = oracle.first_days()
        assert found["artists"] == sum(d.year == year for d in first_days.values())
        assert found["tracks"] == oracle.new_tracks(first, last)
        if not found["running"]:
            assert (found["judged"], found["stuck"]) == oracle.stuck(year), year
        for item in found["items"]:
            assert first_days[item["id"]].isoformat() == item["first_play"]


def test_the_year_page_shows_the_numbers_and_every_month(client, conn, demo_user):
    oracle = YearOracle(conn, demo_user)
    year = oracle.years()[1]  # a whole year
    html = client.get(f"/years/{year}").get_data(as_text=True)
    summary = oracle.summary(date(year, 1, 1), date(year, 12, 31))
    assert f"{year} in review" in html
    assert f"{summary['plays']:,}" in html
    for month in ("January", "June", "December"):
        assert f'<th scope="row">{month}</th>' in html
    day = date.fromisoformat(oracle.biggest_day(year)["date"])
    assert f"{day:%a} {day.day} {day:%b %Y}" in html
    assert f"A new artist <em>stuck</em> if you played them again in {year + 1}." in html
    # The Top 50 playlist: one click to the Playlist Manager's preview.
    assert 'name="source" value="year"' in html and f'name="period" value="{year}"' in html
    # Charts and the share card read the embedded JSON; no inline script runs.
    assert '<script type="application/json" id="year-data">' in html
    assert "<script>" not in html and "onclick" not in html
    index = client.get("/years").get_data(as_text=True)
    assert all(f'href="/years/{y}"' in index for y in oracle.years())


def test_every_name_on_the_year_page_links_to_its_page(client, conn, demo_user):
    """Top artists, tracks (with their artists), albums, the highlights and each month's
    artist open their pages, the same links as everywhere else (one link macro)."""
    year = YearOracle(conn, demo_user).years()[1]
    review = client.get(f"/api/years/{year}").get_json()
    html = client.get(f"/years/{year}").get_data(as_text=True)
    links = re.findall(r'<a class="item-link[^"]*" href="(/(?:artists|tracks|albums)/\d+)"', html)
    expected = (
        [f"/artists/{a['id']}" for a in review["artists"]]
        + [f"/tracks/{t['id']}" for t in review["tracks"]]
        + [f"/artists/{i}" for t in review["tracks"] for i in t["artist_ids"]]
        + [f"/albums/{a['id']}" for a in review["albums"]]
        + [f"/artists/{m['top_artist']['id']}" for m in review["months"] if m["top_artist"]]
    )
    assert set(expected) <= set(links)
    top_artist, top_track = review["artists"][0], review["tracks"][0]
    facts = html[html.index("Artist of the year") : html.index("</dl>")]
    assert f'href="/artists/{top_artist["id"]}"' in facts
    assert f'href="/tracks/{top_track["id"]}"' in facts


@pytest.mark.parametrize(
    "path",
    [
        "/years/0",
        "/years/99999",
        "/years/1969",
        "/years/abc",
        "/years/-1",
        "/years/2024.5",
        "/years/%00",
        "/years/99999999999999999999999999",
        "/years/1e3",
        "/api/years/0",
        "/api/years/99999",
        "/api/years/text",
        "/api/years/99999999999999999999",
    ],
)
def test_hostile_or_empty_years_are_404_never_500(client, demo_user, path):
    response = client.get(path)
    assert response.status_code == 404, path
    if path.startswith("/api/"):
        assert "error" in response.get_json()
    if path in ("/years/1969", "/api/years/0"):  # a year of the right form, with no plays
        year = path.rsplit("/", 1)[1]
        said = response.get_json()["error"] if path.startswith("/api/") else response.text
        assert f"o plays in {year}" in said, said


def test_without_history_the_year_index_says_what_to_do(client, local_user):
    html = client.get("/years").get_data(as_text=True)
    assert "No years yet" in html
    assert client.get("/api/years").get_json() == {"years": []}
    response = client.get("/years/2024")
    assert response.status_code == 404
    assert "There are no plays yet: import your history" in response.text


def test_the_running_year_judges_only_discoveries_older_than_90_days(fresh_db):
    conn, user = fresh_db("running.sqlite", timezone="UTC")
    add_plays(
        conn,
        user,
        [
            ("Kept", "k1", "2026-01-10 12:00:00", 200_000),  # found in January ...
            ("Kept", "k2", "2026-11-20 12:00:00", 200_000),  # ... and played in the last 90 days
            ("Dropped", "d1", "2026-02-10 12:00:00", 200_000),  # found, never again
            ("Fresh", "f1", "2026-11-25 12:00:00", 200_000),  # found in the last 90 days
            ("Old", "o1", "2025-05-01 12:00:00", 200_000),  # found the year before
            ("Old", "o2", "2026-03-01 12:00:00", 200_000),
        ],
    )
    today = date(2026, 12, 1)
    found = year_queries.discoveries(conn, user, 2026, today, 10)
    assert (found["running"], found["artists"], found["judged"], found["stuck"]) == (True, 3, 2, 1)
    stuck = {item["name"]: item["stuck"] for item in found["items"]}
    assert stuck == {"Kept": True, "Dropped": False, "Fresh": None}
    # 2025 has ended: its one discovery ("Old") was played in 2026, so it stuck.
    past = year_queries.discoveries(conn, user, 2025, today, 10)
    assert (past["running"], past["artists"], past["judged"], past["stuck"]) == (False, 1, 1, 1)


def test_a_streak_crossing_the_new_year_counts_only_the_years_days():
    days = [(date(2024, 12, 30), 1, 1), (date(2024, 12, 31), 2, 1)]
    assert year_queries.longest_streak(days) == year_queries.Streak(
        2, date(2024, 12, 30), date(2024, 12, 31)
    )
    # A day of short streams only (no play) breaks a streak.
    gap = [
        (date(2024, 3, 1), 1, 1),
        (date(2024, 3, 2), 0, 9),
        (date(2024, 3, 3), 1, 1),
        (date(2024, 3, 4), 1, 1),
    ]
    assert year_queries.longest_streak(gap).days == 2
    assert year_queries.longest_streak([]) == year_queries.Streak(0, None, None)


def test_top_50_of_a_year_is_the_years_top_list_in_order(client, conn, demo_user):
    oracle = YearOracle(conn, demo_user)
    year = oracle.years()[1]
    token = csrf(client, "/")
    response = client.post(
        "/playlists",
        data={
            "csrf_token": token,
            "action": "preview",
            "source": "year",
            "period": str(year),
            "size": "50",
        },
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"Top 50 of {year}" in html
    expected = oracle.top_tracks(date(year, 1, 1), date(year, 12, 31), 50)
    api = client.post(
        "/api/playlists/preview",
        json={"source": "year", "period": str(year), "size": 50},
        headers={"X-CSRFToken": token},
    )
    tracks = api.get_json()["tracks"]
    assert [t["title"] for t in tracks] == [name for name, _a, _p, _m in expected]
    assert tracks[0]["why"].startswith(f"#1 of {year}: played")
    # No per-artist cap: the top list has an artist more than twice, and so does the playlist.
    firsts = [a[0] for _n, a, _p, _m in expected]
    assert max(firsts.count(a) for a in firsts) > 2


# -- genres -------------------------------------------------------------------------------


def _genre_plays(conn, user):
    add_plays(
        conn,
        user,
        [
            ("Ana", "a1", "2024-01-05 12:00:00", 200_000, {"genres": ["r&b", "soul"]}),
            ("Ana", "a2", "2024-01-06 12:00:00", 200_000, {"genres": ["r&b", "soul"]}),
            ("Bo", "b1", "2024-01-07 12:00:00", 200_000, {"genres": ["rnb"]}),
            ("Cy", "c1", "2024-03-01 12:00:00", 200_000, {"genres": ["soul"]}),
            ("Cy", "c1", "2024-03-02 12:00:00", 200_000, {"genres": ["soul"]}),
            ("Cy", "c1", "2024-03-03 12:00:00", 200_000, {"genres": ["soul"]}),
            ("Di & Ana", "duet", "2024-03-04 12:00:00", 200_000, {"genres": None}),
            ("Eve", "e1", "2024-03-31 22:30:00", 200_000, {"genres": []}),  # 1 April in Berlin
        ],
    )


def test_a_genre_page_matches_an_independent_computation(client, conn, local_user):
    update_settings(conn, local_user, timezone="Europe/Berlin")
    _genre_plays(conn, local_user)
    oracle = Oracle(conn, local_user)
    soul = {a for a, g in oracle.artist_genres.items() if "soul" in g}
    plays, everyone = defaultdict(int), defaultdict(int)
    for day, _h, _ms, counted, track in oracle.rows:
        for a in oracle.artists[track]:
            everyone[day.isoformat()[:7]] += counted
            if a in soul:
                plays[day.isoformat()[:7]] += counted
    body = client.get("/api/genres/soul").get_json()
    assert body["plays"] == sum(plays.values()) == 6
    assert [(m["period"], m["plays"], m["all_plays"]) for m in body["months"]] == [
        ("2024-01", 2, 3),
        ("2024-02", 0, 0),
        ("2024-03", 4, 5),
        ("2024-04", 0, 1),
    ]
    assert [m["share"] for m in body["months"]] == [round(2 / 3, 4), 0.0, 0.8, 0.0]
    assert [(m, plays[m]) for m in sorted(everyone)] == [
        (m["period"], m["plays"]) for m in body["months"] if m["all_plays"]
    ]
    # Ana and Cy tie on plays and minutes: the artist stored first leads, as in every list.
    assert [(a["name"], a["plays"]) for a in body["artists"]] == [("Ana", 3), ("Cy", 3)]
    assert body["first_play"] == {"date": "2024-01-05", "artist": body["first_play"]["artist"]}
    assert body["first_play"]["artist"]["name"] == "Ana"
    assert body["last_play"]["date"] == "2024-03-04"
    html = client.get("/genres/soul").get_data(as_text=True)
    assert "Share of your listening" in html and "Cy" in html
    # The year page links each genre to its page.
    assert 'href="/genres/soul"' in client.get("/years/2024").get_data(as_text=True)


@pytest.mark.parametrize(
    "name",
    ["r_b", "r%", "R&B", "soul ", "x" * 101, "%", "\\", "'; DROP TABLE artists; --", "rnb/x"],
)
def test_genre_names_match_exactly_and_hostile_ones_are_404(client, conn, local_user, name):
    _genre_plays(conn, local_user)
    response = client.get(f"/api/genres/{name}")
    assert response.status_code == 404, name
    assert "error" in response.get_json()
    assert client.get(f"/genres/{name}").status_code == 404


def test_genre_pages_say_honestly_when_no_genres_are_known(client, conn, local_user):
    add_plays(conn, local_user, [("Nobody", "n1", "2024-05-01 12:00:00", 200_000)])
    response = client.get("/genres/rock")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "No genres are known yet" in html and "none of your 1 played artists" in html
    body = client.get("/api/genres/rock").get_json()
    assert (body["artists"], body["artists_with_genres"]) == (1, 0)
    year = client.get("/years/2024").get_data(as_text=True)
    assert "No genres are known for the artists you played this year" in year


def test_a_genre_unknown_to_some_artists_points_to_the_known_ones(client, conn, local_user):
    _genre_plays(conn, local_user)
    html = client.get("/genres/polka").get_data(as_text=True)
    assert "None of your artists has this genre" in html
    assert "3 of your 5 played artists have known genres" in html

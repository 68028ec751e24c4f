"""The stats API against an independent computation from the raw plays (plain Python with
zoneinfo, no rollups), DST boundaries, time-zone changes, bad input, and the page."""

import json
import random
import re
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from conftest import DATA, SAMPLES
from factories import add_plays
from import_fixtures import need_samples
from markupsafe import escape
from oracle_helpers import clock_and_rule, track_artists
from web_client import page_data

from music_time_machine.db.recount import rebucket_user
from music_time_machine.db.stats import ListeningStats
from music_time_machine.db.users import update_settings
from music_time_machine.durations import duration as written_duration
from music_time_machine.timezones import LocalClock

# -- the independent computation --------------------------------------------------------

#: A day's bucket label: the day, its Monday-week or its month.
BUCKET_LABEL = {
    "day": date.isoformat,
    "week": lambda d: (d - timedelta(days=d.weekday())).isoformat(),
    "month": lambda d: d.isoformat()[:7],
}


class Oracle:
    """Every music stream of a user with its local date and hour, straight from plays."""

    def __init__(self, conn, user_id):
        tz, rule = clock_and_rule(conn, user_id)
        self.artists = track_artists(conn)
        self.artist_name, self.artist_genres = {}, {}
        for artist_id, name, genres in conn.execute("SELECT id, name, genres FROM artists"):
            self.artist_name[artist_id] = name
            parsed = json.loads(genres) if genres else []
            self.artist_genres[artist_id] = parsed
        self.track_name = dict(conn.execute("SELECT id, name FROM tracks"))
        self.rows = []
        for played_at, ms, reason_end, duration, track_id in conn.execute(
            "SELECT p.played_at, p.ms_played, p.reason_end, t.duration_ms, p.track_id "
            "FROM plays p JOIN tracks t ON t.id = p.track_id "
            "WHERE p.user_id = ? AND p.kind = 'music'",
            (user_id,),
        ):
            local = datetime.fromtimestamp(played_at / 1000, tz)
            self.rows.append(
                (local.date(), local.hour, ms, rule.counts(ms, reason_end, duration), track_id)
            )

    def within(self, start, end):
        return [r for r in self.rows if start <= r[0] <= end]

    def summary(self, start, end):
        rows = self.within(start, end)
        played = [r for r in rows if r[3]]
        return {
            "plays": len(played),
            "minutes": round(sum(r[2] for r in rows) / 60000, 1),
            "tracks": len({r[4] for r in played}),
            "artists": len({a for r in played for a in self.artists[r[4]]}),
        }

    def volume(self, start, end, bucket):
        label = BUCKET_LABEL[bucket]
        totals = {}
        day = start
        while day <= end:
            totals.setdefault(label(day), [0, 0])
            day += timedelta(days=1)
        for r in self.within(start, end):
            totals[label(r[0])][0] += r[3]
            totals[label(r[0])][1] += r[2]
        return [
            {"period": k, "plays": p, "minutes": round(ms / 60000, 1)}
            for k, (p, ms) in sorted(totals.items())
        ]

    def _ranked(self, start, end, keys):
        plays, ms = defaultdict(int), defaultdict(int)
        for r in self.within(start, end):
            for key in keys(r[4]):
                plays[key] += r[3]
                ms[key] += r[2]
        return (
            sorted((k for k in plays if plays[k]), key=lambda k: (-plays[k], -ms[k], k)),
            plays,
            ms,
        )

    def top_tracks(self, start, end, limit):
        order, plays, ms = self._ranked(start, end, lambda t: [t])
        return [
            (
                self.track_name[t],
                [self.artist_name[a] for a in self.artists[t]],
                plays[t],
                round(ms[t] / 60000, 1),
            )
            for t in order[:limit]
        ]

    def top_artists(self, start, end, limit):
        order, plays, ms = self._ranked(start, end, lambda t: self.artists[t])
        return [(self.artist_name[a], plays[a], round(ms[a] / 60000, 1)) for a in order[:limit]]

    def genres(self, start, end, limit):
        genre_plays, unknown, total = defaultdict(int), 0, 0
        for r in self.within(start, end):
            for a in self.artists[r[4]]:
                total += r[3]
                if not self.artist_genres[a]:
                    unknown += r[3]
                for g in self.artist_genres[a]:
                    genre_plays[g] += r[3]
        attributed = sum(genre_plays.values())
        top = sorted(
            (g for g in genre_plays if genre_plays[g]), key=lambda g: (-genre_plays[g], g)
        )[:limit]
        return (
            [(g, genre_plays[g], genre_plays[g] / attributed) for g in top],
            unknown / total if total else 0.0,
        )

    def heatmap(self, start, end):
        cells = [[0] * 24 for _ in range(7)]
        for day, hour, _ms, counted, _t in self.within(start, end):
            cells[day.weekday()][hour] += counted
        return cells

    def discoveries(self, start, end):
        """New artists per bucket, which follows the range's length like the volume's:
        days up to 92 days, Monday-weeks up to 731, months beyond."""
        days = (end - start).days + 1
        label = BUCKET_LABEL["day" if days <= 92 else "week" if days <= 731 else "month"]
        months = defaultdict(int)
        for day in self.first_days().values():
            if start <= day <= end:
                months[label(day)] += 1
        return months

    def first_days(self):
        """Each artist's first day with a counted play (ever)."""
        first = {}
        for day, _h, _ms, counted, track in sorted(self.rows):
            if counted:
                for a in self.artists[track]:
                    first.setdefault(a, day)
        return first

    def new_tracks(self, start, end):
        """Tracks whose first counted play (ever) falls in the range."""
        first = {}
        for day, _h, _ms, counted, track in sorted(self.rows):
            if counted:
                first.setdefault(track, day)
        return sum(start <= day <= end for day in first.values())

    def most_consistent_artist(self, start, end):
        days, plays = defaultdict(set), defaultdict(int)
        for day, _h, _ms, counted, track in self.within(start, end):
            if counted:
                for a in self.artists[track]:
                    days[a].add(day)
                    plays[a] += 1
        if not days:
            return None
        best = min(days, key=lambda a: (-len(days[a]), -plays[a], self.artist_name[a]))
        return {
            "id": best,
            "name": self.artist_name[best],
            "days": len(days[best]),
            "plays": plays[best],
        }

    def on_this_day(self, today, per_year=3):
        years = []
        for year in range(today.year - 1, min(r[0] for r in self.rows).year - 1, -1):
            try:
                day = today.replace(year=year)
            except ValueError:
                continue
            plays, ms = defaultdict(int), defaultdict(int)
            for r in self.within(day, day):
                plays[r[4]] += r[3]
                ms[r[4]] += r[2]
            top = sorted(
                (t for t in plays if plays[t]),
                key=lambda t: (-plays[t], -ms[t], self.track_name[t]),
            )[:per_year]
            if top:
                years.append(
                    {
                        "date": day,
                        "years_ago": today.year - year,
                        "tracks": [
                            {
                                "id": t,
                                "track": self.track_name[t],
                                "plays": plays[t],
                                "artists": ", ".join(self.artist_name[a] for a in self.artists[t]),
                                "credits": [
                                    {"id": a, "name": self.artist_name[a]} for a in self.artists[t]
                                ],
                            }
                            for t in top
                        ],
                    }
                )
        return years


def check_against_oracle(client, oracle, query):
    """Every endpoint for one range equals the independent computation."""
    summary = client.get(f"/api/stats/summary?{query}").get_json()
    start, end = date.fromisoformat(summary["start"]), date.fromisoformat(summary["end"])
    assert {k: summary[k] for k in ("plays", "minutes", "tracks", "artists")} == oracle.summary(
        start, end
    ), query
    prev_end = start - timedelta(days=1)
    prev_start = prev_end - (end - start)
    if "range=all" in query:
        assert summary["previous"] is None  # nothing came before all time
    else:
        assert summary["previous"]["start"] == prev_start.isoformat()
        assert {
            k: summary["previous"][k] for k in ("plays", "minutes", "tracks", "artists")
        } == oracle.summary(prev_start, prev_end), query
    volume = client.get(f"/api/stats/volume?{query}").get_json()
    assert volume["series"] == oracle.volume(start, end, volume["bucket"]), query
    week = client.get(f"/api/stats/volume?{query}&bucket=week").get_json()
    assert week["series"] == oracle.volume(start, end, "week"), query
    tracks = client.get(f"/api/stats/top-tracks?{query}&limit=15").get_json()["items"]
    assert [
        (t["name"], t["artists"], t["plays"], t["minutes"]) for t in tracks
    ] == oracle.top_tracks(start, end, 15), query
    artists = client.get(f"/api/stats/top-artists?{query}").get_json()["items"]
    assert [(a["name"], a["plays"], a["minutes"]) for a in artists] == oracle.top_artists(
        start, end, 10
    ), query
    genres = client.get(f"/api/stats/top-genres?{query}&limit=8").get_json()
    expected, unknown_share = oracle.genres(start, end, 8)
    assert [(g["genre"], g["plays"]) for g in genres["items"]] == [
        (g, p) for g, p, _ in expected
    ], query
    assert [g["share"] for g in genres["items"]] == pytest.approx(
        [s for _, _, s in expected], abs=1e-4
    )
    assert genres["unknown_share"] == pytest.approx(unknown_share, abs=1e-4)
    heat = client.get(f"/api/stats/heatmap?{query}").get_json()
    assert heat["cells"] == oracle.heatmap(start, end), query
    found = client.get(f"/api/stats/discoveries?{query}").get_json()["series"]
    months = oracle.discoveries(start, end)
    assert {m["period"]: m["artists"] for m in found if m["artists"]} == dict(months), query


def test_api_matches_an_independent_computation_for_random_ranges(client, conn, demo_user):
    oracle = Oracle(conn, demo_user)
    days = sorted(r[0] for r in oracle.rows)
    first, last = days[0], days[-1]
    rnd = random.Random(5)
    queries = [
        f"range={k}" for k in ("7d", "30d", "90d", "6m", "12m", "ytd", "all", str(last.year - 1))
    ]
    for _ in range(12):
        a = first + timedelta(days=rnd.randint(-10, (last - first).days))
        b = a + timedelta(days=rnd.choice([0, 6, 29, 40, 75, 180, 366, 700]))
        queries.append(f"start={a.isoformat()}&end={b.isoformat()}")
    for query in queries:
        check_against_oracle(client, oracle, query)


@pytest.mark.parametrize("root", ["data", "shared"])
def test_api_matches_an_independent_computation_over_imported_exports(
    client, conn, local_user, root
):
    """Every export file (both formats, DST days, short, incognito and local streams)
    imported in Berlin time; tests/data always, the real samples when present."""
    from music_time_machine.importers import run_import

    if root == "shared":
        need_samples()
    update_settings(conn, local_user, timezone="Europe/Berlin")
    paths = sorted((SAMPLES if root == "shared" else DATA).glob("spotify-*/*.json"))
    assert len(paths) == 6
    run_import(conn, local_user, paths)
    oracle = Oracle(conn, local_user)
    assert oracle.rows
    days = sorted(r[0] for r in oracle.rows)
    rnd = random.Random(9)
    queries = [f"start={days[0].isoformat()}&end={days[-1].isoformat()}", "range=all"]
    for _ in range(8):
        a = days[rnd.randrange(len(days))]
        queries.append(f"start={a}&end={a + timedelta(days=rnd.choice([0, 13, 45, 200]))}")
    for query in queries:
        check_against_oracle(client, oracle, query)
    if root == "data":
        # 45 plays imported (see test_import_samples), of which 2 are music videos, not
        # music; Berlin time puts the two last plays of 31 December 2022 (23:30 and
        # 23:59:59 UTC) on 1 January 2023.
        body = client.get("/api/stats/summary?range=all").get_json()
        assert body["plays"] == 43
        new_year = client.get("/api/stats/summary?start=2023-01-01&end=2023-01-01")
        assert new_year.get_json()["plays"] == 2


# -- Home: the same stats, checked the same way -----------------------------------------


def test_home_highlights_match_an_independent_computation(conn, demo_user):
    """New tracks, the most consistent artist and "on this day" for many dates, including
    29 February (no such day in earlier common years) and days before the first play."""
    oracle = Oracle(conn, demo_user)
    stats = ListeningStats(conn, demo_user)
    days = sorted({r[0] for r in oracle.rows})
    rnd = random.Random(14)
    later = [d for d in days if d >= days[0] + timedelta(days=366)]  # have an earlier year
    todays = [days[-1], days[0], date(2024, 2, 29), date(2025, 3, 1), *rnd.sample(later, 40)]
    checked = 0
    for today in todays:
        month = date(today.year, today.month, 1)
        assert stats.new_tracks(month, today) == oracle.new_tracks(month, today), today
        start = today - timedelta(days=89)
        assert stats.most_consistent_artist(start, today) == oracle.most_consistent_artist(
            start, today
        ), today
        assert stats.on_this_day(today) == oracle.on_this_day(today), today
        checked += bool(oracle.on_this_day(today))
    assert checked >= 15  # guards against passing vacuously on empty years


def test_home_page_shows_the_independently_computed_numbers(client, conn, demo_user):
    oracle = Oracle(conn, demo_user)
    today = LocalClock("America/New_York").today()
    html = client.get("/").get_data(as_text=True)
    values = [
        re.sub(r"<[^>]+>", "", v).strip()  # names are links to their pages
        for v in re.findall(r'<p class="stat-value">(.*?)</p>', html)
    ]
    last30 = oracle.summary(today - timedelta(days=29), today)
    hours = sum(r[2] for r in oracle.within(today - timedelta(days=29), today)) / 3_600_000
    consistent = oracle.most_consistent_artist(today - timedelta(days=89), today)
    assert values == [
        f"{last30['plays']:,}",
        written_duration(hours * 60),
        f"{last30['artists']:,}",
        f"{last30['tracks']:,}",
        # the same 30 days as the other cards, not a month just begun
        f"{oracle.new_tracks(today - timedelta(days=29), today):,}",
        consistent["name"] if consistent else "—",
    ]
    assert last30["plays"] > 0
    chart = page_data(html, "weekly-chart-data")
    monday = today - timedelta(days=today.weekday())
    weeks = oracle.volume(monday - timedelta(weeks=51), monday + timedelta(days=6), "week")
    assert chart["labels"] == [w["period"] for w in weeks]
    assert chart["plays"] == [w["plays"] for w in weeks]
    week_ms = defaultdict(int)
    for r in oracle.within(monday - timedelta(weeks=51), monday + timedelta(days=6)):
        week_ms[(r[0] - timedelta(days=r[0].weekday())).isoformat()] += r[2]
    assert chart["hours"] == [round(week_ms[w["period"]] / 3_600_000, 1) for w in weeks]
    for year in oracle.on_this_day(today):
        for track in year["tracks"]:
            assert f'href="/tracks/{track["id"]}">{escape(track["track"])}</a>' in html
            for artist in track["credits"]:
                assert f'href="/artists/{artist["id"]}">{escape(artist["name"])}</a>' in html


def test_on_this_day_lists_a_tracks_artists_in_credit_order(client, conn, local_user):
    """As Analytics does; Home used to list them in whatever order SQLite met them."""
    today = LocalClock("UTC").today()
    if (today.month, today.day) == (2, 29):
        pytest.skip("no 29 February a year ago")
    when = f"{today.replace(year=today.year - 1).isoformat()} 12:00:00"
    add_plays(
        conn,
        local_user,
        [
            ("Zed Quinn", "Solo", when, 60_000),  # Zed's id comes first
            ("Amy Reed & Zed Quinn", "Duet", when, 60_000),
        ],
    )
    html = client.get("/").get_data(as_text=True)
    text = re.sub(r"<[^>]+>", "", html)  # the names are links
    assert "by Amy Reed, Zed Quinn" in text


# -- time zones -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "zone, rows, expected",
    [
        # Europe/Berlin: clocks go forward at 02:00 on 31 March, back at 03:00 on 27 October.
        (
            "Europe/Berlin",
            [
                "2024-03-31 00:30:00",
                "2024-03-31 01:30:00",
                "2024-10-26 23:30:00",
                "2024-10-27 00:30:00",
                "2024-10-27 01:30:00",
            ],
            [
                ("2024-03-31", 1),
                ("2024-03-31", 3),
                ("2024-10-27", 1),
                ("2024-10-27", 2),
                ("2024-10-27", 2),
            ],
        ),
        # America/New_York: forward at 02:00 on 10 March, back at 02:00 on 3 November.
        (
            "America/New_York",
            [
                "2024-03-10 06:30:00",
                "2024-03-10 07:30:00",
                "2024-11-03 05:30:00",
                "2024-11-03 06:30:00",
                "2024-11-03 03:30:00",
            ],
            [
                ("2024-03-10", 1),
                ("2024-03-10", 3),
                ("2024-11-03", 1),
                ("2024-11-03", 1),
                ("2024-11-02", 23),
            ],
        ),
    ],
)
def test_dst_boundaries_land_in_the_right_local_day_and_hour(
    client, conn, local_user, zone, rows, expected
):
    update_settings(conn, local_user, timezone=zone)
    add_plays(
        conn,
        local_user,
        [(f"Artist {i}", f"Song {i}", when, 60_000) for i, when in enumerate(rows)],
    )
    query = "start=2024-03-01&end=2024-11-30"
    cells = client.get(f"/api/stats/heatmap?{query}").get_json()["cells"]
    want = [[0] * 24 for _ in range(7)]
    per_day = defaultdict(int)
    for day, hour in expected:
        want[date.fromisoformat(day).weekday()][hour] += 1
        per_day[day] += 1
    assert cells == want
    series = client.get(f"/api/stats/volume?{query}&bucket=day").get_json()["series"]
    assert {p["period"]: p["plays"] for p in series if p["plays"]} == per_day
    assert client.get(f"/api/stats/heatmap?{query}").get_json()["timezone"] == zone


def test_a_time_zone_change_rebuckets_every_stat(client, conn, local_user):
    add_plays(
        conn,
        local_user,
        [
            ("Night Owl", "Late", "2024-06-01 20:00:00", 90_000),  # 2 June 08:00 in Auckland
            ("Night Owl", "Later", "2024-06-30 13:00:00", 90_000),  # 1 July 01:00 in Auckland
        ],
    )
    june1 = "start=2024-06-01&end=2024-06-01"
    assert client.get(f"/api/stats/summary?{june1}").get_json()["plays"] == 1
    update_settings(conn, local_user, timezone="Pacific/Auckland")
    rebucket_user(conn, local_user)
    assert client.get(f"/api/stats/summary?{june1}").get_json()["plays"] == 0
    june2 = client.get("/api/stats/summary?start=2024-06-02&end=2024-06-02").get_json()
    assert (june2["plays"], june2["tracks"], june2["artists"]) == (1, 1, 1)
    months = client.get("/api/stats/volume?start=2024-06-01&end=2024-07-31&bucket=month")
    assert months.get_json()["series"] == [
        {"period": "2024-06", "plays": 1, "minutes": 1.5},
        {"period": "2024-07", "plays": 1, "minutes": 1.5},
    ]
    cells = client.get("/api/stats/heatmap?range=all").get_json()["cells"]
    assert cells[6][8] == 1 and cells[0][1] == 1  # Sunday 08:00, Monday 01:00
    oracle = Oracle(conn, local_user)
    check_against_oracle(client, oracle, "start=2024-05-01&end=2024-08-31")


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, param",
    [
        ("/api/stats/summary?range=forever", "range"),
        ("/api/stats/summary?range=0", "range"),
        ("/api/stats/volume?start=2024-02-30", "start"),
        ("/api/stats/volume?start=2024-01-01&end=2023-01-01", "start"),
        ("/api/stats/volume?start=0000-01-01", "start"),
        ("/api/stats/heatmap?start=2024-01-01&end=" + "9" * 400, "end"),
        ("/api/stats/heatmap?end=2024-01-01", "start"),
        ("/api/stats/volume?bucket=year", "bucket"),
        ("/api/stats/top-tracks?limit=0", "limit"),
        ("/api/stats/top-artists?limit=1000000000000000000000", "limit"),
        ("/api/stats/top-genres?limit=abc", "limit"),
        ("/api/stats/discoveries?range=12m&start=2024-01-01", "range"),
    ],
)
def test_invalid_parameters_are_a_400_naming_the_parameter(client, local_user, url, param):
    response = client.get(url)
    assert response.status_code == 400
    assert response.is_json
    assert response.get_json()["error"].startswith(f"{param}: ")


def test_an_empty_history_answers_zeros_not_errors(client, local_user):
    body = client.get("/api/stats/summary?range=30d").get_json()
    assert (body["plays"], body["tracks"], body["previous"]["plays"]) == (0, 0, 0)
    assert client.get("/api/stats/top-tracks").get_json()["items"] == []
    assert client.get("/api/stats/top-genres").get_json()["unknown_share"] == 0.0
    assert len(client.get("/api/stats/volume").get_json()["series"]) > 50  # weeks of zeros


# -- the page ---------------------------------------------------------------------------


def test_page_renders_charts_data_and_tables_without_inline_code(client, demo_user):
    response = client.get("/analytics?range=90d")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for canvas in ("volume-chart", "genre-chart", "artist-chart", "discovery-chart"):
        assert f'id="{canvas}"' in html
    assert html.count('class="heat heat-') == 7 * 24
    assert 'aria-current="true">90 days' in html
    assert re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) is None
    assert " style=" not in html and re.search(r" on[a-z]+=", html) is None
    data = page_data(html, "analytics-data")
    api = client.get("/api/stats/summary?range=90d").get_json()
    assert data["summary"] == api
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_page_custom_range_and_bad_range(client, demo_user):
    ok = client.get("/analytics?start=2024-01-01&end=2024-01-31")
    assert ok.status_code == 200
    assert "1 Jan 2024 to 31 Jan 2024" in ok.get_data(as_text=True)  # in words, as the axes
    bad = client.get("/analytics?start=2024-13-01")
    assert bad.status_code == 400
    assert "start: must be a date written YYYY-MM-DD" in bad.get_data(
        as_text=True
    ) or "start: 2024-13-01 is not a calendar date" in bad.get_data(as_text=True)


def test_page_says_so_when_a_range_is_empty(client, demo_user):
    html = client.get("/analytics?start=2001-01-01&end=2001-12-31").get_data(as_text=True)
    assert "No listening in this range" in html
    assert 'id="analytics-charts" hidden' in html


def test_all_time_has_no_previous_period_and_others_do(client, demo_user):
    assert client.get("/api/stats/summary?range=all").get_json()["previous"] is None
    assert client.get("/api/stats/summary?range=30d").get_json()["previous"]["plays"] >= 0
    page = client.get("/analytics?range=all").get_data(as_text=True)
    assert page.count("data-previous hidden") == 4
    assert page.count("data-change hidden") == 4
    page = client.get("/analytics?range=30d").get_data(as_text=True)
    assert "data-previous hidden" not in page


def test_new_artists_follow_the_range_bucket_and_mark_the_running_one(client, demo_user):
    month = client.get("/api/stats/discoveries?range=30d").get_json()
    assert month["bucket"] == "day" and len(month["series"]) == 30
    assert month["partial_last"] is True  # today is not over
    year = client.get("/api/stats/discoveries?range=2020").get_json()
    assert year["bucket"] == "week"
    assert client.get("/api/stats/discoveries?range=all").get_json()["bucket"] in ("week", "month")
    volume = client.get("/api/stats/volume?range=12m").get_json()
    assert volume["partial_last"] is True
    page = client.get("/analytics?range=30d").get_data(as_text=True)
    assert "first play ever falls in each <span data-discovery-bucket>day</span>" in page
    assert "dashed line is the total so far" in page


def test_whole_months_and_years_and_the_names_of_new_artists_match(client, conn, demo_user):
    """A range of exactly one calendar month or year counts its distinct tracks and artists
    from that period's rollup; the names beside each period's new artists are its three
    most played of all time (ties: minutes, then the artist stored first)."""
    oracle = Oracle(conn, demo_user)
    last = max(r[0] for r in oracle.rows)
    queries = [f"start={last.year - 1}-01-01&end={last.year - 1}-12-31"]
    for back in (2, 7, 13):
        month = date(last.year, last.month, 1) - timedelta(days=31 * back)
        after = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        queries.append(f"start={month.replace(day=1)}&end={after - timedelta(days=1)}")
    for query in queries:
        check_against_oracle(client, oracle, query)
    plays, ms = defaultdict(int), defaultdict(int)
    for _d, _h, m, counted, track in oracle.rows:
        for a in oracle.artists[track]:
            plays[a] += counted
            ms[a] += m
    for query in ("range=all", "range=12m", "range=30d"):
        body = client.get(f"/api/stats/discoveries?{query}").get_json()
        span = client.get(f"/api/stats/summary?{query}").get_json()
        start, end = date.fromisoformat(span["start"]), date.fromisoformat(span["end"])
        label = BUCKET_LABEL[body["bucket"]]
        first = oracle.first_days()
        found = defaultdict(list)
        for a in sorted(first, key=lambda a: (-plays[a], -ms[a], a)):
            if start <= first[a] <= end:
                found[label(first[a])].append(oracle.artist_name[a])
        shown = {m["period"]: m["names"] for m in body["series"] if m["artists"]}
        assert shown, query
        assert shown == {p: found[p][:3] for p in shown}, query

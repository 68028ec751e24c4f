"""Artist, track and album pages against an independent computation from the raw plays
(plain Python with zoneinfo, no rollups), in a zone with DST, for several ranges; plus the
edge cases the demo does not reach (versions, an item with no counted play, bad input)."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from factories import add_plays
from oracle_helpers import clock_and_rule, track_artists

from music_time_machine.db.users import update_settings
from music_time_machine.demo import generate_demo
from music_time_machine.timezones import LocalClock

ZONE = "America/New_York"


class Streams:
    """Every music stream of the user: (played_at, local date, hour, ms, counted, skipped,
    track id), with the catalogue needed to group them by artist and album."""

    def __init__(self, conn, user_id):
        tz, rule = clock_and_rule(conn, user_id)
        self.artists = track_artists(conn)
        self.album = dict(conn.execute("SELECT id, album_id FROM tracks"))
        self.track_name = dict(conn.execute("SELECT id, name FROM tracks"))
        self.rows = []
        for played_at, ms, reason_end, duration, track_id, skipped in conn.execute(
            "SELECT p.played_at, p.ms_played, p.reason_end, t.duration_ms, p.track_id, "
            "p.skipped FROM plays p JOIN tracks t ON t.id = p.track_id "
            "WHERE p.user_id = ? AND p.kind = 'music' ORDER BY p.played_at",
            (user_id,),
        ):
            local = datetime.fromtimestamp(played_at / 1000, tz)
            self.rows.append(
                (
                    played_at,
                    local.date(),
                    local.hour,
                    ms,
                    rule.counts(ms, reason_end, duration),
                    skipped,
                    track_id,
                    local.strftime("%H:%M"),
                )
            )

    def keys(self, kind, track_id):
        if kind == "artist":
            return self.artists[track_id]
        if kind == "album":
            return [self.album[track_id]] if self.album[track_id] else []
        return [track_id]

    def of(self, kind, item):
        return [r for r in self.rows if item in self.keys(kind, r[6])]

    def ranks(self, kind, start=None, end=None, month=None):
        """{item: place} in the top list of a range or a month ('YYYY-MM')."""
        plays, ms = defaultdict(int), defaultdict(int)
        for r in self.rows:
            if (
                (start and r[1] < start)
                or (end and r[1] > end)
                or (month and r[1].isoformat()[:7] != month)
            ):
                continue
            for key in self.keys(kind, r[6]):
                plays[key] += r[4]
                ms[key] += r[3]
        order = sorted((k for k in plays if plays[k]), key=lambda k: (-plays[k], -ms[k], k))
        return {k: i + 1 for i, k in enumerate(order)}


def totals(rows, start=None, end=None):
    chosen = [r for r in rows if (start is None or r[1] >= start) and (end is None or r[1] <= end)]
    ms = sum(r[3] for r in chosen)
    return {
        "plays": sum(r[4] for r in chosen),
        "minutes": round(ms / 60000, 1),
        "hours": round(ms / 3_600_000, 1),
    }


def moment(row, name):
    return (
        {
            "played_at": row[0],
            "day": row[1].isoformat(),
            "time": row[7],
            "track": {"id": row[6], "name": name[row[6]]},
        }
        if row
        else None
    )


def months_since_first(rows, today):
    counted = [r for r in rows if r[4]]
    if not counted:
        return []
    plays, ms = defaultdict(int), defaultdict(int)
    for r in rows:
        plays[r[1].isoformat()[:7]] += r[4]
        ms[r[1].isoformat()[:7]] += r[3]
    out, day = [], counted[0][1].replace(day=1)
    while day <= max(today, counted[-1][1]):
        m = day.isoformat()[:7]
        out.append({"month": m, "plays": plays[m], "minutes": round(ms[m] / 60000, 1)})
        day = (day + timedelta(days=32)).replace(day=1)
    return out


def streak_and_gap(rows):
    days = sorted({r[1] for r in rows if r[4]})
    streak, gap, run = None, None, 0
    for i, day in enumerate(days):
        run = run + 1 if i and (day - days[i - 1]).days == 1 else 1
        if streak is None or run > streak["days"]:
            streak = {
                "days": run,
                "start": (day - timedelta(days=run - 1)).isoformat(),
                "end": day.isoformat(),
            }
        if i and (day - days[i - 1]).days > 1:
            silent = (day - days[i - 1]).days - 1
            if gap is None or silent > gap["days"]:
                gap = {"days": silent, "after": days[i - 1].isoformat(), "before": day.isoformat()}
    return streak, gap


def expected_story(streams, kind, item, start, end, today):
    rows = streams.of(kind, item)
    counted = [r for r in rows if r[4]]
    streak, gap = streak_and_gap(rows)
    return {
        "in_range": totals(rows, start, end),
        "all_time": totals(rows),
        "first_play": moment(counted[0] if counted else None, streams.track_name),
        "last_play": moment(counted[-1] if counted else None, streams.track_name),
        "days_since_last": (today - counted[-1][1]).days if counted else None,
        "months": months_since_first(rows, today),
        "streak": streak,
        "longest_gap": gap,
    }


@pytest.fixture
def demo(conn, local_user):
    update_settings(conn, local_user, timezone=ZONE)
    generate_demo(conn, local_user, plays=4000, seed=23, years=2.2)
    return Streams(conn, local_user)


def _ranges(streams):
    days = [r[1] for r in streams.rows]
    middle = days[len(days) // 2]
    return [
        ("range=all", days[0], days[-1]),
        (f"start={middle}&end={middle + timedelta(days=45)}", middle, middle + timedelta(days=45)),
        ("start=2024-03-01&end=2024-11-30", date(2024, 3, 1), date(2024, 11, 30)),
    ]


def _check_story(body, streams, kind, item, start, end, today):
    want = expected_story(streams, kind, item, start, end, today)
    assert {k: body[k] for k in want} == want, (kind, item, start, end)


def test_artist_pages_match_an_independent_computation(client, demo):
    today = LocalClock(ZONE).today()
    all_ranks = demo.ranks("artist")
    artists = sorted(all_ranks, key=all_ranks.get)
    checked = 0
    for artist in [artists[0], artists[1], artists[len(artists) // 2], artists[-1]]:
        for query, start, end in _ranges(demo):
            body = client.get(f"/api/artists/{artist}?{query}").get_json()
            _check_story(body, demo, "artist", artist, start, end, today)
            in_range = demo.ranks("artist", start, end)
            assert body["rank"]["in_range"] == in_range.get(artist)
            assert body["rank"]["all_time"] == all_ranks[artist]
            rows = demo.of("artist", artist)
            months = sorted({r[1].isoformat()[:7] for r in rows if r[4]})
            peak = min((demo.ranks("artist", month=m)[artist], m) for m in months)
            assert (body["rank"]["peak"]["rank"], body["rank"]["peak"]["month"]) == peak
            hours, weekdays = [0] * 24, [0] * 7
            for r in rows:
                hours[r[2]] += r[4]
                weekdays[r[1].weekday()] += r[4]
            assert body["hours"] == hours
            assert body["weekdays"] == weekdays
            plays, ms = defaultdict(int), defaultdict(int)
            for r in rows:
                plays[r[6]] += r[4]
                ms[r[6]] += r[3]
            top = sorted((t for t in plays if plays[t]), key=lambda t: (-plays[t], -ms[t], t))
            assert [(t["id"], t["plays"]) for t in body["top_tracks"]] == [
                (t, plays[t]) for t in top[:10]
            ]
            album_plays, album_ms = defaultdict(int), defaultdict(int)
            for t in top:  # the artist's songs with a counted play, by their album
                if demo.album[t]:
                    album_plays[demo.album[t]] += plays[t]
                    album_ms[demo.album[t]] += ms[t]
            best = sorted(album_plays, key=lambda a: (-album_plays[a], -album_ms[a], a))[:10]
            assert [(a["id"], a["plays"]) for a in body["top_albums"]] == [
                (a, album_plays[a]) for a in best
            ]
            checked += 1
    assert checked == 12


def test_track_pages_match_an_independent_computation(client, demo):
    today = LocalClock(ZONE).today()
    all_ranks = demo.ranks("track")
    tracks = sorted(all_ranks, key=all_ranks.get)
    for track in [tracks[0], tracks[3], tracks[len(tracks) // 2], tracks[-1]]:
        for query, start, end in _ranges(demo):
            body = client.get(f"/api/tracks/{track}?{query}").get_json()
            _check_story(body, demo, "track", track, start, end, today)
        rows = demo.of("track", track)
        skips = sum(1 for r in rows if r[5] == 1 or not r[4])
        assert body["skips"] == {
            "streams": len(rows),
            "skips": skips,
            "rate": round(skips / len(rows), 4),
        }
        assert body["rank"]["all_time"] == all_ranks[track]
        months = sorted({r[1].isoformat()[:7] for r in rows if r[4]})
        assert body["monthly_ranks"] == [
            {
                "month": m,
                "plays": sum(r[4] for r in rows if r[1].isoformat()[:7] == m),
                "rank": demo.ranks("track", month=m)[track],
            }
            for m in months
        ]
        assert body["monthly_ranks"], "the chosen tracks were played"


def test_album_pages_match_an_independent_computation(client, conn, demo):
    today = LocalClock(ZONE).today()
    all_ranks = demo.ranks("album")
    albums = sorted(all_ranks, key=all_ranks.get)
    for album in [albums[0], albums[-1]]:
        for query, start, end in _ranges(demo):
            body = client.get(f"/api/albums/{album}?{query}").get_json()
            _check_story(body, demo, "album", album, start, end, today)
        songs = [t for t, a in demo.album.items() if a == album]
        plays = {t: sum(r[4] for r in demo.of("track", t)) for t in songs}
        assert {t["id"]: t["plays"] for t in body["tracks"]} == plays
        assert [t["plays"] for t in body["tracks"]] == sorted(plays.values(), reverse=True)


def test_pages_show_the_same_numbers_and_link_everything(client, demo):
    ranks = demo.ranks("artist")
    artist = min(ranks, key=ranks.get)
    body = client.get(f"/api/artists/{artist}?range=all").get_json()
    html = client.get(f"/artists/{artist}?range=all").get_data(as_text=True)
    assert f'data-figure="all-plays">{body["all_time"]["plays"]:,}<' in html
    assert f'data-figure="rank-peak">#{body["rank"]["peak"]["rank"]}<' in html
    for t in body["top_tracks"]:
        assert f'href="/tracks/{t["id"]}"' in html
    for a in body["top_albums"]:
        assert f'href="/albums/{a["id"]}"' in html
    assert 'id="explore-data"' in html and 'id="months-chart"' in html
    assert re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", html) is None
    track = body["top_tracks"][0]["id"]
    page = client.get(f"/tracks/{track}").get_data(as_text=True)
    assert f'href="/artists/{artist}"' in page
    analytics = client.get("/analytics?range=all").get_data(as_text=True)
    assert f'href="/artists/{artist}"' in analytics
    assert f'href="/tracks/{track}"' in analytics


def test_other_versions_of_a_song_are_listed_with_their_streams(client, conn, local_user):
    add_plays(
        conn,
        local_user,
        [
            (
                "Echo Bay",
                "Harbour",
                "2024-05-01 10:00:00",
                200_000,
                {"uri": "spotify:track:single", "album": "Harbour (single)"},
            ),
            (
                "Echo Bay",
                "Harbour",
                "2024-05-02 10:00:00",
                200_000,
                {"uri": "spotify:track:album", "album": "Tides"},
            ),
            (
                "Echo Bay",
                "Harbour",
                "2024-05-03 10:00:00",
                200_000,
                {"uri": "spotify:track:album", "album": "Tides"},
            ),
        ],
    )
    (track,) = [r[0] for r in conn.execute("SELECT id FROM tracks WHERE name = 'Harbour'")]
    body = client.get(f"/api/tracks/{track}").get_json()
    assert [(v["uri"], v["plays"], v["album"]) for v in body["versions"]] == [
        ("spotify:track:album", 2, "Tides"),
        ("spotify:track:single", 1, "Harbour (single)"),
    ]
    assert body["all_time"]["plays"] == 3
    assert "spotify:track:single" in client.get(f"/tracks/{track}").get_data(as_text=True)


def test_an_item_without_a_counted_play_has_a_page_without_a_story(client, conn, local_user):
    add_plays(conn, local_user, [("Skippy", "Too Short", "2024-05-01 10:00:00", 5_000)])
    (track,) = [r[0] for r in conn.execute("SELECT id FROM tracks WHERE name = 'Too Short'")]
    artist = conn.execute(
        "SELECT artist_id FROM track_artists WHERE track_id = ?", (track,)
    ).fetchone()[0]
    body = client.get(f"/api/artists/{artist}").get_json()
    assert body["first_play"] is None and body["streak"] is None and body["months"] == []
    assert body["rank"] == {"in_range": None, "all_time": None, "peak": None}
    assert body["all_time"] == {"plays": 0, "minutes": 0.1, "hours": 0.0}
    track_body = client.get(f"/api/tracks/{track}").get_json()
    assert track_body["skips"] == {"streams": 1, "skips": 1, "rate": 1.0}
    page = client.get(f"/artists/{artist}")
    assert page.status_code == 200 and "no counted play yet" in page.get_data(as_text=True)


def test_the_story_says_a_streak_of_one_day_in_words(client, conn, local_user):
    """Plays on days that never follow each other: "a single day", not "1 day in a row,
    2 Dec to 2 Dec"; two days in a row read as such."""
    days = {("Lonely", "Once"): (1, 3), ("Paired", "Twice"): (1, 2)}
    rows = [(a, t, f"2024-05-0{d} 10:00:00", 200_000) for (a, t), ds in days.items() for d in ds]
    add_plays(conn, local_user, rows)
    lonely, paired = (
        conn.execute("SELECT id FROM artists WHERE name = ?", (name,)).fetchone()[0]
        for name in ("Lonely", "Paired")
    )
    once = client.get(f"/artists/{lonely}?range=all").get_data(as_text=True)
    assert "a single day (1 May 2024): never two days in a row" in once
    assert "in a row, 1 May 2024 to 1 May 2024" not in once
    twice = client.get(f"/artists/{paired}?range=all").get_data(as_text=True)
    assert "2 days in a row, 1 May 2024 to 2 May 2024" in twice


def test_first_play_is_the_first_counted_one_in_local_time_across_dst(client, conn, local_user):
    """A short stream before midnight does not start the story; the first counted play
    lands on its New York day and clock time on both sides of a DST change."""
    update_settings(conn, local_user, timezone=ZONE)
    add_plays(
        conn,
        local_user,
        [
            ("Clockwork", "Tick", "2024-03-10 06:30:00", 10_000),  # 01:30 EST, too short
            ("Clockwork", "Tock", "2024-03-10 07:30:00", 60_000),  # 03:30 EDT
            ("Clockwork", "Tick", "2024-11-03 05:30:00", 60_000),  # 01:30 EDT
            ("Clockwork", "Tock", "2024-11-03 06:30:00", 60_000),  # 01:30 EST
        ],
    )
    artist = conn.execute("SELECT id FROM artists WHERE name = 'Clockwork'").fetchone()[0]
    body = client.get(f"/api/artists/{artist}?range=all").get_json()
    assert (
        body["first_play"]["day"],
        body["first_play"]["time"],
        body["first_play"]["track"]["name"],
    ) == ("2024-03-10", "03:30", "Tock")
    assert (
        body["last_play"]["day"],
        body["last_play"]["time"],
        body["last_play"]["track"]["name"],
    ) == ("2024-11-03", "01:30", "Tock")
    assert body["hours"][1] == 2 and body["hours"][3] == 1 and sum(body["hours"]) == 3
    assert body["longest_gap"] == {"days": 237, "after": "2024-03-10", "before": "2024-11-03"}


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/artists/1?range=forever", 400),
        ("/api/tracks/1?start=2024-02-30", 400),
        ("/api/albums/999999", 404),
        ("/api/tracks/99999999999999999999", 404),
        ("/artists/999999", 404),
        ("/albums/0", 404),
    ],
)
def test_bad_input_is_a_clear_error(client, local_user, url, status):
    response = client.get(url)
    assert response.status_code == status
    if url.startswith("/api/") and status == 400:
        assert response.get_json()["error"].startswith(("range: ", "start: "))


def test_forgotten_gems_of_one_artist_preview_only_their_songs(client, conn, local_user):
    today = LocalClock("UTC").today()
    loved = (today - timedelta(days=200)).isoformat()
    rows = []
    for artist in ("Gem Band", "Other Band"):
        for song in ("One", "Two", "Three"):
            rows += [
                (
                    artist,
                    f"{artist} {song}",
                    f"{loved} 1{i}:00:00",
                    200_000,
                    {"uri": f"spotify:track:{artist[:3]}{song}"},
                )
                for i in range(3)
            ]
    add_plays(conn, local_user, rows)
    artist = conn.execute("SELECT id FROM artists WHERE name = 'Gem Band'").fetchone()[0]
    page = client.get(f"/artists/{artist}").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert f'name="artist" value="{artist}"' in page

    def gems(**fields):
        """The Playlists form's forgotten-gems preview, as the artist page's form posts it."""
        form = {"csrf_token": token, "source": "forgotten_gems", "action": "preview", **fields}
        return client.post("/playlists", data=form)

    preview = gems(artist=str(artist), per_artist="5", size="10")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "Forgotten gems by Gem Band" in html
    assert html.count("Gem Band One") == 1 and "Other Band" not in html
    assert f"artist={artist}" in html  # the CSV link keeps the artist
    assert html.count('href="/tracks/') == 3 and f'href="/artists/{artist}"' in html
    assert "Other Band" in gems(per_artist="5").get_data(as_text=True)
    assert "no such artist" in gems(artist="987654").get_data(as_text=True)
    bad = gems(artist="1; DROP")
    assert bad.status_code == 400 and "whole number" in bad.get_data(as_text=True)


def test_hours_follow_a_play_rule_change_and_a_time_zone_change(client, conn, demo):
    """The hour rollup is rebuilt with the others: a new rule, then a new zone."""
    from music_time_machine.db.recount import rebucket_user
    from music_time_machine.db.rollups import rebuild_rollups
    from music_time_machine.rules import PlayRule

    user = conn.execute("SELECT id FROM users").fetchone()[0]
    ranks = demo.ranks("artist")
    artist = min(ranks, key=ranks.get)
    update_settings(conn, user, play_rule=PlayRule("finished"))
    rebuild_rollups(conn, user)
    update_settings(conn, user, timezone="Asia/Kolkata")
    rebucket_user(conn, user)
    after = Streams(conn, user)
    hours = [0] * 24
    for r in after.of("artist", artist):
        hours[r[2]] += r[4]
    body = client.get(f"/api/artists/{artist}").get_json()
    assert body["hours"] == hours
    assert sum(hours) < sum(r[4] for r in demo.of("artist", artist))  # fewer count now


def test_migration_0013_fills_the_hours_of_existing_plays(conn, local_user):
    """Its step, on plays stored before the table existed (emptied here to stand for them)."""
    from music_time_machine.db.migration_steps import STEPS

    add_plays(
        conn,
        local_user,
        [
            ("Night Band", "Late", "2024-05-01 23:10:00", 60_000),
            ("Night Band", "Late", "2024-05-02 23:20:00", 60_000),
            ("Night Band", "Short", "2024-05-02 07:00:00", 1_000),
        ],
    )
    stored = conn.execute("SELECT hour, plays FROM rollup_track_hour ORDER BY hour").fetchall()
    conn.execute("DELETE FROM rollup_track_hour")
    STEPS["fill_track_hours"](conn)
    filled = conn.execute("SELECT hour, plays FROM rollup_track_hour ORDER BY hour").fetchall()
    assert [tuple(r) for r in filled] == [tuple(r) for r in stored] == [(7, 0), (23, 2)]

"""The enrichment run against the bundled fake MusicBrainz over real HTTP: matching (exact,
by name, homonyms, decoys), 503/Retry-After, resuming, the rate, and what it changes in the
genre chart and the moods."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
import requests
from musicbrainz_helpers import (
    AGENT,
    ARTISTS,
    SEED,
    Sleeps,
    clear_faults,
    fault,
    server_fixture,
)
from musicbrainz_helpers import mb_client as mb

from music_time_machine.db import enrichment as store
from music_time_machine.db import transaction
from music_time_machine.db.catalogue import ArtistInfo, Catalogue, TrackInfo
from music_time_machine.db.plays import NewPlay, insert_plays
from music_time_machine.db.stats import ListeningStats
from music_time_machine.jobcontrol import JobStopped
from music_time_machine.metadata import matching
from music_time_machine.metadata.enrichment import EnrichProgress, run_enrichment
from music_time_machine.metadata.musicbrainz import MusicBrainzClient
from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer
from music_time_machine.sandbox.world import build_world

WORLD = build_world(SEED, ARTISTS)
DAY_MS = 86_400_000
START_MS = 1_700_000_000_000

server, fresh = server_fixture(rate=1000)


def truth(server: FakeMusicBrainzServer, index: int):
    return server.catalogue.truth[index]


def pick(server: FakeMusicBrainzServer, count: int, **wanted) -> list[int]:
    """World artist indexes whose catalogue truth has the wanted attributes (a value of
    True/False for the *_mbid fields means "has one" / "has none")."""
    found = []
    for i, t in enumerate(server.catalogue.truth):
        ok = True
        for key, value in wanted.items():
            have = getattr(t, key)
            ok &= (have is not None) == value if isinstance(value, bool) else have == value
        if ok and _titles(i):
            found.append(i)
    assert len(found) >= count, wanted
    return found[:count]


def _titles(index: int) -> list[str]:
    return [
        WORLD.tracks[t].title
        for album in WORLD.artists[index].albums
        for t in WORLD.albums[album].tracks
        if WORLD.tracks[t].artist == index
    ]


def add_artist(
    conn,
    user: int,
    index: int,
    *,
    spotify: bool = True,
    plays: int = 3,
    name: str | None = None,
    titles: list[str] | None = None,
) -> int:
    """A world artist in the user's catalogue with ``plays`` plays of each of (up to two of)
    its own titles; returns the artist id."""
    artist = WORLD.artists[index]
    info = ArtistInfo(name or artist.name, artist.spotify_id if spotify else None)
    with transaction(conn):
        catalogue = Catalogue(conn, user)
        new = []
        for n, title in enumerate((titles or _titles(index))[:2]):
            track_id = catalogue.track_id(TrackInfo(name=title, artists=[info]))
            new += [
                NewPlay(
                    track_id=track_id,
                    played_at=START_MS + (index * 50 + n * 10 + k) * DAY_MS // 97,
                    ms_played=180_000,
                    source="extended",
                )
                for k in range(plays)
            ]
        insert_plays(conn, user, new)
    return conn.execute(
        "SELECT id FROM artists WHERE user_id = ? AND name = ?", (user, info.name)
    ).fetchone()[0]


def stored(conn, artist_id: int):
    return conn.execute(
        "SELECT * FROM artist_metadata WHERE artist_id = ?", (artist_id,)
    ).fetchone()


def by_endpoint(server: FakeMusicBrainzServer) -> dict:
    return server.traffic()["by_endpoint"]


# -- matching ---------------------------------------------------------------------------------


def test_exact_and_name_matches_agree_with_the_catalogue(server, fresh_db):
    conn, user = fresh_db()
    exact = pick(server, 3, fate="exact", homonym_mbid=False)
    named = pick(server, 3, fate="name", homonym_mbid=False)
    missing = pick(server, 2, fate="missing", decoy_mbid=False)
    ids = {i: add_artist(conn, user, i) for i in exact + named + missing}

    summary = run_enrichment(conn, user, mb(server))

    assert (summary.exact, summary.by_name, summary.not_found) == (3, 3, 2)
    for i in exact + named:
        row = stored(conn, ids[i])
        assert row["mbid"] == truth(server, i).mbid
        assert row["match_method"] == ("exact" if i in exact else "name")
        assert row["confidence"] >= matching.THRESHOLD
    for i in missing:
        assert stored(conn, ids[i])["status"] == "not_found"
        assert stored(conn, ids[i])["mbid"] is None
    # Fewest requests: one batched URL lookup, then one request per artist (a lookup for
    # an exact match, a search for the others: its result carries the tags).
    traffic = by_endpoint(server)
    assert traffic["ws2/url"] == 1
    assert traffic["ws2/artist"] == 8
    assert "ws2/recording" not in traffic
    assert summary.totals == {"exact": 3, "by_name": 3, "not_found": 2, "pending": 0}


def test_genres_come_from_the_genre_list_with_votes_and_tags_apart(server, fresh_db):
    conn, user = fresh_db()
    named = pick(server, 1, fate="name", homonym_mbid=False)[0]
    artist_id = add_artist(conn, user, named)
    run_enrichment(conn, user, mb(server))
    mb_artist = server.catalogue.artists[truth(server, named).mbid]
    genres = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM artist_tags WHERE artist_id = ? AND kind = 'genre'", (artist_id,)
        )
    }
    tags = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM artist_tags WHERE artist_id = ? AND kind = 'tag'", (artist_id,)
        )
    }
    # A search result's tags that are in MusicBrainz's genre list are its genres.
    assert genres == {g for g, _ in mb_artist.genres} and not tags & genres
    assert tags <= {t for t, _ in mb_artist.tags}
    charted = json.loads(stored(conn, artist_id)["genres"])
    assert charted and set(charted) <= genres


def test_names_spelled_otherwise_match_like_a_person_would(server, fresh_db):
    """MusicBrainz writes "and" for "&" or drops "The"; the user's export may lack accents
    or carry a "feat." tail: all are the same artist."""
    conn, user = fresh_db()
    respelled = [
        i
        for i, t in enumerate(server.catalogue.truth)
        if t.mb_name and t.mb_name != t.name and t.homonym_mbid is None
    ][:2]
    assert respelled
    ids = {i: add_artist(conn, user, i, spotify=False) for i in respelled}
    accented = next(
        i
        for i, t in enumerate(server.catalogue.truth)
        if t.fate != "missing"
        and t.homonym_mbid is None
        and t.name.isascii() is False
        and t.mb_name == t.name
        and _titles(i)
    )
    plain = "".join(
        c
        for c in __import__("unicodedata").normalize("NFKD", WORLD.artists[accented].name)
        if c.isascii()
    )
    ids[accented] = add_artist(conn, user, accented, spotify=False, name=plain + " feat. Guest")

    run_enrichment(conn, user, mb(server))

    for i, artist_id in ids.items():
        assert stored(conn, artist_id)["mbid"] == truth(server, i).mbid, WORLD.artists[i].name


def test_homonyms_are_told_apart_by_the_users_own_titles(server, fresh_db):
    conn, user = fresh_db()
    twins = pick(server, 2, homonym_mbid=True)
    ids = {i: add_artist(conn, user, i, spotify=False) for i in twins}

    summary = run_enrichment(conn, user, mb(server))

    assert summary.by_name == 2
    for i in twins:
        row = stored(conn, ids[i])
        assert row["mbid"] == truth(server, i).mbid != truth(server, i).homonym_mbid
        assert row["confidence"] == matching.CONFIRMED_CONFIDENCE
    assert by_endpoint(server)["ws2/recording"] >= 2


def test_a_homonym_without_a_telling_title_stays_unmatched(server, fresh_db):
    conn, user = fresh_db()
    twin = pick(server, 1, homonym_mbid=True)[0]
    artist_id = add_artist(
        conn, user, twin, spotify=False, titles=["A Song Nobody Catalogued", "Another Unknown Song"]
    )
    run_enrichment(conn, user, mb(server))
    row = stored(conn, artist_id)
    assert row["status"] == "not_found" and row["mbid"] is None
    assert row["confidence"] < matching.THRESHOLD


def test_a_decoy_whose_name_only_contains_the_artists_stays_unmatched(server, fresh_db):
    conn, user = fresh_db()
    decoyed = pick(server, 2, fate="missing", decoy_mbid=True)
    ids = {i: add_artist(conn, user, i) for i in decoyed}
    run_enrichment(conn, user, mb(server))
    for i in decoyed:
        row = stored(conn, ids[i])
        assert row["status"] == "not_found" and row["mbid"] is None
        assert row["confidence"] < matching.THRESHOLD


def test_the_most_played_artists_are_looked_up_first(server, fresh_db):
    conn, user = fresh_db()
    indexes = pick(server, 4, fate="name", homonym_mbid=False)
    ids = [add_artist(conn, user, i, plays=p) for i, p in zip(indexes, (1, 9, 3, 5), strict=True)]
    order = [a.id for a in store.pending_artists(conn, user)]
    assert order == [ids[1], ids[3], ids[2], ids[0]]
    looked: list[int] = []

    def progress(_p: EnrichProgress) -> None:  # committed as it goes, in this order
        done = [r[0] for r in conn.execute("SELECT artist_id FROM artist_metadata")]
        looked.extend(a for a in done if a not in looked)

    run_enrichment(conn, user, mb(server), progress)
    assert looked == order


# -- being a good citizen --------------------------------------------------------------------


def test_503_with_a_long_retry_after_pauses_the_run_and_loses_nothing(server, fresh_db):
    conn, user = fresh_db()
    indexes = pick(server, 3, fate="name", homonym_mbid=False)
    ids = [add_artist(conn, user, i) for i in indexes]
    fault(server, path_prefix="/ws/2/artist", status=503, retry_after=120, times=1)
    waits = Sleeps()

    summary = run_enrichment(conn, user, mb(server), sleep=waits)

    assert summary.ok and summary.by_name == 3
    assert sum(waits) == pytest.approx(120)  # waited exactly as long as asked, then again
    assert all(stored(conn, a)["mbid"] for a in ids)
    assert server.traffic()["faults"] == 1


def test_a_short_retry_after_is_honoured_by_the_client(server, fresh_db):
    conn, user = fresh_db()
    ids = [add_artist(conn, user, i) for i in pick(server, 2, fate="name", homonym_mbid=False)]
    fault(server, path_prefix="/ws/2/artist", status=503, retry_after=3, times=2)
    waits = Sleeps()
    summary = run_enrichment(conn, user, mb(server, sleep=waits))
    assert summary.ok and waits == [3, 3]
    assert all(stored(conn, a)["mbid"] for a in ids)


def test_a_service_that_stays_down_ends_the_run_with_its_reason_and_keeps_the_rest(
    server, fresh_db
):
    conn, user = fresh_db()
    first, second = [
        add_artist(conn, user, i, plays=p)
        for i, p in zip(pick(server, 2, fate="name", homonym_mbid=False), (5, 1), strict=True)
    ]
    run = run_enrichment(conn, user, mb(server, max_attempts=2), sleep=Sleeps())
    assert run.ok
    conn.execute("DELETE FROM artist_metadata WHERE artist_id = ?", (second,))
    fault(server, path_prefix="/ws/2/artist", status=500, times=None)
    failed = run_enrichment(conn, user, mb(server, max_attempts=2), sleep=Sleeps())
    clear_faults(server)
    assert not failed.ok and "500" in failed.headline()
    assert "1 left for the next run" in failed.headline()
    assert stored(conn, first)["mbid"] and stored(conn, second) is None


def test_a_stopped_run_resumes_without_asking_again_for_done_artists(server, fresh_db):
    conn, user = fresh_db()
    indexes = pick(server, 3, fate="exact", homonym_mbid=False) + pick(
        server, 3, fate="name", homonym_mbid=False
    )
    for n, i in enumerate(indexes):
        add_artist(conn, user, i, plays=10 - n)

    class Kill:
        def __call__(self, p: EnrichProgress) -> None:
            if p.phase == "artists" and p.done == 4:
                raise JobStopped("Cancelled.")

    with pytest.raises(JobStopped):
        run_enrichment(conn, user, mb(server), Kill())
    done = {r[0] for r in conn.execute("SELECT artist_id FROM artist_metadata")}
    assert len(done) == 4
    requests.post(f"{server.url}/_fake/reset", timeout=5).raise_for_status()

    summary = run_enrichment(conn, user, mb(server))  # a new client, as after a restart

    assert summary.looked_up == 2 and summary.totals["pending"] == 0
    # Only the two artists left were asked about: one search each (both are name-only),
    # one URL lookup of just their Spotify ids; the genre list was kept from the first run.
    assert by_endpoint(server) == {"ws2/url": 1, "ws2/artist": 2}


def test_the_rate_limit_is_never_exceeded(fresh_db):
    conn, user = fresh_db()
    with FakeMusicBrainzServer(seed=SEED, artists=40, rate=5) as slow:
        indexes = [
            i
            for i, t in enumerate(slow.catalogue.truth)
            if t.fate != "missing" and t.homonym_mbid is None and _titles(i)
        ][:8]
        for i in indexes:
            add_artist(conn, user, i)
        # 4/s against a fake that allows 5/s: the margin absorbs a busy machine's scheduling.
        summary = run_enrichment(conn, user, MusicBrainzClient(slow.url, AGENT, 4, 5))
        traffic = slow.traffic()
    assert summary.ok and summary.looked_up == 8
    assert traffic["requests"] >= 9
    assert traffic["rate_limited"] == 0 and traffic["rate_exceeded"] is False


# -- a refresh after 90 days ------------------------------------------------------------------


def test_looked_up_artists_are_asked_again_after_90_days(server, fresh_db):
    conn, user = fresh_db()
    artist_id = add_artist(conn, user, pick(server, 1, fate="name", homonym_mbid=False)[0])
    run_enrichment(conn, user, mb(server))
    assert store.pending_artists(conn, user) == []
    later = time.time() + store.REFRESH_AFTER_S + 60
    assert [a.id for a in store.pending_artists(conn, user, now=later)] == [artist_id]
    assert store.counts(conn, user, now=later).pending == 1


def test_only_the_users_own_artists_are_looked_up(server, fresh_db):
    conn, user = fresh_db()
    other = conn.execute("INSERT INTO users (display_name, created_at) VALUES ('B', 0)").lastrowid
    index = pick(server, 1, fate="name", homonym_mbid=False)[0]
    add_artist(conn, other, index)
    mine = add_artist(conn, user, pick(server, 2, fate="name", homonym_mbid=False)[1])
    run_enrichment(conn, user, mb(server))
    assert {r[0] for r in conn.execute("SELECT artist_id FROM artist_metadata")} == {mine}
    assert store.counts(conn, other).pending == 1


def test_genre_chart_uses_musicbrainz_genres_and_spotify_wins(server, fresh_db):
    conn, user = fresh_db()
    indexes = pick(server, 2, fate="exact", homonym_mbid=False)
    ids = [add_artist(conn, user, i) for i in indexes]
    conn.execute("UPDATE artists SET genres = '[\"spotify genre\"]' WHERE id = ?", (ids[0],))
    missing = add_artist(conn, user, pick(server, 1, fate="missing")[0])
    stats = ListeningStats(conn, user)
    first, last = date(2000, 1, 1), date(2100, 1, 1)
    before = stats.top_genres(first, last, 50)
    assert 0 < before.unknown_share < 1

    run_enrichment(conn, user, mb(server))

    after = ListeningStats(conn, user).top_genres(first, last, 50)
    names = {item["genre"] for item in after.items}
    mb_genres = store.chart_genres(server.catalogue.artists[truth(server, indexes[1]).mbid].genres)
    assert "spotify genre" in names and set(mb_genres) <= names
    assert not set(server.catalogue.artists[truth(server, indexes[0]).mbid].genres) & (
        names - set(mb_genres)
    )  # the Spotify-described artist kept Spotify's
    plays = dict(
        conn.execute(
            "SELECT artist_id, plays FROM rollup_artist_total WHERE user_id = ?", (user,)
        ).fetchall()
    )
    assert after.unknown_share == pytest.approx(plays[missing] / sum(plays.values()), abs=1e-3)
    sources = {
        r["artist_id"]: r["genre_source"] for r in store.artist_metadata(conn, user).values()
    }
    assert sources == {ids[0]: "spotify", ids[1]: "musicbrainz", missing: "none"}


def test_the_demo_gets_its_genres_through_enrichment(server, fresh_db):
    """``mtm demo``: generated history (no Spotify genres, as in development mode) and the
    fake MusicBrainz on the same world: enrichment names the world's genres, every artist
    matches as the catalogue says, and only the catalogue's missing artists stay unknown."""
    from music_time_machine.demo import generate_demo

    conn, user = fresh_db()
    generate_demo(conn, user, plays=3000, seed=SEED)
    first, last = date(2000, 1, 1), date(2100, 1, 1)
    assert ListeningStats(conn, user).top_genres(first, last, 10).unknown_share == 1.0

    summary = run_enrichment(conn, user, mb(server))

    assert summary.ok and summary.totals["pending"] == 0
    by_name = {t.name: t for t in server.catalogue.truth}
    for row in store.artist_metadata(conn, user).values():
        assert row["mbid"] == by_name[row["name"]].mbid, row["name"]
    chart = ListeningStats(conn, user).top_genres(first, last, 10)
    assert chart.unknown_share < 0.2 and chart.items
    assert server.traffic()["rate_limited"] == 0

"""The MusicBrainz and Cover Art Archive clients against the bundled fake, over real HTTP."""

from __future__ import annotations

import threading

import pytest
import requests
from musicbrainz_helpers import (
    AGENT,
    Sleeps,
    fault,
    server_fixture,
)
from musicbrainz_helpers import mb_client as mb

from music_time_machine.metadata.coverart import CoverArtClient
from music_time_machine.metadata.errors import (
    ImageRejected,
    MetadataError,
    RateLimited,
    Unavailable,
)
from music_time_machine.metadata.musicbrainz import MusicBrainzClient
from music_time_machine.normalise import name_key
from music_time_machine.sandbox.fake_musicbrainz import FakeMusicBrainzServer

server, fresh = server_fixture(rate=1000)


def requests_to(server: FakeMusicBrainzServer, endpoint: str) -> int:
    return server.traffic()["by_endpoint"].get(endpoint, 0)


def truths(server: FakeMusicBrainzServer, fate: str):
    return [t for t in server.catalogue.truth if t.fate == fate]


# -- URL lookups ----------------------------------------------------------------------------


def test_batched_url_lookup_finds_exact_artists_in_one_request(server):
    exact, by_name, missing = (truths(server, f) for f in ("exact", "name", "missing"))
    ids = [t.spotify_id for t in exact[:5]] + [by_name[0].spotify_id, missing[0].spotify_id]
    found = mb(server).lookup_spotify_artists(ids)
    assert {sid: [a.mbid for a in artists] for sid, artists in found.items()} == {
        t.spotify_id: [t.mbid] for t in exact[:5]
    }
    assert found[exact[0].spotify_id][0].name == exact[0].mb_name
    assert requests_to(server, "ws2/url") == 1


def test_single_url_lookup_and_an_unknown_url(server):
    exact = truths(server, "exact")[0]
    client = mb(server)
    assert [
        a.mbid for a in client.lookup_spotify_artists([exact.spotify_id])[exact.spotify_id]
    ] == [exact.mbid]
    assert client.lookup_spotify_artists([truths(server, "name")[0].spotify_id]) == {}
    assert requests_to(server, "ws2/url") == 2


def test_url_lookups_go_100_to_a_request(server):
    exact = truths(server, "exact")
    ids = [t.spotify_id for t in exact[:30]] + [f"unknown{i:015d}" for i in range(120)]
    found = mb(server).lookup_spotify_artists(ids)
    assert set(found) == {t.spotify_id for t in exact[:30]}
    assert requests_to(server, "ws2/url") == 2


def test_the_fake_answers_the_documented_batched_shape(server):
    exact = truths(server, "exact")[:2]
    body = requests.get(
        f"{server.url}/ws/2/url",
        headers={"User-Agent": AGENT},
        params=[
            *(("resource", f"https://open.spotify.com/artist/{t.spotify_id}") for t in exact),
            ("resource", "https://example.org/nobody"),
            ("inc", "artist-rels"),
            ("fmt", "json"),
        ],
        timeout=5,
    ).json()
    assert body["url-count"] == 2 and body["url-offset"] == 0 and len(body["urls"]) == 2
    relation = body["urls"][0]["relations"][0]
    assert relation["target-type"] == "artist" and relation["type"] == "free streaming"
    assert relation["artist"]["id"] == exact[0].mbid


# -- artists --------------------------------------------------------------------------------


def test_artist_lookup_has_genres_and_tags_with_votes(server):
    truth = next(t for t in truths(server, "name") if t.genres)
    artist = mb(server).artist(truth.mbid)
    assert artist is not None and artist.mbid == truth.mbid
    assert {g.name for g in artist.genres} == set(truth.genres)
    assert all(g.count >= 1 for g in artist.genres) and artist.tags
    assert [g.count for g in artist.genres] == sorted(
        (g.count for g in artist.genres), reverse=True
    )
    assert mb(server).artist("00000000-0000-4000-8000-000000000000") is None


def test_artist_search_scores_and_carries_tags(server):
    truth = truths(server, "name")[0]
    page = mb(server).search_artists(truth.name, limit=5)
    assert page.total >= 1 and page.offset == 0
    best = page.items[0]
    assert (best.mbid, best.score) == (truth.mbid, 100) and best.tags
    assert all(a.score <= best.score for a in page.items)


def test_artist_search_folds_accents_like_musicbrainz(server):
    truth = next(
        t
        for t in server.catalogue.truth
        if t.fate != "missing" and name_key(t.name) != t.name.lower()
    )
    folded = name_key(truth.name)
    assert truth.mbid in [a.mbid for a in mb(server).search_artists(folded).items if a.score == 100]


def test_homonyms_both_score_100_with_different_ids(server):
    truth = next(t for t in server.catalogue.truth if t.homonym_mbid)
    top = [a for a in mb(server).search_artists(truth.name).items if a.score == 100]
    assert {a.mbid for a in top} == {truth.mbid, truth.homonym_mbid}
    assert {a.name for a in top} == {truth.name}
    assert any(a.disambiguation for a in top)


def test_a_decoy_scores_below_an_exact_name(server):
    truth = next(t for t in server.catalogue.truth if t.decoy_mbid)
    page = mb(server).search_artists(truth.name)
    decoy = next(a for a in page.items if a.mbid == truth.decoy_mbid)
    assert decoy.score < 100 and truth.name in decoy.name


def test_special_characters_in_names_are_escaped(server):
    page = mb(server).search_artists('AC/DC "Live" (2001) & Friends: a+b\\c')
    assert page.total >= 0  # answered, not a 400 for a broken query


# -- recordings -----------------------------------------------------------------------------


def test_recording_search_credits_the_artist_and_links_a_release_group(server):
    cat = server.catalogue
    truth = truths(server, "name")[0]
    recording = next(r for r in cat.recordings.values() if r.credits[0][0] == truth.mbid)
    page = mb(server).search_recordings(recording.title, truth.name)
    best = page.items[0]
    assert (best.mbid, best.score) == (recording.id, 100)
    assert best.artist_mbids[0] == truth.mbid and best.credit[0].credited_as == truth.mb_name
    assert best.releases[0].release_group_mbid == recording.release_group_id
    assert best.length_ms == recording.length_ms


def test_featured_artists_are_in_the_artist_credit(server):
    cat = server.catalogue
    recording = next(r for r in cat.recordings.values() if len(r.credits) == 2)
    main, guest = (cat.artists[a] for a, _ in recording.credits)
    best = mb(server).search_recordings(recording.title, main.name).items[0]
    assert best.artist_mbids == (main.id, guest.id)
    assert best.credit[0].joinphrase == " feat. " and "feat." not in best.title


# -- genres ---------------------------------------------------------------------------------


def test_the_genre_list_pages_through_everything(server):
    client = mb(server)
    page = client.genres(limit=10, offset=5)
    names = server.catalogue.genre_names
    assert page.total == len(names) and [g.name for g in page.items] == names[5:15]
    assert [g.name for g in client.all_genres()] == names
    assert requests_to(server, "ws2/genre") == 1 + -(-len(names) // 100)


# -- being a good citizen -------------------------------------------------------------------


def test_the_user_agent_names_app_version_and_contact(server):
    mb(server).genres(limit=1)
    agents = server.traffic()["user_agents"]
    assert list(agents) == [AGENT]
    assert AGENT.startswith("MusicTimeMachine/") and AGENT.endswith("( tests@example.org )")


def test_the_fake_refuses_anonymous_user_agents(server):
    response = requests.get(f"{server.url}/ws/2/genre/all?fmt=json", timeout=5)
    assert response.status_code == 403 and "User-Agent" in response.json()["error"]
    client = MusicBrainzClient(server.url, "python-requests/2.32", rate_per_s=1000)
    with pytest.raises(MetadataError) as caught:
        client.genres()
    assert caught.value.status == 403 and caught.value.cause == "refused"
    with pytest.raises(ValueError):
        MusicBrainzClient(server.url, "  ")


def test_503_with_retry_after_is_waited_out_and_retried(server):
    truth = truths(server, "exact")[0]
    fault(server, path_prefix="/ws/2/artist", status=503, retry_after=2, times=2)
    sleeps = Sleeps()
    artist = mb(server, sleep=sleeps).artist(truth.mbid)
    assert artist is not None and artist.mbid == truth.mbid  # nothing lost
    assert sleeps == [2.0, 2.0]
    assert requests_to(server, "ws2/artist") == 3


def test_503_without_retry_after_backs_off_exponentially(server):
    fault(server, path_prefix="/ws/2/genre", status=503, times=2)
    sleeps = Sleeps()
    assert mb(server, sleep=sleeps, backoff_s=0.5).genres(limit=3).items
    assert sleeps == [0.5, 1.0]


def test_a_long_retry_after_is_handed_to_the_caller(server):
    fault(server, path_prefix="/ws/2/artist", status=503, retry_after=3600)
    sleeps = Sleeps()
    with pytest.raises(RateLimited) as caught:
        mb(server, sleep=sleeps).search_artists("anyone")
    assert caught.value.retry_after == 3600 and caught.value.cause == "rate_limited"
    assert sleeps == []


def test_503_on_every_attempt_raises_rate_limited(server):
    fault(server, path_prefix="/ws/2/artist", status=503, retry_after=1, times=None)
    with pytest.raises(RateLimited):
        mb(server, sleep=Sleeps(), max_attempts=3).search_artists("anyone")
    assert requests_to(server, "ws2/artist") == 3


def test_500_is_retried_then_raised_clearly(server):
    fault(server, path_prefix="/ws/2/recording", status=500, times=None)
    sleeps = Sleeps()
    with pytest.raises(Unavailable) as caught:
        mb(server, sleep=sleeps, max_attempts=3).search_recordings("Song", "Artist")
    assert caught.value.status == 500 and caught.value.cause == "server_error"
    assert "500" in str(caught.value) and len(sleeps) == 2
    assert requests_to(server, "ws2/recording") == 3


def test_one_500_then_success_loses_nothing(server):
    truth = truths(server, "exact")[0]
    fault(server, path_prefix="/ws/2/url", status=500)
    found = mb(server, sleep=Sleeps()).lookup_spotify_artists([truth.spotify_id])
    assert [a.mbid for a in found[truth.spotify_id]] == [truth.mbid]


def test_a_slow_service_times_out_with_a_clear_error(server):
    fault(server, path_prefix="/ws/2/genre", delay=5, times=None)
    client = MusicBrainzClient(
        server.url, AGENT, rate_per_s=1000, timeout=0.3, max_attempts=2, sleep=Sleeps()
    )
    try:
        with pytest.raises(Unavailable) as caught:
            client.genres()
    finally:
        requests.delete(f"{server.url}/_fake/faults", timeout=5)  # wakes the stalled request
    assert caught.value.cause == "timeout"


# -- the rate limit, measured by the fake ---------------------------------------------------


def test_concurrent_clients_never_exceed_the_rate():
    """Three threads, each with its own client, share the process's limiter for the fake."""
    with FakeMusicBrainzServer(seed=42, artists=20, rate=4) as slow:
        errors: list[BaseException] = []

        def work() -> None:
            # 3/s against a fake that allows 4/s: the margin absorbs a busy machine's
            # scheduling (two requests handled back to back), not a missing limiter.
            client = MusicBrainzClient(slow.url, AGENT, rate_per_s=3, timeout=5)
            try:
                for _ in range(3):
                    client.genres(limit=5)
            except BaseException as error:  # noqa: BLE001 - reported below
                errors.append(error)

        threads = [threading.Thread(target=work) for _ in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        traffic = slow.traffic()
    assert errors == []
    assert traffic["requests"] == 9
    assert traffic["rate_limited"] == 0 and traffic["rate_exceeded"] is False


def test_the_fake_notices_a_client_that_is_too_fast():
    """The measurement above can fail: without the limiter the fake answers 503."""
    with FakeMusicBrainzServer(seed=42, artists=20, rate=1) as strict:
        statuses = [
            requests.get(
                f"{strict.url}/ws/2/genre/all?fmt=json", timeout=5, headers={"User-Agent": AGENT}
            )
            for _ in range(3)
        ]
        traffic = strict.traffic()
    assert [r.status_code for r in statuses][0] == 200
    assert 503 in [r.status_code for r in statuses]
    assert statuses[-1].headers["Retry-After"] == "1"
    assert traffic["rate_exceeded"] is True and traffic["rate_limited"] >= 1


# -- the Cover Art Archive ------------------------------------------------------------------


def _groups(server, with_cover: bool):
    return [
        g
        for g in server.catalogue.release_groups.values()
        if (g.cover_image_id is not None) == with_cover
    ]


def caa(server, **options) -> CoverArtClient:
    return CoverArtClient(server.url, AGENT, timeout=5, sleep=Sleeps(), **options)


def test_front_image_has_thumbnails_and_downloads_as_a_real_image(server):
    group = _groups(server, True)[0]
    cover = caa(server).front_image(group.id)
    assert cover is not None and cover.release_mbid == group.release_id
    assert sorted(cover.thumbnails) == [250, 500, 1200]
    assert cover.url_for(300) == cover.thumbnails[500]
    assert cover.url_for(2000) == cover.url
    image = caa(server).download(cover.url_for(250))
    assert image is not None and image.content_type == "image/png"
    assert (
        image.data.startswith(b"\x89PNG") and image.data[16:24] == (250).to_bytes(4, "big") * 2
    )  # IHDR width and height
    assert caa(server).download(cover.url_for(250)).data == image.data  # deterministic


def test_a_release_group_without_art_is_none(server):
    assert caa(server).front_image(_groups(server, False)[0].id) is None
    assert caa(server).front_image("00000000-0000-4000-8000-000000000000") is None


def test_downloads_are_capped_in_size(server):
    cover = caa(server).front_image(_groups(server, True)[0].id)
    with pytest.raises(ImageRejected) as caught:
        caa(server).download(cover.url, max_bytes=2000)
    assert caught.value.cause == "too_large"


def test_only_images_are_downloaded(server):
    group = _groups(server, True)[0]
    with pytest.raises(ImageRejected) as caught:
        caa(server).download(f"{server.url}/release-group/{group.id}")  # JSON, not an image
    assert caught.value.cause == "not_an_image"
    with pytest.raises(ImageRejected):
        caa(server).download("file:///etc/passwd")


def test_the_front_redirect_leads_to_the_same_image(server):
    group = _groups(server, True)[0]
    cover = caa(server).front_image(group.id)
    via_redirect = caa(server).download(f"{server.url}/release-group/{group.id}/front-500")
    assert via_redirect.data == caa(server).download(cover.thumbnails[500]).data


def test_cover_art_503_is_retried(server):
    group = _groups(server, True)[0]
    fault(server, path_prefix="/release-group/", status=503, retry_after=1)
    sleeps = Sleeps()
    assert CoverArtClient(server.url, AGENT, sleep=sleeps).front_image(group.id) is not None
    assert sleeps == [1.0]

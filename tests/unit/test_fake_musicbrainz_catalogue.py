"""The fake MusicBrainz's catalogue: built on the sandbox world, with every matching case."""

from __future__ import annotations

import zlib
from collections import Counter

import pytest

from music_time_machine.sandbox import build_world
from music_time_machine.sandbox.fake_musicbrainz import build_catalogue
from music_time_machine.sandbox.fake_musicbrainz.catalogue import MB_GENRE_NAMES
from music_time_machine.sandbox.fake_musicbrainz.images import cover_png
from music_time_machine.sandbox.fake_musicbrainz.query import QueryError, parse, score


@pytest.fixture(scope="module")
def world():
    return build_world(42, 300)


@pytest.fixture(scope="module")
def catalogue(world):
    return build_catalogue(world)


def test_it_knows_most_world_artists_and_shows_every_case(catalogue):
    fates = Counter(t.fate for t in catalogue.truth)
    assert len(catalogue.truth) == 300
    assert fates["exact"] > fates["name"] > fates["missing"] > 10
    assert sum(bool(t.homonym_mbid) for t in catalogue.truth) >= 5
    assert sum(bool(t.decoy_mbid) for t in catalogue.truth) >= 3
    assert all(t.fate != "missing" for t in catalogue.truth[:3])


def test_it_draws_on_the_same_world_as_the_demo_and_fake_spotify(world, catalogue):
    for artist, truth in zip(world.artists, catalogue.truth, strict=True):
        assert (truth.spotify_id, truth.name) == (artist.spotify_id, artist.name)
        if truth.fate == "exact":
            url = f"https://open.spotify.com/artist/{artist.spotify_id}"
            assert catalogue.urls[url][1] == [truth.mbid]
        if truth.genres:
            assert set(truth.genres) == {MB_GENRE_NAMES.get(g, g) for g in artist.genres}


def test_it_is_prefix_stable_like_the_world(catalogue):
    small = build_catalogue(build_world(42, 60))
    assert small.truth == catalogue.truth[:60]


def test_known_artists_recordings_are_the_worlds_tracks(world, catalogue):
    truth = catalogue.truth[0]
    titles = {r.title for r in catalogue.recordings.values() if r.credits[0][0] == truth.mbid}
    world_titles = {t.title.split(" (feat. ")[0] for t in world.tracks if t.artist == 0}
    assert titles == world_titles


def test_homonyms_share_the_name_but_not_the_genres(catalogue):
    for truth in (t for t in catalogue.truth if t.homonym_mbid):
        twin = catalogue.artists[truth.homonym_mbid]
        assert twin.name == truth.mb_name and twin.disambiguation
        assert {g for g, _ in twin.genres} != set(truth.genres)


def test_lucene_queries_are_read_with_fields_phrases_and_escapes():
    q = parse('recording:"Say \\"Hi\\"" AND artist:"AC\\/DC"')
    assert q.all_required and q.texts("recording") == ['Say "Hi"']
    assert q.texts("artist") == ["AC/DC"]
    assert parse("plain words").texts("") == ["plain", "words"]
    with pytest.raises(QueryError):
        parse('artist:"unterminated')
    assert score("Björn Åberg", "bjorn aberg") == 100
    assert 0 < score("Tide of Moths", "Tide of Moths Revival") < 100
    assert score("Tide", "Lantern") == 0


def test_covers_are_valid_pngs_of_the_asked_size():
    png = cover_png(123, 250)
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and png.endswith(b"IEND\xaeB`\x82")
    assert png[16:24] == (250).to_bytes(4, "big") * 2
    assert cover_png(124, 250) != png
    idat = png.index(b"IDAT")
    length = int.from_bytes(png[idat - 4 : idat], "big")
    assert len(zlib.decompress(png[idat + 4 : idat + 4 + length])) == (250 * 3 + 1) * 250


def test_mtm_fake_musicbrainz_takes_port_seed_and_rate():
    from click.testing import CliRunner

    from music_time_machine.cli import main

    result = CliRunner().invoke(main, ["fake-musicbrainz", "--help"])
    assert result.exit_code == 0
    assert all(option in result.output for option in ("--port", "--seed", "--rate"))
    assert CliRunner().invoke(main, ["fake-musicbrainz", "--rate", "0"]).exit_code == 2

"""The pure rules of enrichment: names as a person compares them, which genres an artist is
charted under, and the mood-tag table."""

from __future__ import annotations

import pytest

from music_time_machine import genres
from music_time_machine.db.enrichment import chart_genres
from music_time_machine.metadata.matching import comparable, same_name, search_name


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("The Velvet Tide", "Velvet Tide"),
        ("Simon & Garfunkel", "Simon and Garfunkel"),
        ("Beyonce", "Beyoncé"),
        ("SIGUR ROS", "Sigur Rós"),
        ("Mira Sol feat. Dune Radio", "Mira Sol"),
        ("Mira Sol (feat. Dune Radio)", "Mira Sol"),
        ("Kestrel + Finch", "Kestrel & Finch"),
        ("AC/DC", "AC DC"),
    ],
)
def test_names_a_person_would_call_the_same(ours, theirs):
    assert same_name(ours, theirs)


@pytest.mark.parametrize(
    "ours, theirs",
    [
        ("Tide of Moths", "Tide of Moths Revival"),
        ("The The", "The"),
        ("Mira", "Mira Sol"),
        ("Bear", "The Bears"),
    ],
)
def test_names_that_are_different_artists(ours, theirs):
    assert not same_name(ours, theirs)


def test_search_name_drops_only_a_featuring_tail():
    assert search_name("Lantern Bay ft. Someone") == "Lantern Bay"
    assert search_name("Featurette") == "Featurette"
    assert comparable("The") == "the"  # a band called "The" keeps its only word


def test_chart_genres_keep_the_well_voted_few():
    assert chart_genres([("rock", 9), ("pop", 4), ("jazz", 1), ("folk", 3)]) == [
        "rock",
        "pop",
        "folk",
    ]
    assert chart_genres([("rock", 9), ("jazz", 2)]) == ["rock"]  # a stray vote is not a genre
    assert chart_genres([("b", 2), ("a", 2), ("c", 2), ("d", 2)]) == ["a", "b", "c"]
    assert chart_genres([]) == []


def test_mood_tags_override_the_genre_estimate_for_what_they_name():
    rock, used_genres = genres.estimate(["hard rock"])
    features, g, t = genres.estimate_with_tags(["hard rock"], ["melancholic", "seen live"])
    assert (g, t) == (used_genres, ["melancholic"])
    assert features["valence"] == pytest.approx(0.18)
    assert features["valence"] < rock["valence"]
    assert features["tempo"] == rock["tempo"]  # not named by the tag: the genre's


def test_tags_alone_score_only_what_they_name_and_synonyms_share_hints():
    features, used_genres, used_tags = genres.estimate_with_tags([], ["Chillout", "mellow"])
    assert used_genres == [] and used_tags == ["Chillout", "mellow"]
    assert features["energy"] == pytest.approx(0.30)
    assert "danceability" not in features
    assert genres.estimate_with_tags(["unheard-of genre"], ["seen live", "british"]) is None


def test_every_tag_hint_is_on_the_feature_scale():
    for names, hints in genres.TAG_HINTS:
        assert names and all(n == n.lower() for n in names)
        for feature, value in hints.items():
            assert feature in genres.FEATURE_NAMES
            assert (40 <= value <= 250) if feature == "tempo" else (0 <= value <= 1)

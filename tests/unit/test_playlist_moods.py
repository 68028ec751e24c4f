"""Mood scoring by closeness, and the genre → feature estimates used without audio features."""

import pytest

from music_time_machine.genres import GENRE_TABLE, estimate, family_for
from music_time_machine.playlists.moods import MOODS, closeness

WORKOUT = {"energy": 0.9, "tempo": 150, "valence": 0.7, "danceability": 0.75}
BALLAD = {"energy": 0.2, "tempo": 70, "valence": 0.15, "danceability": 0.3, "acousticness": 0.9}


def test_a_track_inside_every_range_is_a_perfect_fit():
    assert closeness(MOODS["workout"], WORKOUT) == 1.0
    assert closeness(MOODS["melancholic"], BALLAD) == 1.0


def test_closeness_falls_with_distance_instead_of_filtering():
    near = closeness(MOODS["workout"], {**WORKOUT, "tempo": 130})
    far = closeness(MOODS["workout"], {**WORKOUT, "tempo": 90})
    assert 1.0 > near > far > 0.0
    assert closeness(MOODS["workout"], BALLAD) < near
    assert closeness(MOODS["workout"], BALLAD) > 0  # ranked low, never dropped


def test_unknown_features_are_left_out_and_none_known_means_no_score():
    assert closeness(MOODS["focus"], {"energy": 0.3}) == 1.0
    assert closeness(MOODS["focus"], {"energy": None, "tempo": None}) is None


@pytest.mark.parametrize("mood", sorted(MOODS))
def test_every_profile_prefers_its_own_kind_of_track(mood):
    examples = {
        "workout": WORKOUT,
        "focus": {"energy": 0.3, "tempo": 100, "instrumentalness": 0.8, "speechiness": 0.03},
        "party": {"energy": 0.85, "valence": 0.8, "danceability": 0.8, "tempo": 125},
        "chill": {"energy": 0.35, "valence": 0.55, "tempo": 95, "acousticness": 0.6},
        "melancholic": BALLAD,
    }
    own = closeness(MOODS[mood], examples[mood])
    assert all(own >= closeness(MOODS[mood], other) for other in examples.values())


@pytest.mark.parametrize(
    "genre, family",
    [
        ("pop", "pop"),
        ("dance pop", "pop"),
        ("k-pop", "k-pop"),
        ("indie rock", "rock"),
        ("indie", "indie"),
        ("dream pop", "indie"),
        ("alternative metal", "metal"),
        ("death metal", "metal"),
        ("pop punk", "punk"),
        ("hip hop", "hip hop"),
        ("gangster rap", "hip hop"),
        ("trap", "hip hop"),
        ("neo soul", "r&b / soul"),
        ("funk", "funk / disco"),
        ("deep house", "house"),
        ("techno", "techno"),
        ("edm", "electronic"),
        ("drum and bass", "drum and bass"),
        ("uplifting trance", "trance"),
        ("ambient", "ambient"),
        ("lo-fi beats", "lo-fi"),
        ("baroque", "classical"),
        ("neoclassical", "classical"),
        ("vocal jazz", "jazz"),
        ("indie folk", "folk / acoustic"),
        ("singer-songwriter", "folk / acoustic"),
        ("contemporary country", "country"),
        ("reggaeton", "latin"),
        ("soundtrack", "soundtrack"),
        ("delta blues", "blues"),
        ("roots reggae", "reggae"),
        ("Afrobeats", "afrobeats"),
    ],
)
def test_genres_map_to_their_family(genre, family):
    assert family_for(genre).family == family


def test_an_unknown_genre_has_no_estimate():
    assert family_for("polka") is None
    assert estimate(["polka", "yodel"]) is None


def test_estimates_average_the_matched_genres_and_name_them():
    features, used = estimate(["metal", "ambient", "polka"])
    metal, ambient = family_for("metal"), family_for("ambient")
    assert used == ["metal", "ambient"]
    assert features["energy"] == pytest.approx((metal.energy + ambient.energy) / 2)


def test_the_table_uses_spotify_scales():
    for entry in GENRE_TABLE:
        for name, value in entry.features().items():
            assert 40 <= value <= 220 if name == "tempo" else 0 <= value <= 1, entry.family

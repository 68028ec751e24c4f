"""Mood profiles (DESIGN §4) and how close a track's features are to one.

A profile is a set of target ranges. A track is scored by *closeness*, not filtered: every
feature inside its range counts as a perfect fit, and a feature outside loses credit in
proportion to how far it is from the range. So a small or one-sided history still yields a
playlist (the best fits first) instead of nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

#: How many BPM outside a tempo range cost as much as 1.0 on a 0..1 feature: a track 30 BPM
#: too slow is "half wrong" about tempo.
TEMPO_SCALE_BPM = 60.0

#: The open end of "≥" / "≤" targets.
_TOP = {"tempo": 250.0}


@dataclass(frozen=True)
class Mood:
    key: str
    label: str
    description: str
    #: feature → (low, high); an open end is the scale's end (0 or 1, 0 or 250 BPM).
    targets: Mapping[str, tuple[float, float]]


MOODS: dict[str, Mood] = {
    m.key: m
    for m in (
        Mood(
            "workout",
            "Workout",
            "High energy, fast (140+ BPM), upbeat and danceable.",
            {
                "energy": (0.75, 1.0),
                "tempo": (140.0, 250.0),
                "valence": (0.5, 1.0),
                "danceability": (0.6, 1.0),
            },
        ),
        Mood(
            "focus",
            "Focus",
            "Calm, steady 90–110 BPM, mostly instrumental, few words.",
            {
                "energy": (0.0, 0.4),
                "tempo": (90.0, 110.0),
                "instrumentalness": (0.5, 1.0),
                "speechiness": (0.0, 0.1),
            },
        ),
        Mood(
            "party",
            "Party",
            "Energetic, happy and very danceable, 118–135 BPM.",
            {
                "energy": (0.7, 1.0),
                "valence": (0.7, 1.0),
                "danceability": (0.7, 1.0),
                "tempo": (118.0, 135.0),
            },
        ),
        Mood(
            "chill",
            "Chill",
            "Relaxed, mellow, 80–110 BPM, with an acoustic touch.",
            {
                "energy": (0.0, 0.5),
                "valence": (0.4, 0.7),
                "tempo": (80.0, 110.0),
                "acousticness": (0.3, 1.0),
            },
        ),
        Mood(
            "melancholic",
            "Melancholic",
            "Low energy, sad and acoustic.",
            {"energy": (0.0, 0.5), "valence": (0.0, 0.3), "acousticness": (0.4, 1.0)},
        ),
    )
}


def _miss(feature: str, value: float, low: float, high: float) -> float:
    """0 inside the range, growing to 1 with the distance outside it."""
    distance = low - value if value < low else (value - high if value > high else 0.0)
    if feature == "tempo":
        distance /= TEMPO_SCALE_BPM
    return min(1.0, distance)


def closeness(mood: Mood, features: Mapping[str, float | None]) -> float | None:
    """How well ``features`` fit ``mood``, from 0 (far off) to 1 (every target met).

    Features that are unknown are left out of the average; ``None`` when none of the
    profile's features is known, because then there is nothing to judge by.
    """
    misses = [
        _miss(name, float(features[name]), low, high)
        for name, (low, high) in mood.targets.items()
        if features.get(name) is not None
    ]
    if not misses:
        return None
    return 1.0 - sum(misses) / len(misses)


def describe_fit(mood: Mood, features: Mapping[str, float | None]) -> str:
    """A short, human reason: which targets the track meets."""
    met = [
        name
        for name, (low, high) in mood.targets.items()
        if features.get(name) is not None and _miss(name, float(features[name]), low, high) == 0
    ]
    if not met:
        return "closest available fit"
    return "meets the " + ", ".join(met) + " target" + ("s" if len(met) > 1 else "")

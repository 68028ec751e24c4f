"""Invented, real-looking names for the fake catalogue's artists, albums and tracks."""

from __future__ import annotations

import random

_ADJECTIVES = [
    "Velvet",
    "Silver",
    "Quiet",
    "Electric",
    "Golden",
    "Paper",
    "Hollow",
    "Midnight",
    "Crimson",
    "Neon",
    "Wild",
    "Northern",
    "Glass",
    "Lunar",
    "Static",
    "Amber",
    "Broken",
    "Distant",
    "Tender",
    "Violet",
    "Copper",
    "Faded",
    "Restless",
    "Salt",
    "Winter",
    "Summer",
    "Slow",
    "Bright",
]
_NOUNS = [
    "Harbor",
    "Lantern",
    "Orchard",
    "Signal",
    "Tide",
    "Comet",
    "Meadow",
    "Engine",
    "Ghost",
    "Horizon",
    "Garden",
    "River",
    "Echo",
    "Avenue",
    "Fox",
    "Satellite",
    "Mirror",
    "Parade",
    "Cathedral",
    "Circuit",
    "Season",
    "Window",
    "Island",
    "Compass",
    "Thunder",
    "Feather",
    "Canyon",
]
_FIRST_NAMES = [
    "Mara",
    "Jonah",
    "Elif",
    "Tomas",
    "Ines",
    "Kofi",
    "Saoirse",
    "Lena",
    "Ravi",
    "Noor",
    "Henrik",
    "Ada",
    "Milo",
    "Yara",
    "Otto",
    "Camille",
    "Dario",
    "Freya",
    "Idris",
    "Juno",
    "Kenji",
    "Lucia",
]
_LAST_NAMES = [
    "Vance",
    "Okafor",
    "Lindqvist",
    "Moreau",
    "Castell",
    "Whitlow",
    "Brandt",
    "Adeyemi",
    "Sato",
    "Rowe",
    "Kowalski",
    "Fairweather",
    "Delacroix",
    "Hale",
    "Marsh",
    "Novak",
    "Quill",
    "Stroud",
]
_VERBS = ["Falling", "Running", "Dancing", "Waiting", "Dreaming", "Burning", "Drifting", "Calling"]
_PLACES = ["Lisbon", "Osaka", "Tallinn", "Marseille", "Bristol", "Detroit", "Lagos", "Reykjavik"]


def _plural(noun: str) -> str:
    if noun.endswith(("s", "x", "h", "o")):
        return noun + "es"
    return noun + "s"


def artist_name(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.30:
        return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
    if style < 0.55:
        return f"The {rng.choice(_ADJECTIVES)} {_plural(rng.choice(_NOUNS))}"
    if style < 0.75:
        return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    if style < 0.85:
        return f"{rng.choice(_NOUNS)} {rng.choice(_PLACES)}"
    if style < 0.93:
        return f"DJ {rng.choice(_FIRST_NAMES)}"
    return f"{rng.choice(_FIRST_NAMES)} & the {_plural(rng.choice(_NOUNS))}"


def title(rng: random.Random) -> str:
    style = rng.random()
    if style < 0.35:
        return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
    if style < 0.55:
        return f"{rng.choice(_NOUNS)} of {_plural(rng.choice(_NOUNS))}"
    if style < 0.70:
        return f"{rng.choice(_VERBS)} in the {rng.choice(_NOUNS)}"
    if style < 0.80:
        return f"{rng.choice(_PLACES)} {rng.choice(['Nights', 'Morning', 'Rain', 'Lights'])}"
    if style < 0.90:
        return rng.choice(_NOUNS)
    return f"{rng.choice(_VERBS)} {rng.choice(['Home', 'Away', 'Slowly', 'Again', 'Alone'])}"

"""Invented but plausible names for the sandbox world's artists, albums and tracks.

Names are built from small word lists so that a chart of demo data reads like a real
library (bands, solo artists, producers, K-pop groups, lo-fi handles, ensembles) and so
that non-ASCII names ("Kōji Arata", "Björn Åberg") exercise the name normalisation and the
templates. Every function takes the caller's ``random.Random`` so output is reproducible.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ..normalise import name_key

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

# (first names, last names) per naming culture; names mostly stay within one culture.
_PEOPLE: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (
        (
            "Mira",
            "Jonah",
            "Elise",
            "Theo",
            "Nora",
            "Callum",
            "Ivy",
            "Felix",
            "Hazel",
            "Rowan",
            "Maya",
            "Owen",
            "Clara",
            "Jude",
            "Lena",
            "Silas",
            "Ada",
            "Milo",
            "June",
            "Ezra",
        ),
        (
            "Hart",
            "Calloway",
            "Reed",
            "Whitlock",
            "Ashby",
            "Marlowe",
            "Finch",
            "Holloway",
            "Vance",
            "Sterling",
            "Lark",
            "Bishop",
            "Kerr",
            "Quinn",
            "Mercer",
            "Dale",
        ),
    ),
    (
        ("Inès", "Léa", "Théo", "Céline", "Mathis", "Chloé", "Étienne", "Amélie", "Noé"),
        ("Solenne", "Moreau", "Lefèvre", "Delacroix", "Bérard", "Roussel", "Fontaine", "Mercier"),
    ),
    (
        ("Björn", "Zoë", "Jonas", "Frida", "Søren", "Ingrid", "Lukas", "Maja", "Jörg"),
        ("Halvorsen", "Brandt", "Lindqvist", "Åberg", "Vogel", "Krüger", "Nyström", "Østergaard"),
    ),
    (
        ("José", "Lucía", "Mateo", "Valentina", "Ana Luísa", "Joaquín", "Camila", "Iñigo"),
        ("Álvarez", "Ortega", "Peña", "Castillo", "Navarro", "Serrano", "Ibáñez", "Duarte"),
    ),
    (
        ("Kōji", "Yuna", "Haruto", "Aoi", "Ren", "Sakura", "Daichi", "Emi"),
        ("Arata", "Tanaka", "Moriyama", "Hoshino", "Kuroda", "Aoki", "Fujita", "Nakamura"),
    ),
    (
        ("Seo-yeon", "Min-jun", "Ji-woo", "Ha-eun", "Do-yoon", "Yu-na"),
        ("Park", "Kim", "Lee", "Choi", "Han", "Yoon"),
    ),
    (
        ("Łucja", "Tomasz", "Zofia", "Jakub", "Anežka", "Wojciech"),
        ("Nowak", "Kowalczyk", "Dvořák", "Horák", "Zieliński", "Wróbel"),
    ),
    (
        ("Ayo", "Chioma", "Tunde", "Amara", "Kwame", "Zainab"),
        ("Adeyemi", "Okafor", "Mensah", "Balogun", "Asante", "Diallo"),
    ),
)

_ADJ = (
    "Velvet",
    "Golden",
    "Electric",
    "Hollow",
    "Neon",
    "Paper",
    "Silver",
    "Quiet",
    "Wild",
    "Lunar",
    "Crimson",
    "Static",
    "Broken",
    "Northern",
    "Wandering",
    "Little",
    "Sunday",
    "Midnight",
    "Glass",
    "Amber",
    "Violet",
    "Distant",
    "Frozen",
    "Young",
    "Honey",
    "Slow",
    "Pale",
    "Secret",
    "Copper",
    "Tender",
)
_NOUN = (
    "Harbour",
    "Lantern",
    "Falcon",
    "Tide",
    "Engine",
    "Parade",
    "Satellite",
    "Orchard",
    "Ghost",
    "River",
    "Atlas",
    "Comet",
    "Raven",
    "Garden",
    "Machine",
    "Beacon",
    "Pine",
    "Mountain",
    "Tower",
    "Cassette",
    "Motel",
    "Arcade",
    "Signal",
    "Sparrow",
    "Lagoon",
    "Meridian",
    "Circuit",
    "Cathedral",
    "Moth",
    "Lighthouse",
)
_SYL_A = (
    "Nor",
    "Lu",
    "Ka",
    "Vel",
    "Ae",
    "Sol",
    "Ny",
    "Xo",
    "Ori",
    "Zen",
    "Mor",
    "Cy",
    "Ila",
    "Tes",
    "Ru",
    "Qui",
)
_SYL_B = (
    "thlight",
    "men",
    "iro",
    "vet",
    "on",
    "ace",
    "x",
    "ra",
    "ine",
    "ode",
    "sa",
    "vik",
    "lune",
    "tra",
)
_KPOP = ("NOVA", "LUMINA", "ECLIPSE", "STARLIGHT", "AURORA", "PRISM", "VIVID", "ORBIT", "BLOOM")
_CITIES = ("Leipzig", "Lisbon", "Kyoto", "Montréal", "Bergen", "Vienna", "Kraków", "Dublin")
_ENSEMBLE = ("Quartet", "Trio", "Ensemble", "Chamber Orchestra", "Sinfonietta")

_T_NOUN = (
    "Midnight",
    "Satellites",
    "Wildfire",
    "Daydream",
    "Heartbeat",
    "Gravity",
    "Paper Planes",
    "Summer",
    "Streetlights",
    "Echoes",
    "Horizon",
    "Polaroid",
    "Ocean",
    "Static",
    "Honey",
    "Glitter",
    "Thunder",
    "Lullaby",
    "Mirrors",
    "Fever",
    "Afterglow",
    "Runaway",
    "Silhouette",
    "Paradise",
    "Letters",
    "Shadows",
    "Kaleidoscope",
    "Avalanche",
    "Marigold",
    "Tokyo",
    "Berlin",
    "Lisbon",
    "Highway",
    "Rain",
    "Sugar",
    "Moonlight",
    "Oxygen",
    "Saturn",
    "Cherry",
    "Wires",
    "Balcony",
    "Fireworks",
)
_T_ADJ = (
    "Golden",
    "Electric",
    "Slow",
    "Late",
    "Lonely",
    "Blue",
    "Sweet",
    "Endless",
    "Quiet",
    "Broken",
    "Crystal",
    "Dangerous",
    "Bright",
    "Faded",
    "Wild",
    "Burning",
    "Silent",
    "Tender",
    "Heavy",
    "Empty",
    "Perfect",
    "Secret",
)
_T_PHRASE = (
    "Don't Wait Up",
    "Call Me Later",
    "Stay Tonight",
    "Hold On",
    "Take Me Home",
    "All I Want",
    "Never Enough",
    "Let It Go",
    "One More Time",
    "Come Back",
    "If You Leave",
    "Running Late",
    "Only Tonight",
    "Nowhere Else",
    "Say My Name",
    "Lose Control",
    "Before You Go",
    "Talk To Me",
    "Keep Dancing",
    "Over Again",
)
_T_SPANISH = (
    "Corazón",
    "Noche de Verano",
    "Bailando Sola",
    "Mi Vida",
    "Fuego Lento",
    "Otra Vez",
    "Quédate",
    "Lluvia",
    "Dime Que Sí",
    "Contigo",
    "La Última Vez",
    "Sin Ti",
    "Mañana",
    "Perreo Lento",
    "Calor",
)
_FORMS = (
    "Sonata",
    "Nocturne",
    "Prelude",
    "Étude",
    "Sinfonia",
    "Concerto",
    "Suite",
    "Partita",
    "Fantasia",
)
_KEYS = (
    "C Major",
    "D Minor",
    "E-flat Major",
    "F-sharp Minor",
    "G Major",
    "A Minor",
    "B-flat Major",
    "C-sharp Minor",
)
_MOVEMENTS = (
    "Allegro",
    "Adagio",
    "Andante",
    "Largo",
    "Presto",
    "Moderato",
    "Scherzo",
    "Allegretto",
    "Rondo",
)
_ROMAN = ("I", "II", "III", "IV")


def base62_id(rng: random.Random) -> str:
    """A 22-character base62 id, the shape of Spotify's ids."""
    return "".join(rng.choices(BASE62, k=22))


def person_name(rng: random.Random) -> str:
    firsts, lasts = rng.choice(_PEOPLE)
    if rng.random() < 0.2:  # people are not bound to one culture
        lasts = rng.choice(_PEOPLE)[1]
    return f"{rng.choice(firsts)} {rng.choice(lasts)}"


def artist_name(rng: random.Random, family: str) -> str:
    """A name whose style suits the genre family (producers, groups, ensembles...)."""
    r = rng.random()
    if (family == "electronic" and r < 0.6) or (family == "chill" and r < 0.3):
        name = rng.choice(_SYL_A) + rng.choice(_SYL_B)
        name = name.replace("o", "ø", 1) if rng.random() < 0.15 else name
        return name.upper() if rng.random() < 0.35 else name
    if family == "chill" and r < 0.6:
        return f"{rng.choice(_ADJ).lower()} {rng.choice(_NOUN).lower()}" + rng.choice(
            ("", "", ".wav", "s", " tapes")
        )
    if family == "kpop" and r < 0.7:
        return rng.choice(_KPOP) + rng.choice(("", "", "9", "X", " DAY", "21"))
    if family == "classical" and r < 0.45:
        return rng.choice(
            (
                f"{rng.choice(_PEOPLE[0][1])} {rng.choice(_ENSEMBLE)}",
                f"{rng.choice(_CITIES)} {rng.choice(_ENSEMBLE)}",
            )
        )
    if family in ("rock", "folk") and r < 0.55:
        adj, noun = rng.choice(_ADJ), rng.choice(_NOUN)
        return rng.choice(
            (
                f"The {adj} {noun}",
                f"The {noun}s",
                f"{adj} {noun}s",
                f"{noun} of {rng.choice(_NOUN)}s",
                f"The {adj} {noun}",
            )
        )
    if r < 0.12:
        return f"{person_name(rng)} & The {rng.choice(_ADJ)} {rng.choice(_NOUN)}s"
    if r < 0.2:
        return person_name(rng).split(" ")[0]  # a mononym
    return person_name(rng)


def unique_name(make: Callable[[], str], taken: set[str]) -> str:
    """Call ``make()`` until its name key is new, numbering the name as a last resort."""
    for _ in range(30):
        name = make()
        if name_key(name) not in taken:
            break
    else:
        base, n = name, 2
        while name_key(name) in taken:
            name, n = f"{base} {n}", n + 1
    taken.add(name_key(name))
    return name


def track_title(rng: random.Random, family: str) -> str:
    r = rng.random()
    if family == "classical":
        return (
            f"{rng.choice(_FORMS)} No. {rng.randint(1, 24)} in {rng.choice(_KEYS)}: "
            f"{rng.choice(_ROMAN)}. {rng.choice(_MOVEMENTS)}"
        )
    if family == "latin" and r < 0.7:
        return rng.choice(_T_SPANISH) + rng.choice(("", "", "", " (Remix)"))
    if family == "chill" and r < 0.6:
        return f"{rng.choice(_T_ADJ)} {rng.choice(_T_NOUN)}".lower()
    if r < 0.3:
        title = rng.choice(_T_PHRASE)
    elif r < 0.6:
        title = f"{rng.choice(_T_ADJ)} {rng.choice(_T_NOUN)}"
    elif r < 0.85:
        title = rng.choice(_T_NOUN)
    else:
        title = f"{rng.choice(_T_NOUN)} in {rng.choice(_CITIES)}"
    if family == "electronic" and rng.random() < 0.25:
        title += rng.choice((" - Extended Mix", " - Club Edit", " (Dub)"))
    elif rng.random() < 0.03:
        title += rng.choice((" - Live", " - Acoustic", " - 2011 Remaster"))
    return title


def album_title(rng: random.Random, family: str, artist: str) -> str:
    r = rng.random()
    if r < 0.08:
        return artist  # self-titled
    if family == "classical":
        return f"{rng.choice(_FORMS)}s & {rng.choice(_FORMS)}s"
    if r < 0.15:
        return f"Live at {rng.choice(_CITIES)}"
    if r < 0.55:
        return f"{rng.choice(_T_ADJ)} {rng.choice(_T_NOUN)}"
    if r < 0.8:
        return rng.choice(_T_NOUN)
    return f"{rng.choice(_T_NOUN)} & {rng.choice(_T_NOUN)}"

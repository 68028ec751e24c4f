"""The one genre → feature table: what a typical track of a genre sounds like.

Two users of one table: the mood playlists estimate features for tracks Spotify no longer
describes, and the invented sandbox world (``sandbox/world.py``) derives its tracks' audio
features and lengths from their artists' genres. Because both read this table, a demo
"metal" track scores on moods exactly as the estimate for a real metal track would. It lives
beside ``rules.py`` and ``normalise.py`` (a domain rule, not a page's helper) so that the
fakes need not import the playlist package to use it.

Since late 2024 Spotify's ``/audio-features`` endpoint is closed to development-mode apps, so
most users' tracks have no energy, valence or tempo. What we usually do have is the artist's
genres (Spotify's artist object, when it still carries them). This table maps genre
*families* to typical feature values, so a mood can still be scored.

How a genre string is matched: lower-cased, every keyword that occurs in it starting at a
word start is a candidate; a keyword that *ends* the genre wins, because the last word of a
genre name is its head ("indie rock" is rock, "alternative metal" is metal, "dream pop" is in
the indie family because "dream pop" itself is a keyword), and among those the longest wins
("drum and bass" beats "bass", "k-pop" beats "pop"). The genres of all a track's artists are
averaged. A genre that matches nothing is
ignored. The numbers are deliberately round: they place a family on the map (a metal track
is energetic and not acoustic, an ambient track is calm and instrumental), they do not
pretend to describe a particular song.

Columns: energy, valence, danceability, tempo (BPM), acousticness, instrumentalness,
speechiness — the same scale as Spotify's audio features — and a typical track length in
seconds (only the sandbox uses it: a mood is not judged by length).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

#: Spotify's audio features: the columns of this table and of the ``tracks`` table.
FEATURE_NAMES = (
    "energy",
    "valence",
    "danceability",
    "tempo",
    "acousticness",
    "instrumentalness",
    "speechiness",
)


@dataclass(frozen=True)
class GenreEstimate:
    family: str
    keywords: tuple[str, ...]
    energy: float
    valence: float
    danceability: float
    tempo: float
    acousticness: float
    instrumentalness: float
    speechiness: float
    seconds: int

    def features(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in FEATURE_NAMES}


def _g(
    family: str,
    energy: float,
    valence: float,
    danceability: float,
    tempo: float,
    acousticness: float,
    instrumentalness: float,
    speechiness: float,
    seconds: int,
    keywords: str,
) -> GenreEstimate:
    return GenreEstimate(
        family,
        tuple(k.strip() for k in keywords.split(",")),
        energy,
        valence,
        danceability,
        tempo,
        acousticness,
        instrumentalness,
        speechiness,
        seconds,
    )


#: family, then energy, valence, danceability, tempo, acousticness, instrumentalness,
#: speechiness, typical length in seconds, then the keywords that put a genre in the family.
GENRE_TABLE: tuple[GenreEstimate, ...] = (
    _g(
        "pop",
        0.68,
        0.62,
        0.68,
        118,
        0.18,
        0.02,
        0.06,
        205,
        "pop, dance pop, electropop, synthpop, europop",
    ),
    _g(
        "k-pop",
        0.78,
        0.66,
        0.70,
        122,
        0.12,
        0.01,
        0.07,
        200,
        "k-pop, kpop, j-pop, jpop, c-pop, mandopop, cantopop",
    ),
    _g(
        "indie",
        0.58,
        0.42,
        0.55,
        118,
        0.30,
        0.10,
        0.05,
        225,
        "indie, alternative, alt-, shoegaze, dream pop, bedroom",
    ),
    _g(
        "rock",
        0.76,
        0.48,
        0.50,
        126,
        0.10,
        0.05,
        0.05,
        235,
        "rock, grunge, britpop, garage, new wave",
    ),
    _g(
        "classic rock",
        0.66,
        0.58,
        0.54,
        120,
        0.22,
        0.04,
        0.04,
        250,
        "classic rock, soft rock, yacht rock",
    ),
    _g(
        "metal",
        0.92,
        0.30,
        0.40,
        138,
        0.02,
        0.15,
        0.08,
        290,
        "metal, metalcore, deathcore, djent, thrash, doom, nu metal",
    ),
    _g("punk", 0.90, 0.50, 0.48, 160, 0.03, 0.02, 0.07, 160, "punk, hardcore, emo, pop punk, ska"),
    _g(
        "hip hop",
        0.68,
        0.50,
        0.76,
        112,
        0.12,
        0.01,
        0.26,
        205,
        "hip hop, hip-hop, rap, trap, drill, grime, boom bap",
    ),
    _g(
        "r&b / soul",
        0.55,
        0.54,
        0.68,
        100,
        0.28,
        0.02,
        0.07,
        215,
        "r&b, rnb, soul, neo soul, motown, quiet storm",
    ),
    _g(
        "funk / disco",
        0.74,
        0.78,
        0.80,
        118,
        0.12,
        0.05,
        0.06,
        250,
        "funk, disco, boogie, nu-disco",
    ),
    _g(
        "electronic",
        0.80,
        0.45,
        0.68,
        126,
        0.05,
        0.45,
        0.06,
        215,
        "electronic, electronica, edm, electro, idm, big room, synthwave",
    ),
    _g(
        "house",
        0.78,
        0.58,
        0.78,
        124,
        0.04,
        0.55,
        0.06,
        330,
        "house, deep house, tech house, uk garage, garage house",
    ),
    _g(
        "techno", 0.84, 0.32, 0.70, 132, 0.03, 0.80, 0.05, 380, "techno, minimal techno, industrial"
    ),
    _g(
        "trance",
        0.86,
        0.40,
        0.60,
        138,
        0.03,
        0.70,
        0.04,
        360,
        "trance, psytrance, progressive trance",
    ),
    _g(
        "drum and bass",
        0.90,
        0.42,
        0.56,
        172,
        0.03,
        0.55,
        0.07,
        300,
        "drum and bass, drum & bass, dnb, jungle, breakbeat, dubstep",
    ),
    _g(
        "ambient",
        0.18,
        0.22,
        0.30,
        90,
        0.70,
        0.85,
        0.04,
        320,
        "ambient, drone, new age, space music, meditation",
    ),
    _g(
        "lo-fi",
        0.38,
        0.45,
        0.66,
        86,
        0.55,
        0.75,
        0.06,
        150,
        "lo-fi, lofi, chillhop, chillwave, downtempo, trip hop",
    ),
    _g(
        "classical",
        0.20,
        0.28,
        0.26,
        100,
        0.90,
        0.88,
        0.04,
        400,
        "classical, neoclassical, baroque, orchestral, opera, chamber music, string quartet,"
        " minimalism, compositional ambient",
    ),
    _g(
        "jazz",
        0.40,
        0.52,
        0.55,
        108,
        0.70,
        0.55,
        0.06,
        300,
        "jazz, bebop, swing, big band, bossa nova, smooth jazz",
    ),
    _g(
        "folk / acoustic",
        0.36,
        0.40,
        0.52,
        106,
        0.78,
        0.10,
        0.04,
        220,
        "folk, singer-songwriter, acoustic, americana, bluegrass, indie folk",
    ),
    _g("country", 0.60, 0.60, 0.60, 116, 0.35, 0.01, 0.04, 200, "country, honky tonk, outlaw"),
    _g(
        "latin",
        0.76,
        0.72,
        0.78,
        98,
        0.20,
        0.01,
        0.09,
        210,
        "latin, reggaeton, salsa, bachata, cumbia, merengue, dembow, urbano",
    ),
    _g(
        "soundtrack",
        0.36,
        0.26,
        0.30,
        104,
        0.55,
        0.75,
        0.04,
        190,
        "soundtrack, score, film, video game, musical, show tunes",
    ),
    _g("blues", 0.52, 0.46, 0.52, 104, 0.50, 0.10, 0.05, 260, "blues, delta blues, chicago blues"),
    _g(
        "reggae",
        0.58,
        0.72,
        0.76,
        90,
        0.20,
        0.05,
        0.10,
        230,
        "reggae, dub, dancehall, roots reggae, ska revival",
    ),
    _g(
        "afrobeats",
        0.72,
        0.74,
        0.80,
        108,
        0.15,
        0.05,
        0.09,
        210,
        "afrobeat, afrobeats, afropop, amapiano, highlife",
    ),
    _g(
        "gospel / worship",
        0.56,
        0.56,
        0.50,
        110,
        0.35,
        0.01,
        0.05,
        260,
        "gospel, worship, christian, ccm",
    ),
    _g(
        "world",
        0.55,
        0.55,
        0.58,
        110,
        0.50,
        0.15,
        0.06,
        240,
        "world, flamenco, fado, celtic, bollywood, filmi",
    ),
)


_KEYWORDS = [
    (keyword, re.compile(r"(?<![a-z0-9])" + re.escape(keyword)), entry)
    for entry in GENRE_TABLE
    for keyword in entry.keywords
]


def family_for(genre: str) -> GenreEstimate | None:
    """The table entry for ``genre`` by the matching rule above (None when nothing matches)."""
    text = " ".join(genre.lower().split())
    best: tuple[tuple[bool, int], GenreEstimate] | None = None
    for keyword, pattern, entry in _KEYWORDS:
        if pattern.search(text):
            rank = (text.endswith(keyword), len(keyword))
            if best is None or rank > best[0]:
                best = (rank, entry)
    return best[1] if best else None


def estimate(genres: Iterable[str]) -> tuple[dict[str, float], list[str]] | None:
    """Averaged feature estimates for a track's genres, and the genres that were used.

    None when no genre matched a family: then the track has no estimate.
    """
    matched: list[tuple[str, GenreEstimate]] = []
    for genre in genres:
        entry = family_for(genre)
        if entry is not None:
            matched.append((genre, entry))
    if not matched:
        return None
    averaged = {
        name: sum(getattr(entry, name) for _, entry in matched) / len(matched)
        for name in FEATURE_NAMES
    }
    used = list(dict.fromkeys(genre for genre, _ in matched))
    return averaged, used


# -- mood-like tags -----------------------------------------------------------------------------
#
# MusicBrainz listeners also tag artists and recordings with how they sound ("chill",
# "energetic", "melancholic"). Such a tag says more about a track's mood than its genre's
# average, so it *replaces* the genre estimate for the features it names (several tags
# naming one feature are averaged) and leaves the others to the genres. A track with mood
# tags but no known genre is scored on the tagged features alone. Tags are matched whole,
# lower-cased; the synonyms after the first word share its hints. Free tags that name no
# mood ("seen live", "british") are ignored.
#
# tag (and synonyms) -> the features it implies, on the scale of FEATURE_NAMES.
TAG_HINTS: tuple[tuple[tuple[str, ...], dict[str, float]], ...] = (
    (
        ("chill", "chillout", "chilled", "relaxing", "laid-back"),
        {"energy": 0.30, "valence": 0.55, "tempo": 95.0, "acousticness": 0.45},
    ),
    (("mellow", "soft", "gentle"), {"energy": 0.30, "valence": 0.50, "acousticness": 0.50}),
    (("calm", "peaceful", "meditative"), {"energy": 0.20, "tempo": 90.0, "acousticness": 0.60}),
    (
        ("ambient", "atmospheric"),
        {"energy": 0.15, "instrumentalness": 0.80, "acousticness": 0.60, "speechiness": 0.04},
    ),
    (("energetic", "high energy", "intense"), {"energy": 0.88, "danceability": 0.65}),
    (("upbeat", "happy", "uplifting", "feel good", "fun"), {"valence": 0.80, "energy": 0.72}),
    (
        ("party", "dance", "danceable", "club"),
        {"energy": 0.82, "valence": 0.75, "danceability": 0.82, "tempo": 124.0},
    ),
    (("catchy",), {"danceability": 0.70, "valence": 0.68}),
    (("workout", "gym", "running"), {"energy": 0.90, "tempo": 145.0, "danceability": 0.70}),
    (("aggressive", "heavy", "angry"), {"energy": 0.92, "valence": 0.30}),
    (
        ("melancholic", "melancholy", "sad", "bittersweet", "depressing"),
        {"valence": 0.18, "energy": 0.35, "acousticness": 0.50},
    ),
    (("dark", "gloomy", "brooding"), {"valence": 0.20}),
    (("acoustic", "unplugged"), {"acousticness": 0.85, "energy": 0.35}),
    (("instrumental",), {"instrumentalness": 0.90, "speechiness": 0.03}),
    (
        ("focus", "study", "concentration"),
        {"energy": 0.30, "instrumentalness": 0.75, "speechiness": 0.04, "tempo": 100.0},
    ),
)

_TAG_INDEX = {synonym: hints for names, hints in TAG_HINTS for synonym in names}


def tag_hints(tags: Iterable[str]) -> tuple[dict[str, float], list[str]] | None:
    """The features implied by a track's mood-like tags (averaged per feature), and the tags
    that were used; None when no tag names a mood."""
    sums: dict[str, list[float]] = {}
    used: list[str] = []
    for tag in tags:
        hints = _TAG_INDEX.get(" ".join(tag.lower().split()))
        if hints is None:
            continue
        used.append(tag)
        for name, value in hints.items():
            sums.setdefault(name, []).append(value)
    if not used:
        return None
    return {name: sum(values) / len(values) for name, values in sums.items()}, list(
        dict.fromkeys(used)
    )


def estimate_with_tags(
    genres: Iterable[str], tags: Iterable[str]
) -> tuple[dict[str, float], list[str], list[str]] | None:
    """``estimate`` of the genres with the mood tags' hints on top (see above): (features,
    genres used, tags used), or None when neither says anything."""
    from_genres = estimate(genres)
    from_tags = tag_hints(tags)
    if from_genres is None and from_tags is None:
        return None
    features = dict(from_genres[0]) if from_genres else {}
    if from_tags:
        features.update(from_tags[0])
    return features, (from_genres[1] if from_genres else []), (from_tags[1] if from_tags else [])

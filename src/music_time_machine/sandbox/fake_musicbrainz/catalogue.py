"""The fake MusicBrainz's catalogue: the sandbox world as MusicBrainz would know it.

Every world artist ``i`` gets one fate, decided by its own seeded generator (so the catalogue
is prefix-stable like the world: the first 300 artists are the same whatever the size):

- **exact**: known, with a URL relation to ``https://open.spotify.com/artist/<spotify id>``;
- **name**: known, without that relation (matching must go by name);
- **missing**: unknown; some of these have a *decoy*, another artist whose name contains the
  world's name ("Tide of Moths Revival"), which a careful matcher leaves alone;
- a known artist may also have a **homonym**: a different MusicBrainz artist with the same
  name, other genres and other recordings, so only the user's track titles tell them apart;
- a few known artists carry MusicBrainz's spelling of their name ("and" for "&", no leading
  "The"), with the world's spelling as an alias, as real entries often do.

The three most popular artists are always known. Known artists carry genres (MusicBrainz's
spelling, e.g. "alternative rock") and tags with vote counts, including mood-like tags
("chill", "energetic", "melancholic"), except a few with no genres at all. Every known
artist's tracks are recordings (featured artists in the artist credit, as MusicBrainz
writes them), each album is a release in a release group, and most release groups have a
front cover in the fake Cover Art Archive. ``truth`` keeps what a test needs to check a
matcher: for each world artist, its fate and its MBID.
"""

from __future__ import annotations

import random
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from ...normalise import name_key
from .. import names
from ..world import FAMILIES, World

#: MBIDs are UUIDs derived from the seed and the item, so they are stable across runs.
_NAMESPACE = uuid.UUID("6f0c5e8a-3d0b-4b7e-9a55-8f1d2b3c4d5e")

#: World genres that MusicBrainz spells differently.
MB_GENRE_NAMES = {
    "alt rock": "alternative rock",
    "r&b": "contemporary r&b",
    "lo-fi beats": "lo-fi",
    "edm": "electronic dance music",
}

#: Mood-like tags by family: what listeners tag such artists with.
_MOOD_TAGS = {
    "pop": ("upbeat", "catchy"),
    "kpop": ("energetic", "upbeat"),
    "rock": ("energetic", "melancholic"),
    "hiphop": ("party", "energetic"),
    "electronic": ("energetic", "party"),
    "chill": ("chill", "ambient", "mellow"),
    "classical": ("calm", "melancholic"),
    "jazz": ("mellow", "chill"),
    "folk": ("melancholic", "acoustic"),
    "latin": ("party", "upbeat"),
}
_NOISE_TAGS = ("seen live", "female vocalists", "male vocalists", "british", "00s", "10s")
#: Genres in MusicBrainz's list that no sandbox artist carries (the list is long).
EXTRA_GENRES = (
    "acid jazz",
    "afrobeat",
    "americana",
    "art pop",
    "bebop",
    "big band",
    "bluegrass",
    "blues",
    "bossa nova",
    "breakbeat",
    "britpop",
    "chamber pop",
    "chillwave",
    "cumbia",
    "dancehall",
    "disco",
    "dream pop",
    "dubstep",
    "electro",
    "emo",
    "flamenco",
    "garage rock",
    "gospel",
    "grime",
    "grunge",
    "hard rock",
    "hardcore punk",
    "industrial",
    "j-pop",
    "krautrock",
    "neo-soul",
    "new wave",
    "noise rock",
    "post-punk",
    "post-rock",
    "psychedelic rock",
    "reggae",
    "salsa",
    "shoegaze",
    "ska",
    "synth-pop",
    "trance",
    "trap",
    "trip hop",
)
_COUNTRIES = ("GB", "US", "DE", "FR", "SE", "JP", "KR", "ES", "PL", "NG", "CA", "IE")
_DECOY_SUFFIXES = ("Revival", "Collective", "Tribute Band", "Orchestra", "Project")
_DISAMBIGUATION = {
    "pop": "pop singer",
    "kpop": "K-pop group",
    "rock": "rock band",
    "hiphop": "rapper",
    "electronic": "DJ and producer",
    "chill": "beatmaker",
    "classical": "ensemble",
    "jazz": "jazz group",
    "folk": "folk duo",
    "latin": "reggaetonero",
}
_FEAT = re.compile(r"\s*\(feat\. [^)]*\)$")

#: Fates of world artists (``Truth.fate``).
EXACT, BY_NAME, MISSING = "exact", "name", "missing"


def mbid(seed: int, *parts: object) -> str:
    """A stable MBID for one catalogue item (``mbid(seed, "artist", 3)``)."""
    return str(uuid.uuid5(_NAMESPACE, ":".join(str(p) for p in (seed, *parts))))


@dataclass
class MbArtist:
    id: str
    name: str
    sort_name: str
    type: str  # Person | Group
    country: str
    disambiguation: str
    genres: list[tuple[str, int]]  # (name, votes), most voted first
    tags: list[tuple[str, int]]
    aliases: list[str] = field(default_factory=list)
    spotify_ids: list[str] = field(default_factory=list)
    begin: str | None = None


@dataclass
class MbReleaseGroup:
    id: str
    title: str
    release_id: str  # the one release of the group (official, the cover's source)
    artist_ids: list[str]
    date: str
    track_count: int
    cover_image_id: int | None  # None: no art in the Cover Art Archive


@dataclass
class MbRecording:
    id: str
    title: str
    length_ms: int
    credits: list[tuple[str, str]]  # (artist id, joinphrase after it)
    release_group_id: str
    tags: list[tuple[str, int]]


@dataclass(frozen=True)
class Truth:
    """What the catalogue holds for one world artist, for tests and the control panel."""

    spotify_id: str
    name: str
    fate: str  # exact | name | missing
    mbid: str | None
    homonym_mbid: str | None
    decoy_mbid: str | None
    mb_name: str | None
    genres: tuple[str, ...]


@dataclass
class Catalogue:
    seed: int
    artists: dict[str, MbArtist] = field(default_factory=dict)
    recordings: dict[str, MbRecording] = field(default_factory=dict)
    release_groups: dict[str, MbReleaseGroup] = field(default_factory=dict)
    releases: dict[str, str] = field(default_factory=dict)  # release id -> release group id
    truth: list[Truth] = field(default_factory=list)
    urls: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # url -> (id, artists)
    genre_names: list[str] = field(default_factory=list)
    title_index: dict[str, list[str]] = field(default_factory=dict)  # title word -> recordings

    def add_recording(self, recording: MbRecording) -> None:
        self.recordings[recording.id] = recording
        for word in set(name_key(recording.title).split()):
            self.title_index.setdefault(word, []).append(recording.id)


def build_catalogue(world: World) -> Catalogue:
    """MusicBrainz's view of ``world`` (see the module docstring for what it holds)."""
    seed = world.seed
    cat = Catalogue(seed)
    known: dict[int, str] = {}  # world artist index -> mbid, for featured credits
    fates: list[tuple[random.Random, str, bool]] = []
    for artist in world.artists:
        rng = random.Random(f"fake-musicbrainz:{seed}:artist:{artist.index}")
        is_known = artist.index < 3 or rng.random() >= 0.12
        fate = (EXACT if rng.random() < 0.6 else BY_NAME) if is_known else MISSING
        fates.append((rng, fate, rng.random() < 0.08 and artist.index >= 1))
        if is_known:
            known[artist.index] = mbid(seed, "artist", artist.index)
    for artist in world.artists:
        rng, fate, homonym = fates[artist.index]
        genres = tuple(MB_GENRE_NAMES.get(g, g) for g in artist.genres)
        if fate == MISSING:
            decoy = _add_decoy(cat, rng, artist.name, artist.index) if rng.random() < 0.4 else None
            cat.truth.append(
                Truth(artist.spotify_id, artist.name, MISSING, None, None, decoy, None, ())
            )
            continue
        entry = _add_artist(
            cat,
            rng,
            artist.index,
            artist.name,
            artist.family,
            genres,
            fate == EXACT and artist.spotify_id,
        )
        twin = (
            _add_homonym(cat, rng, artist.index, artist.name, artist.family)
            if homonym and fate != MISSING
            else None
        )
        for album_index in artist.albums:
            _add_album(cat, rng, world, album_index, known)
        cat.truth.append(
            Truth(
                artist.spotify_id,
                artist.name,
                fate,
                entry.id,
                twin,
                None,
                entry.name,
                tuple(g for g, _ in entry.genres),
            )
        )
    cat.genre_names = sorted(
        {g for a in cat.artists.values() for g, _ in a.genres} | set(EXTRA_GENRES)
    )
    return cat


def _sort_name(name: str, kind: str) -> str:
    if name.startswith("The "):
        return f"{name[4:]}, The"
    words = name.split(" ")
    if kind == "Person" and len(words) == 2:
        return f"{words[1]}, {words[0]}"
    return name


def _mb_spelling(rng: random.Random, name: str) -> str:
    """MusicBrainz's spelling of a name, sometimes not the one Spotify shows."""
    if rng.random() >= 0.1:
        return name
    if " & " in name:
        return name.replace(" & ", " and ")
    if name.startswith("The ") and len(name.split()) > 2:
        return name[4:]
    return name


def _tags(rng: random.Random, family: str, genres: tuple[str, ...]) -> list[tuple[str, int]]:
    tags = [(g, rng.randint(1, 12)) for g in genres]
    for mood in rng.sample(_MOOD_TAGS[family], k=rng.randint(1, len(_MOOD_TAGS[family]))):
        tags.append((mood, rng.randint(1, 6)))
    if rng.random() < 0.4:
        tags.append((rng.choice(_NOISE_TAGS), rng.randint(1, 3)))
    return sorted(tags, key=lambda t: (-t[1], t[0]))


def _add_artist(
    cat: Catalogue,
    rng: random.Random,
    index: int,
    world_name: str,
    family: str,
    genres: tuple[str, ...],
    spotify_id: str | bool,
) -> MbArtist:
    name = _mb_spelling(rng, world_name)
    kind = (
        "Group"
        if (
            " " not in name
            or name.startswith("The ")
            or " & " in name
            or " and " in name
            or family == "classical"
        )
        else "Person"
    )
    votes = sorted((rng.randint(1, 15) for _ in genres), reverse=True)
    described = index < 3 or rng.random() >= 0.08  # a few known artists have no genres yet
    artist = _new_artist(
        cat,
        "artist",
        index,
        name,
        kind,
        rng.choice(_COUNTRIES),
        disambiguation="",
        genres=list(zip(genres, votes, strict=True)) if described else [],
        tags=_tags(rng, family, genres if described else ()),
        aliases=[world_name] if name != world_name else [],
        begin=str(rng.randint(1975, 2018)),
    )
    if spotify_id:
        artist.spotify_ids.append(str(spotify_id))
        url = f"https://open.spotify.com/artist/{spotify_id}"
        cat.urls[url] = (mbid(cat.seed, "url", url), [artist.id])
    return artist


def _new_artist(
    cat: Catalogue, role: str, index: int, name: str, kind: str, country: str, **fields: Any
) -> MbArtist:
    """An invented artist filed under its id (from the seed, ``role`` and ``index``), with
    the sort name MusicBrainz gives a ``kind`` ("Person" or "Group") of that name."""
    artist = MbArtist(
        id=mbid(cat.seed, role, index),
        name=name,
        sort_name=_sort_name(name, kind),
        type=kind,
        country=country,
        **fields,
    )
    cat.artists[artist.id] = artist
    return artist


def _add_homonym(cat: Catalogue, rng: random.Random, index: int, name: str, family: str) -> str:
    """Another artist with the same name: other family, other recordings, one album."""
    other = rng.choice([f for f in FAMILIES if f != family])
    genres = tuple(MB_GENRE_NAMES.get(g, g) for g, _ in FAMILIES[other].genres[:2])
    twin = _new_artist(
        cat,
        "homonym",
        index,
        name,
        "Group",
        rng.choice(_COUNTRIES),
        disambiguation=_DISAMBIGUATION[other],
        genres=[(g, rng.randint(1, 9)) for g in genres],
        tags=_tags(rng, other, genres),
        begin=str(rng.randint(1960, 2015)),
    )
    group_id = mbid(cat.seed, "homonym-group", index)
    titles: set[str] = set()
    count = rng.randint(6, 10)
    for number in range(count):
        title = names.unique_name(lambda: names.track_title(rng, other), titles)
        cat.add_recording(
            MbRecording(
                mbid(cat.seed, "homonym-recording", index, number),
                title,
                rng.randint(150_000, 300_000),
                [(twin.id, "")],
                group_id,
                [],
            )
        )
    _add_group(
        cat,
        rng,
        group_id,
        mbid(cat.seed, "homonym-release", index),
        names.album_title(rng, other, name),
        [twin.id],
        f"{rng.randint(1965, 2020)}-01-01",
        count,
    )
    return twin.id


def _add_decoy(cat: Catalogue, rng: random.Random, name: str, index: int) -> str:
    """A different artist whose name merely contains ``name``, with no shared recordings."""
    decoy_name = f"{name} {rng.choice(_DECOY_SUFFIXES)}"
    return _new_artist(
        cat,
        "decoy",
        index,
        decoy_name,
        "Group",
        rng.choice(_COUNTRIES),
        disambiguation="",
        genres=[("pop", 1)],
        tags=[("pop", 1)],
        begin=str(rng.randint(1990, 2020)),
    ).id


def _add_group(
    cat: Catalogue,
    rng: random.Random,
    group_id: str,
    release_id: str,
    title: str,
    artist_ids: list[str],
    date: str,
    track_count: int,
) -> None:
    has_cover = rng.random() < 0.85
    image_id = int(uuid.UUID(release_id).int % 10**11) + 10**10 if has_cover else None
    cat.release_groups[group_id] = MbReleaseGroup(
        group_id, title, release_id, artist_ids, date, track_count, image_id
    )
    cat.releases[release_id] = group_id


def _add_album(
    cat: Catalogue, rng: random.Random, world: World, album_index: int, known: dict[int, str]
) -> None:
    album = world.albums[album_index]
    main = known[album.artist]
    group_id = mbid(cat.seed, "release-group", album_index)
    _add_group(
        cat,
        rng,
        group_id,
        mbid(cat.seed, "release", album_index),
        album.title,
        [main],
        album.release_date,
        len(album.tracks),
    )
    for track_index in album.tracks:
        track = world.tracks[track_index]
        title, credits = track.title, [(main, "")]
        if track.featured is not None and track.featured in known:
            title = _FEAT.sub("", title)
            credits = [(main, " feat. "), (known[track.featured], "")]
        tags = []
        if rng.random() < 0.15:
            family = world.artists[album.artist].family
            tags = [(rng.choice(_MOOD_TAGS[family]), rng.randint(1, 3))]
        cat.add_recording(
            MbRecording(
                mbid(cat.seed, "recording", track_index),
                title,
                track.duration_ms + rng.randint(-400, 400),
                credits,
                group_id,
                tags,
            )
        )

"""``Catalogue.tracks`` (many songs in one call, for the import) leaves exactly the rows and
returns exactly the ids of ``Catalogue.track`` called on each in turn: the same songs, URIs,
albums, artists and links, the same chosen URI per song, whatever mix of known URIs, known
songs (from account data), repeats and several versions of one song a batch holds."""

from __future__ import annotations

import random

import pytest

from music_time_machine.db import transaction
from music_time_machine.db.catalogue import (
    ArtistInfo,
    Catalogue,
    TrackInfo,
    stored_match_key,
)

TABLES = {
    "tracks": "id, user_id, spotify_id, kind, name, album_id, duration_ms, match_key",
    "track_uris": "id, user_id, uri, track_id, album_id, plays",
    "track_artists": "track_id, artist_id, position",
    "albums": "id, user_id, spotify_id, name, name_key",
    "artists": "id, user_id, spotify_id, name, name_key",
}


def _infos(rng: random.Random, n: int) -> list[TrackInfo]:
    """Songs drawn from a small world, so that URIs, titles and artists repeat: a song may
    come with several URIs (versions), without one (account data), or as a podcast."""
    infos = []
    for _ in range(n):
        song, artist = rng.randrange(12), rng.randrange(4)
        kind = "podcast" if rng.random() < 0.1 else "music"
        uri = None if rng.random() < 0.25 else f"spotify:track:{song:02d}v{rng.randrange(3)}"
        title = f"Song {song}" if rng.random() < 0.8 else f"SONG  {song}!"  # same key
        artists = [ArtistInfo(f"Artist {artist}")]
        if rng.random() < 0.1:
            artists.append(ArtistInfo(f"Author {artist}"))
        infos.append(
            TrackInfo(
                name=title,
                artists=artists,
                kind=kind,
                spotify_uri=uri,
                album=rng.choice([None, f"Album {song % 5}"]),
                duration_ms=rng.choice([None, 180_000 + song]),
            )
        )
    return infos


def _dump(conn) -> dict[str, list[tuple]]:
    return {
        table: [tuple(r) for r in conn.execute(f"SELECT {cols} FROM {table} ORDER BY 1, 2")]
        for table, cols in TABLES.items()
    }


@pytest.mark.parametrize("seed", range(12))
def test_bulk_equals_one_by_one(fresh_db, seed: int) -> None:
    rng = random.Random(seed)
    before, batches = _infos(rng, 15), [_infos(rng, rng.randint(1, 40)) for _ in range(3)]
    results = {}
    for way in ("one by one", "bulk"):
        conn, user = fresh_db(f"{way}.sqlite")
        with transaction(conn):  # what an earlier import left: songs, URIs with plays
            earlier = Catalogue(conn, user)
            for info in before:
                earlier.track(info)
            conn.execute("UPDATE track_uris SET plays = id % 3")
        got = []
        with transaction(conn):
            catalogue = Catalogue(conn, user)
            for batch in batches:
                if way == "bulk":
                    got.append(catalogue.tracks(batch))
                else:
                    got.append(
                        [
                            (*ids, stored_match_key(conn, ids[0]))
                            for ids in map(catalogue.track, batch)
                        ]
                    )
        results[way] = (got, _dump(conn))
    assert results["bulk"][0] == results["one by one"][0]
    assert results["bulk"][1] == results["one by one"][1]


def test_a_second_version_in_the_same_batch_rechooses_the_songs_uri(fresh_db) -> None:
    conn, user = fresh_db()
    versions = [
        TrackInfo(name="Song", artists=[ArtistInfo("Band")], spotify_uri=uri)
        for uri in ("spotify:track:b", "spotify:track:a")
    ]
    with transaction(conn):
        (song, _, key), (same, _, _) = Catalogue(conn, user).tracks(versions)
    assert song == same and key == "band\x1fsong"
    # neither played yet: the smallest URI, as if the two had come one by one
    assert (
        conn.execute("SELECT spotify_id FROM tracks WHERE id = ?", (song,)).fetchone()[0]
        == "spotify:track:a"
    )

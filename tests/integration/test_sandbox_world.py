"""The one invented world: stable per seed, sounding like its genres, shared by demo and fake."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime

from music_time_machine.db import connect
from music_time_machine.db.migrate import migrate
from music_time_machine.db.users import ensure_local_user
from music_time_machine.demo import generate_demo
from music_time_machine.genres import estimate
from music_time_machine.sandbox import build_world
from music_time_machine.spotify.fake import create_fake_app

END = datetime(2026, 3, 14, 18, tzinfo=UTC)


def _shape(world) -> list[tuple]:
    return [
        (a.spotify_id, a.name, a.genres, [world.albums[b].tracks for b in a.albums])
        for a in world.artists
    ]


def test_a_smaller_world_is_the_start_of_a_larger_one():
    small, large = build_world(7, 60), build_world(7, 300)
    assert _shape(small) == _shape(large)[:60]
    assert [t.spotify_id for t in small.tracks] == [t.spotify_id for t in large.tracks][
        : len(small.tracks)
    ]
    assert _shape(build_world(8, 60)) != _shape(small)


def test_lookups_by_id_uri_and_name():
    world = build_world(3, 80)
    track, artist = world.tracks[42], world.artists[5]
    assert world.track_by_id(track.uri) is track is world.track_by_id(track.spotify_id)
    assert (
        world.album_by_id(world.albums[track.album].spotify_id).tracks[track.number - 1]
        == track.index
    )
    assert world.artist_by_id(artist.spotify_id) is artist
    assert world.artists_named(artist.name.upper()) == [artist]
    assert world.track_by_id(artist.spotify_id) is None  # an artist's id is not a track
    assert world.artist_by_id("0" * 22) is None


def test_popularity_follows_a_zipf_curve_and_top_artists_have_genres():
    world = build_world(3, 200)
    pops = [a.popularity for a in world.artists]
    assert pops == sorted(pops, reverse=True)
    assert pops[0] / pops[99] > 50
    assert all(a.genres_on_spotify for a in world.artists[:10])
    assert 0 < sum(not a.genres_on_spotify for a in world.artists) < 0.2 * len(world.artists)


def test_track_features_are_the_genre_table_estimate_of_their_artist():
    """The world and the mood estimates read the same genre table."""
    world = build_world(5, 120)
    for artist in world.artists:
        tracks = [world.tracks[t] for a in artist.albums for t in world.albums[a].tracks]
        expected = estimate(artist.genres)[0]
        for name in ("energy", "acousticness"):
            mean = statistics.fmean(t.features[name] for t in tracks)
            assert abs(mean - expected[name]) < 0.2, (artist.name, artist.genres, name)


def test_the_fake_spotify_serves_the_artists_of_the_demo_history(tmp_path):
    """Synced plays land on artists the demo history already knows (on main: none did)."""
    conn = connect(tmp_path / "demo.db")
    migrate(conn)
    user_id = ensure_local_user(conn, "Europe/Berlin")
    generate_demo(conn, user_id, plays=4_000, seed=7, end=END)
    demo_artists = {r[0] for r in conn.execute("SELECT spotify_id FROM artists")}
    demo_tracks = {r[0] for r in conn.execute("SELECT spotify_id FROM tracks")}
    conn.close()

    client = create_fake_app(seed=7, now=END.timestamp).test_client()
    catalogue = client.get("/_fake/catalogue").json
    world = build_world(7, 60)
    assert {a["id"] for a in catalogue["artists"]} == {a.spotify_id for a in world.artists}
    assert {t["uri"] for t in catalogue["tracks"]} >= demo_tracks & {t.uri for t in world.tracks}
    known = sum(a["id"] in demo_artists for a in catalogue["artists"])
    assert known >= 0.8 * len(catalogue["artists"])
    tracks = {t["id"]: t for t in catalogue["tracks"]}
    played = [
        a
        for p in client.get("/_fake/plays?limit=50").json["plays"]
        for a in tracks[p["track_id"]]["artist_ids"]
    ]
    assert sum(a in demo_artists for a in played) >= 0.8 * len(played)

"""The sandbox: one invented music world, and the fakes built on it, for demo and tests.

``world`` holds the world (artists, albums, tracks; deterministic per seed) and ``names``
invents its names. The demo (``music_time_machine.demo``) listens to it, and the fake Spotify
(``music_time_machine.spotify.fake``) serves its most popular artists, so both show the same
music. ``fake_musicbrainz`` (a fake MusicBrainz + Cover Art Archive) builds its catalogue on
the same world.
"""

from .world import Album, Artist, Track, World, build_world

__all__ = ["Album", "Artist", "Track", "World", "build_world"]

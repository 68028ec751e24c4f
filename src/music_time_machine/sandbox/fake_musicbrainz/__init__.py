"""The bundled fake MusicBrainz + Cover Art Archive, built on the sandbox world.

The app's real metadata clients (``music_time_machine.metadata``) run against it unchanged
when ``MTM_MUSICBRAINZ_URL`` and ``MTM_COVERART_URL`` point at ``FakeMusicBrainzServer.url``.
Its catalogue (``catalogue.py``) knows most of the world's artists, some exactly (a Spotify
URL relation), some only by name, some sharing their name with another artist, and misses
a few; the fake Spotify and the demo draw from the same world, so the demo shows every case.

Service endpoints (MusicBrainz's JSON shapes; see ``ws2.py`` and ``coverart.py``):

- ``GET /ws/2/url?resource=<url>[&resource=<url>...]&inc=artist-rels&fmt=json``
- ``GET /ws/2/artist/<mbid>?inc=genres+tags&fmt=json``
- ``GET /ws/2/artist?query=artist:"<name>"&limit=&offset=&fmt=json``
- ``GET /ws/2/recording?query=recording:"<title>" AND artist:"<name>"&fmt=json``
- ``GET /ws/2/genre/all?limit=&offset=&fmt=json``
- ``GET /release-group/<mbid>`` (Cover Art Archive JSON), ``/release-group/<mbid>/front[-250|
  -500|-1200]`` (307 to the image), ``/release/<mbid>/<image id>[-250|-500|-1200].png``

``/ws/2`` needs a ``User-Agent`` naming the application (403 otherwise) and allows ``rate``
requests per second per client (503 with ``Retry-After`` when faster; see ``state.py``).

Control endpoints (JSON, loopback only, no auth), all under ``/_fake``:

- ``GET /state``: seed, rate, ``traffic`` (``requests``, ``by_endpoint``, ``rate_limited``,
  ``rate_exceeded``, ``faults``, ``user_agents``) and active faults; ``POST /reset`` forgets
  traffic, faults and rate changes.
- ``POST /rate`` ``{"rate": requests per second}``.
- ``GET /catalogue``: for each world artist, ``spotify_id``, ``name``, ``fate`` (exact / name
  / missing), ``mbid``, ``homonym_mbid``, ``decoy_mbid``, ``mb_name`` and ``genres``.
- ``GET|POST|DELETE /faults``: POST ``{"path_prefix": "/ws/2/artist", "method"?: "GET",
  "status"?: 500|503|..., "retry_after"?: s, "delay"?: s, "message"?: str,
  "times"?: n | null}`` (``times`` defaults to 1; null = until cleared), as the fake Spotify.
"""

from .app import create_fake_app
from .catalogue import EXACT, Catalogue, Truth, build_catalogue
from .server import FakeMusicBrainzServer, run_fake_musicbrainz

__all__ = [
    "EXACT",
    "Catalogue",
    "FakeMusicBrainzServer",
    "Truth",
    "build_catalogue",
    "create_fake_app",
    "run_fake_musicbrainz",
]

"""Serving the fake MusicBrainz over real HTTP: in a background thread (tests, demo) or blocking."""

from __future__ import annotations

from typing import Any

from ..serving import FakeServer, serve_until_interrupted
from .app import DEFAULT_ARTISTS, create_fake_app
from .catalogue import Catalogue
from .context import EXTENSION_KEY
from .state import DEFAULT_RATE, FakeMusicBrainzState


class FakeMusicBrainzServer(FakeServer):
    """A fake MusicBrainz and Cover Art Archive on a real socket; ``port=0`` picks a free port.

    Point ``MTM_MUSICBRAINZ_URL`` and ``MTM_COVERART_URL`` at :attr:`url` (both services
    answer on it, under their real paths). Use as a context manager or :meth:`start` /
    :meth:`stop`. :meth:`traffic` reads what it was asked without a request.
    """

    name = "fake MusicBrainz"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **app_options: Any) -> None:
        super().__init__(create_fake_app(**app_options), host, port)

    @property
    def state(self) -> FakeMusicBrainzState:
        return self.app.extensions[EXTENSION_KEY]

    @property
    def catalogue(self) -> Catalogue:
        return self.state.catalogue

    def traffic(self) -> dict:
        """Requests (total and per endpoint), rate excesses, faults and user agents."""
        with self.state.lock:
            return self.state.traffic.to_json()

    def _wake(self) -> None:
        self.state.faults.wake.set()


def run_fake_musicbrainz(
    host: str = "127.0.0.1",
    port: int = 5002,
    seed: int = 1,
    rate: float = DEFAULT_RATE,
    artists: int = DEFAULT_ARTISTS,
) -> None:
    """Serve the fake until interrupted, printing the settings that point the app at it."""
    server = FakeMusicBrainzServer(host=host, port=port, seed=seed, rate=rate, artists=artists)

    def describe() -> list[str]:
        truth = server.catalogue.truth
        fates = {f: sum(t.fate == f for t in truth) for f in ("exact", "name", "missing")}
        return [
            f"Fake MusicBrainz + Cover Art Archive (seed {seed}, {rate:g} requests/s) "
            f"running at {server.url}",
            f"  world artists: {len(truth)} ({fates['exact']} with a Spotify link, "
            f"{fates['name']} by name only, {fates['missing']} unknown)",
            f"  MTM_MUSICBRAINZ_URL={server.url}",
            f"  MTM_COVERART_URL={server.url}",
            f"  MTM_MUSICBRAINZ_RATE={rate:g}",
        ]

    serve_until_interrupted(server, describe)

"""Serving the fake MusicBrainz over real HTTP: in a background thread (tests, demo) or blocking."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from .app import DEFAULT_ARTISTS, create_fake_app
from .catalogue import Catalogue
from .context import EXTENSION_KEY
from .state import DEFAULT_RATE, FakeMusicBrainzState


class FakeMusicBrainzServer:
    """A fake MusicBrainz and Cover Art Archive on a real socket; ``port=0`` picks a free port.

    Point ``MTM_MUSICBRAINZ_URL`` and ``MTM_COVERART_URL`` at :attr:`url` (both services
    answer on it, under their real paths). Use as a context manager or :meth:`start` /
    :meth:`stop`. :meth:`traffic` reads what it was asked without a request.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **app_options: Any) -> None:
        self.host, self.port = host, port
        self.app: Flask = create_fake_app(**app_options)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

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

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake MusicBrainz server is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_port}"

    def start(self) -> FakeMusicBrainzServer:
        if self._server is None:
            self._server = make_server(self.host, self.port, self.app, threaded=True)
            self._thread = threading.Thread(target=self._server.serve_forever,
                                            name="fake-musicbrainz", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.state.faults.wake.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeMusicBrainzServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_fake_musicbrainz(host: str = "127.0.0.1", port: int = 5002, seed: int = 1,
                         rate: float = DEFAULT_RATE, artists: int = DEFAULT_ARTISTS) -> None:
    """Serve the fake until interrupted, printing the settings that point the app at it."""
    server = FakeMusicBrainzServer(host=host, port=port, seed=seed, rate=rate, artists=artists)
    server.start()
    truth = server.catalogue.truth
    fates = {f: sum(t.fate == f for t in truth) for f in ("exact", "name", "missing")}
    print(f"Fake MusicBrainz + Cover Art Archive (seed {seed}, {rate:g} requests/s) "
          f"running at {server.url}")
    print(f"  world artists: {len(truth)} ({fates['exact']} with a Spotify link, "
          f"{fates['name']} by name only, {fates['missing']} unknown)")
    print(f"  MTM_MUSICBRAINZ_URL={server.url}")
    print(f"  MTM_COVERART_URL={server.url}")
    print(f"  MTM_MUSICBRAINZ_RATE={rate:g}")
    print(f"  control:       {server.url}/_fake/state")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()

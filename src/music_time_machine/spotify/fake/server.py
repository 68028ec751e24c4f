"""Serving the fake Spotify over real HTTP: in a background thread (tests, demo) or blocking."""

from __future__ import annotations

from typing import Any

from ...sandbox.serving import FakeServer, serve_until_interrupted
from .app import create_fake_app
from .context import EXTENSION_KEY


class FakeSpotifyServer(FakeServer):
    """A fake Spotify on a real socket; ``port=0`` picks a free port.

    The app's real client code is pointed at :attr:`accounts_url` and :attr:`api_url` and runs
    unchanged. Use as a context manager or call :meth:`start` / :meth:`stop`.
    """

    name = "fake Spotify"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **app_options: Any) -> None:
        super().__init__(create_fake_app(**app_options), host, port)

    @property
    def client_id(self) -> str:
        return self.app.extensions[EXTENSION_KEY].client_id

    @property
    def client_secret(self) -> str:
        return self.app.extensions[EXTENSION_KEY].client_secret

    @property
    def accounts_url(self) -> str:
        """Spotify's accounts base: ``/authorize`` and ``/api/token`` sit directly under it."""
        return self.url

    @property
    def api_url(self) -> str:
        return self.url + "/v1"

    def _wake(self) -> None:
        self.app.extensions[EXTENSION_KEY].faults.wake.set()


def run_fake_spotify(
    host: str = "127.0.0.1", port: int = 8765, mode: str = "dev", seed: int = 1
) -> None:
    """Serve the fake Spotify until interrupted, printing what a client needs to use it."""
    server = FakeSpotifyServer(host=host, port=port, mode=mode, seed=seed)
    serve_until_interrupted(
        server,
        lambda: [
            f"Fake Spotify ({mode} mode, seed {seed}) running at {server.url}",
            f"  accounts URL:  {server.accounts_url}  (/authorize, /api/token)",
            f"  API URL:       {server.api_url}",
            f"  client id:     {server.client_id}",
            f"  client secret: {server.client_secret}",
        ],
    )

"""Serving the fake Spotify over real HTTP: in a background thread (tests, demo) or blocking."""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from .app import create_fake_app
from .context import EXTENSION_KEY


class FakeSpotifyServer:
    """A fake Spotify on a real socket; ``port=0`` picks a free port.

    The app's real client code is pointed at :attr:`accounts_url` and :attr:`api_url` and runs
    unchanged. Use as a context manager or call :meth:`start` / :meth:`stop`.
    """

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **app_options: Any) -> None:
        self.host = host
        self.port = port
        self.app: Flask = create_fake_app(**app_options)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def client_id(self) -> str:
        return self.app.extensions[EXTENSION_KEY].client_id

    @property
    def client_secret(self) -> str:
        return self.app.extensions[EXTENSION_KEY].client_secret

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the fake Spotify server is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_port}"

    @property
    def accounts_url(self) -> str:
        """Spotify's accounts base: ``/authorize`` and ``/api/token`` sit directly under it."""
        return self.url

    @property
    def api_url(self) -> str:
        return self.url + "/v1"

    def start(self) -> FakeSpotifyServer:
        if self._server is not None:
            return self
        self._server = make_server(self.host, self.port, self.app, threaded=True)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-spotify", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self.app.extensions[EXTENSION_KEY].faults.wake.set()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> FakeSpotifyServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_fake_spotify(
    host: str = "127.0.0.1", port: int = 8765, mode: str = "dev", seed: int = 1
) -> None:
    """Serve the fake Spotify until interrupted, printing what a client needs to use it."""
    server = FakeSpotifyServer(host=host, port=port, mode=mode, seed=seed)
    server.start()
    print(f"Fake Spotify ({mode} mode, seed {seed}) running at {server.url}")
    print(f"  accounts URL:  {server.accounts_url}  (/authorize, /api/token)")
    print(f"  API URL:       {server.api_url}")
    print(f"  client id:     {server.client_id}")
    print(f"  client secret: {server.client_secret}")
    print(f"  control:       {server.url}/_fake/state")
    print("Press Ctrl+C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()

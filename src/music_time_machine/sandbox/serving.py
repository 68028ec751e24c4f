"""What every bundled fake shares: serving a Flask app on a real socket, and the start of
its ``/_fake`` control panel (loopback clients only, ``POST /_fake/reset``).

The fake Spotify and the fake MusicBrainz differ in what they answer, not in how they are
served or who may reach their control panel, so those parts live here once.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Iterable
from typing import Any, Self

from flask import Blueprint, Flask, jsonify, request
from werkzeug.serving import BaseWSGIServer, make_server


def loopback_only() -> Any:
    """``before_request`` hook for a control blueprint: anyone but a loopback client gets 403,
    so a fake started on a public interface can still not be steered from elsewhere."""
    try:
        loopback = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        return jsonify({"error": "the control endpoints only answer loopback clients"}), 403
    return None


def control_blueprint(
    name: str, import_name: str, state: Callable[[], Any], describe: Callable[[Any], dict]
) -> Blueprint:
    """A fake's ``/_fake`` blueprint with what every fake's panel has: it answers loopback
    clients only; ``GET /_fake/state`` is ``describe(state())`` under the state's lock (the
    control URL ``serve_until_interrupted`` prints); ``POST /_fake/reset`` calls
    ``state().reset()`` so a test starts from a fresh fake without a new server."""
    bp = Blueprint(name, import_name, url_prefix="/_fake")
    bp.before_request(loopback_only)

    @bp.get("/state")
    def summary() -> Any:
        fake = state()
        with fake.lock:
            return jsonify(describe(fake))

    @bp.post("/reset")
    def reset() -> Any:
        state().reset()
        return jsonify({"ok": True})

    return bp


class FakeServer:
    """A fake's Flask app on a real socket in a daemon thread; ``port=0`` picks a free port.

    Subclasses set :attr:`name` (used in the thread name and errors) and pass their app.
    Use as a context manager or call :meth:`start` / :meth:`stop`; both are idempotent.
    """

    name = "fake"

    def __init__(self, app: Flask, host: str = "127.0.0.1", port: int = 0) -> None:
        self.host, self.port = host, port
        self.app = app
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError(f"the {self.name} server is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self._server.server_port}"

    def _wake(self) -> None:
        """Release any request the fake is deliberately stalling, so shutdown does not wait."""

    def start(self) -> Self:
        if self._server is None:
            self._server = make_server(self.host, self.port, self.app, threaded=True)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                name=self.name.replace(" ", "-").lower(),
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._wake()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def serve_until_interrupted(server: FakeServer, describe: Callable[[], Iterable[str]]) -> None:
    """Start ``server``, print what ``describe()`` says a client needs (it runs once the
    server is up, so it can use its URL) and block until Ctrl+C; the server is stopped
    however the wait ends."""
    server.start()
    try:
        for line in describe():
            print(line)
        print(f"  control:       {server.url}/_fake/state")
        print("Press Ctrl+C to stop.", flush=True)
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()

"""Shared fixtures: a fresh app and SQLite file per test, a live server, a real browser.

``tests/data`` holds the project's own small, invented Spotify exports: every test runs from
a clean clone. ``../shared/samples`` (real exports, beside the checkout on the team's
machines) feeds extra variants of some tests, skipped when it is absent.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from music_time_machine import create_app
from music_time_machine.db import connect
from music_time_machine.db.migrate import migrate
from music_time_machine.db.users import ensure_local_user, update_settings
from music_time_machine.demo import generate_demo
from music_time_machine.importers import feed, parse
from music_time_machine.importers import run as run_module

DATA = Path(__file__).resolve().parent / "data"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"
SAMPLES = SHARED / "samples"
CHROMIUM = os.environ.get("MTM_TEST_CHROMIUM", "/usr/bin/chromium")
OFFLINE_HOSTS = ("https://i.scdn.co/",)
ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture
def app_config(tmp_path: Path, request) -> dict:
    """A fresh data folder per test. Tests marked ``fake_spotify`` get the app configured
    against the ``fake`` fixture (a real fake-Spotify server on 127.0.0.1); the marker's
    ``sync_on_connect=True`` keeps the background sync that follows connecting."""
    config = {
        "TESTING": True,
        "MTM_DATA_DIR": str(tmp_path),
        "DATABASE": str(tmp_path / "test.sqlite"),
        "SECRET_KEY": "test-secret-key-0123456789",
        "MTM_LOCAL_MODE": True,
        "MTM_TIMEZONE": "UTC",
        "RATELIMIT_ENABLED": False,  # tests/integration/test_serving.py turns it on
    }
    marker = request.node.get_closest_marker("fake_spotify")
    if marker is not None:
        fake = request.getfixturevalue("fake")
        config.update(
            {
                "SPOTIFY_CLIENT_ID": fake.client_id,
                "SPOTIFY_CLIENT_SECRET": fake.client_secret,
                "SPOTIFY_REDIRECT_URI": "http://127.0.0.1:5000/callback",
                "MTM_SPOTIFY_ACCOUNTS_URL": fake.accounts_url,
                "MTM_SPOTIFY_API_URL": fake.api_url,
                "MTM_SYNC_ON_CONNECT_DISABLED": not marker.kwargs.get("sync_on_connect", False),
            }
        )
    return config


@pytest.fixture
def fake():
    """The bundled fake Spotify on a free port (override with params for other modes)."""
    from music_time_machine.spotify.fake import FakeSpotifyServer

    with FakeSpotifyServer(port=0) as server:
        yield server


@pytest.fixture
def app(app_config: dict):
    return create_app(app_config)


#: Spotify credentials and addresses where nothing answers (port 9 on loopback): a
#: multi-user app configured with them signs nobody in and never reaches Spotify.
UNREACHABLE_SPOTIFY = {
    "SPOTIFY_CLIENT_ID": "id",
    "SPOTIFY_CLIENT_SECRET": "secret",
    "MTM_SPOTIFY_ACCOUNTS_URL": "http://127.0.0.1:9/accounts",
    "MTM_SPOTIFY_API_URL": "http://127.0.0.1:9/v1",
}


def multi_user_config(app_config: dict) -> dict:
    """``app_config`` in multi-user mode: its Spotify settings (the fake's, under the
    ``fake_spotify`` marker) when it has them, else the unreachable ones."""
    return {**UNREACHABLE_SPOTIFY, **app_config, "MTM_LOCAL_MODE": False}


@pytest.fixture
def multi_user_app(app_config: dict):
    """The app in multi-user mode (every page behind Spotify sign-in)."""
    return create_app(multi_user_config(app_config))


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def conn(app):
    """A connection to the app's database (migrated by the factory)."""
    c = connect(app.config["DATABASE"])
    yield c
    c.close()


def open_fresh_db(
    path: Path, timezone: str | None = "UTC"
) -> tuple[sqlite3.Connection, int | None]:
    """A migrated SQLite file at ``path`` with the local user in ``timezone`` (none when
    None): (connection, user id). Behind the ``fresh_db`` fixture, and for module-wide
    databases that a function fixture cannot give."""
    c = connect(path)
    migrate(c)
    return c, ensure_local_user(c, timezone=timezone) if timezone else None


FreshDb = Callable[..., tuple[sqlite3.Connection, int | None]]


@pytest.fixture
def fresh_db(tmp_path: Path) -> Iterator[FreshDb]:
    """The one way tests get a database without an app: ``fresh_db(name, timezone)`` makes
    a migrated SQLite file in the test's folder with the local user in that zone and returns
    (connection, user id); ``timezone=None`` leaves it without users (id None). Several per
    test are fine; all are closed at the end."""
    opened: list[sqlite3.Connection] = []

    def make(
        name: str = "mtm.sqlite", timezone: str | None = "UTC"
    ) -> tuple[sqlite3.Connection, int | None]:
        c, user = open_fresh_db(tmp_path / name, timezone)
        opened.append(c)
        return c, user

    yield make
    for c in opened:
        c.close()


@pytest.fixture
def db(fresh_db: FreshDb) -> sqlite3.Connection:
    """A migrated database without users, for data-layer tests."""
    return fresh_db("data.sqlite", timezone=None)[0]


@pytest.fixture
def small_slices(monkeypatch):
    """Test-sized import slices: every insert batch of 200 rows goes into the rollups and
    commits on its own, progress every 500 rows, files streamed (errors come at the end)."""
    monkeypatch.setattr(run_module, "SLICE_SECONDS", 0)
    monkeypatch.setattr(run_module, "BATCH_ROWS", 200)
    monkeypatch.setattr(run_module, "PROGRESS_EVERY_S", 0)
    monkeypatch.setattr(feed, "ITEM_BATCH", 500)
    monkeypatch.setattr(parse, "LOAD_WHOLE_MAX_BYTES", 0)


@pytest.fixture
def local_user(conn) -> int:
    return ensure_local_user(conn, "UTC")


@pytest.fixture
def demo_user(conn, local_user) -> int:
    """The local user with two and a half years of demo history (5,000 plays, New York
    time): what the stats and year-review pages are checked against their oracles on."""
    update_settings(conn, local_user, timezone="America/New_York")
    generate_demo(conn, local_user, plays=5000, seed=11, years=2.5)
    return local_user


class LiveServer:
    """The app served over real HTTP on 127.0.0.1 in a background thread."""

    def __init__(self, app) -> None:
        self.app = app
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def start(self) -> LiveServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(5)


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:
    server = LiveServer(app).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download is not used)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
            ],
        )
        yield instance
        instance.close()


#: The widths every page is checked at: a phone's and a desktop's.
PAGE_WIDTHS = (375, 1280)


@pytest.fixture(params=PAGE_WIDTHS)
def width(request) -> int:
    """The viewport width of a browser test that takes ``width``: such a test runs at each of
    ``PAGE_WIDTHS`` (a ``parametrize("width", ...)`` of its own overrides them)."""
    return request.param


@pytest.fixture
def page_factory(browser):
    """New pages at a given width that record console errors and failed requests."""
    contexts = []

    def make(width: int = 1280, height: int = 900, javascript: bool = True):
        context = browser.new_context(
            viewport={"width": width, "height": height}, java_script_enabled=javascript
        )
        contexts.append(context)
        page = context.new_page()
        page.console_errors = []

        def on_console(message) -> None:
            url = (message.location or {}).get("url", "")
            # Spotify's image CDN is out of reach in this offline sandbox; nothing else is.
            if message.type == "error" and not url.startswith(OFFLINE_HOSTS):
                page.console_errors.append(f"{message.text} [{url}]")

        page.on("console", on_console)
        page.on("pageerror", lambda e: page.console_errors.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()


def save_screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

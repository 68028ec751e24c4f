"""What the page benchmarks share: the cached database dance, the app under test, one timed GET.

Every ``bench_*.py`` that measures pages builds its generated database once under
``bench/out/`` (written to a ``.partial`` file and renamed, so an interrupted build is never
mistaken for a finished one), starts the app on it the same way and times requests the same
way; keeping those here means every figure in the README is measured alike.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from sqlite3 import Connection

from flask import Flask

from music_time_machine import create_app
from music_time_machine.db import connect
from music_time_machine.db.migrate import migrate
from music_time_machine.db.users import ensure_local_user

OUT = Path(__file__).resolve().parent / "out"


def build_cached(path: Path, timezone: str, fill: Callable[[Connection, int], str]) -> None:
    """Build the database at ``path`` unless it exists: ``fill(conn, user_id)`` generates the
    rows and returns what it made, printed to stderr with the build time."""
    if path.exists():
        return
    path.parent.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in path.parent.glob(f"{partial.name}*"):
        leftover.unlink()
    began = time.perf_counter()
    conn = connect(partial)
    migrate(conn)
    made = fill(conn, ensure_local_user(conn, timezone))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    partial.rename(path)
    print(f"built {path.name}: {made} in {time.perf_counter() - began:.0f} s", file=sys.stderr)


def bench_app(database: Path | str, data_dir: str, timezone: str) -> Flask:
    """The app as a local single-user install on ``database``, configured for measuring."""
    return create_app(
        {
            "TESTING": True,
            "DATABASE": str(database),
            "MTM_DATA_DIR": data_dir,
            "SECRET_KEY": "bench-secret-key-0123456789",
            "MTM_LOCAL_MODE": True,
            "MTM_TIMEZONE": timezone,
        }
    )


def timed_get(client, url: str) -> tuple[float, float]:
    """(wall ms, CPU ms) of one GET; anything but 200 stops the benchmark with the answer."""
    began, began_cpu = time.perf_counter(), time.process_time()
    response = client.get(url)
    wall = (time.perf_counter() - began) * 1000
    cpu = (time.process_time() - began_cpu) * 1000
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}: {response.data[:200]!r}")
    return wall, cpu


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]

"""What the page benchmarks share: the cached database dance, the app under test, one timed GET.

Every ``bench_*.py`` that measures pages builds its generated database once under
``bench/out/`` (written to a ``.partial`` file and renamed, so an interrupted build is never
mistaken for a finished one), starts the app on it the same way and times requests the same
way; keeping those here means every figure in the README is measured alike.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
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


def time_requests(client, url: str, n: int, warmup: int = 3) -> tuple[list[float], list[float]]:
    """(wall ms, CPU ms) of ``n`` requests after ``warmup`` untimed ones."""
    for _ in range(warmup):
        client.get(url)
    wall, cpu = [], []
    for _ in range(n):
        one_wall, one_cpu = timed_get(client, url)
        wall.append(one_wall)
        cpu.append(one_cpu)
    return wall, cpu


def load_average() -> str:
    """The machine's load beside a figure: on a shared machine it stretches wall time."""
    return f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"


def time_pages(
    database: Path, timezone: str, pages: list[tuple[str, str, float]], n: int
) -> list[float]:
    """Times every (label, URL, p95 target in ms) of ``pages`` with ``n`` GETs on the app
    over ``database`` and prints it as a Markdown table (p50, p95 marked ✗ over its target,
    p95 of CPU time, target); returns the p95s in order."""
    print("| request | p50 ms | p95 ms | p95 CPU ms | target |")
    print("|---|---:|---:|---:|---:|")
    found = []
    with tempfile.TemporaryDirectory() as data_dir:
        client = bench_app(database, data_dir, timezone).test_client()
        for label, url, target in pages:
            wall, cpu = time_requests(client, url, n)
            found.append(p95(wall))
            print(
                f"| {label} | {statistics.median(wall):.1f} | {p95(wall):.1f}"
                f"{' ✗' if p95(wall) > target else ''} | {p95(cpu):.1f} | {target:.0f} |",
                flush=True,
            )
    return found


def p95(times: list[float]) -> float:
    return statistics.quantiles(times, n=20, method="inclusive")[18] if len(times) > 1 else times[0]

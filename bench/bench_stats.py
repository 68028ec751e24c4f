"""Time the stats API and the Analytics page at 10k, 100k and 1M generated plays.

    python bench/bench_stats.py                    # all sizes, 30 timed requests each
    python bench/bench_stats.py --sizes 10000 -n 50

Databases are generated once with the demo generator (seed 42, three years ending at the
hour they were built, Europe/Berlin) and cached under bench/out/ (gitignored); delete a
file to rebuild it. Every endpoint and the page are requested through the Flask test
client (the whole request path: routing, user loading, SQL, JSON or template) for the
ranges 7d, 30d, 12m and all, after warm-up requests; p50/p95 of wall-clock time are
printed in milliseconds, with the p95 of the process's CPU time beside them: on a shared
machine the load average (printed too) inflates wall time, not CPU time.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from benchlib import OUT, bench_app, build_cached, load_average, p95, time_requests

from music_time_machine.db import connect
from music_time_machine.db.migrate import migrate
from music_time_machine.db.users import ensure_local_user
from music_time_machine.demo import generate_demo

SIZES = (10_000, 100_000, 1_000_000)
RANGES = ("7d", "30d", "12m", "all")
TARGETS = {
    "summary": "/api/stats/summary",
    "volume": "/api/stats/volume",
    "top-artists": "/api/stats/top-artists",
    "top-tracks": "/api/stats/top-tracks",
    "top-genres": "/api/stats/top-genres",
    "heatmap": "/api/stats/heatmap",
    "discoveries": "/api/stats/discoveries",
    "page": "/analytics",
}
TARGET_P95_MS = 50.0


def database(plays: int) -> Path:
    """The cached database for ``plays`` generated plays, built on first use."""
    path = OUT / f"stats-{plays}.sqlite"

    def fill(conn, user: int) -> str:
        stats = generate_demo(conn, user, plays=plays, seed=42, years=3.0)
        return f"{stats.plays:,} streams, {stats.tracks:,} tracks, {stats.artists:,} artists"

    build_cached(path, "Europe/Berlin", fill)
    conn = connect(path)
    migrate(conn)
    ensure_local_user(conn, "Europe/Berlin")
    conn.execute("ANALYZE")
    conn.close()
    return path


def bench(plays: int, n: int) -> list[tuple]:
    path = database(plays)
    with tempfile.TemporaryDirectory() as data_dir:
        app = bench_app(path, data_dir, "Europe/Berlin")
        client = app.test_client()
        rows = []
        for name, base in TARGETS.items():
            for key in RANGES:
                wall, cpu = time_requests(client, f"{base}?range={key}", n)
                rows.append((plays, name, key, statistics.median(wall), p95(wall), p95(cpu)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("-n", type=int, default=30, help="timed requests per cell (≥ 30)")
    args = parser.parse_args(argv)
    print(
        f"n={args.n} requests per cell, target p95 ≤ {TARGET_P95_MS:.0f} ms; "
        f"{load_average()} at start"
    )
    print("| plays | endpoint | range | p50 ms | p95 ms | p95 CPU ms |")
    print("|---:|---|---|---:|---:|---:|")
    worst = 0.0
    for plays in args.sizes:
        for size, name, key, p50, p95_ms, p95_cpu in bench(plays, args.n):
            worst = max(worst, p95_ms) if size == max(args.sizes) else worst
            mark = "" if p95_ms <= TARGET_P95_MS else " ✗"
            print(
                f"| {size:,} | {name} | {key} | {p50:.1f} | {p95_ms:.1f}{mark} | {p95_cpu:.1f} |",
                flush=True,
            )
    print(
        f"\nworst p95 at {max(args.sizes):,} plays: {worst:.1f} ms "
        f"({'meets' if worst <= TARGET_P95_MS else 'misses'} the {TARGET_P95_MS:.0f} ms target); "
        f"load average {os.getloadavg()[0]:.2f} at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

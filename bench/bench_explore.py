"""Time the artist, track and album pages and their JSON for the worst case: the most-played
artist, the most-played track and the album with the most plays.

    python bench/bench_explore.py                       # the cached 1M-play database
    python bench/bench_explore.py --plays 100000 -n 50  # another generated size
    python bench/bench_explore.py --db PATH             # an existing database (migrated
                                                        # first; its local user is measured)

Generated databases are bench/bench_pages.py's heavy listener (at 1M plays about 73,000
tracks by 5,100 artists on Zipf curves, 14 years), cached under bench/out/. Requests go
through the Flask test client (the whole request path) for the ranges 12m and all, after
warm-up requests; p50/p95 of wall-clock time in milliseconds, with the p95 of CPU time
beside them (the load average of a shared machine inflates wall time, not CPU time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from bench_pages import database
from bench_stats import TARGET_P95_MS
from benchlib import bench_app, load_average, p95, time_requests

from music_time_machine.db import connect
from music_time_machine.db.migrate import migrate
from music_time_machine.db.users import ensure_local_user, get_settings

RANGES = ("12m", "all")


def worst_items(path: Path) -> tuple[str, dict[str, int]]:
    """(time zone, {"artist": id, "track": id, "album": id}) of the local user's
    most-played items; the database is migrated first (the pages need migration 0013)."""
    conn = connect(path)
    try:
        migrate(conn)
        user = ensure_local_user(conn)
        one = lambda sql: conn.execute(sql, (user,)).fetchone()  # noqa: E731
        artist = one(
            "SELECT artist_id FROM rollup_artist_total WHERE user_id = ? "
            "ORDER BY plays DESC LIMIT 1"
        )
        track = one(
            "SELECT track_id FROM rollup_track_total WHERE user_id = ? ORDER BY plays DESC LIMIT 1"
        )
        album = one(
            "SELECT t.album_id FROM rollup_track_total r JOIN tracks t "
            "ON t.id = r.track_id WHERE r.user_id = ? AND t.album_id IS NOT NULL "
            "GROUP BY t.album_id ORDER BY SUM(r.plays) DESC LIMIT 1"
        )
        if not (artist and track and album):
            raise SystemExit(f"{path}: the local user has no counted plays to measure")
        return get_settings(conn, user).timezone, {
            "artist": artist[0],
            "track": track[0],
            "album": album[0],
        }
    finally:
        conn.close()


def bench(path: Path, n: int) -> list[tuple]:
    zone, items = worst_items(path)
    with tempfile.TemporaryDirectory() as data_dir:
        app = bench_app(path, data_dir, zone)
        client = app.test_client()
        rows = []
        for kind, item in items.items():
            for url in (f"/{kind}s/{item}", f"/api/{kind}s/{item}"):
                for key in RANGES:
                    wall, cpu = time_requests(client, f"{url}?range={key}", n)
                    rows.append((url, key, statistics.median(wall), p95(wall), p95(cpu)))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an existing database to measure")
    parser.add_argument(
        "--plays", type=int, default=1_000_000, help="size of the generated database (without --db)"
    )
    parser.add_argument("-n", type=int, default=30, help="timed requests per cell")
    args = parser.parse_args(argv)
    path = args.db or database(args.plays)
    if args.db and not args.db.exists():
        raise SystemExit(f"{args.db}: no such database")
    print(
        f"{path.name}: n={args.n} requests per cell, target p95 ≤ {TARGET_P95_MS:.0f} ms; "
        f"{load_average()} at start"
    )
    print("| url | range | p50 ms | p95 ms | p95 CPU ms |")
    print("|---|---|---:|---:|---:|")
    worst = 0.0
    for url, key, p50, p95_ms, p95_cpu in bench(path, args.n):
        worst = max(worst, p95_ms)
        mark = "" if p95_ms <= TARGET_P95_MS else " ✗"
        print(f"| {url} | {key} | {p50:.1f} | {p95_ms:.1f}{mark} | {p95_cpu:.1f} |", flush=True)
    print(
        f"\nworst p95: {worst:.1f} ms ({'meets' if worst <= TARGET_P95_MS else 'misses'} "
        f"the {TARGET_P95_MS:.0f} ms target); load average {os.getloadavg()[0]:.2f} at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

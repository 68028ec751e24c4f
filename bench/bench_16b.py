"""Time search, the full top lists and top albums at 1M generated plays (issue #16b).

    python bench/bench_16b.py                     # the cached 1M database (built once)
    python bench/bench_16b.py --db PATH -n 50     # an existing database, its first user

The default database is bench_pages.py's heavy listener (at 1M plays about 73,000 tracks by
5,100 artists on Zipf curves, 14 years), cached under bench/out/. Requests go through the
Flask test client (the whole request path). Search is timed for one- to three-letter
prefixes (the most matches: the worst case) and for the most-played artist's name; lists for
the first and a deep page, both sorts, all time and 12 months. Prints p50/p95 wall time and
the p95 of CPU time.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

from bench_pages import database
from benchlib import load_average, time_pages

from music_time_machine.db import connect

SEARCH_TARGET_MS, PAGE_TARGET_MS = 30.0, 50.0


def targets(path: Path) -> list[tuple[str, str, float]]:
    """(label, URL, p95 target) of every request timed."""
    conn = connect(path)
    try:
        top_artist = conn.execute(
            "SELECT a.name FROM rollup_artist_total t JOIN artists a ON a.id = t.artist_id "
            "ORDER BY t.plays DESC LIMIT 1"
        ).fetchone()[0]
    finally:
        conn.close()
    found = [
        (f"search page q={q}", f"/search?q={quote(q)}", SEARCH_TARGET_MS)
        for q in ("a", "th", top_artist)
    ]
    found += [
        (f"search API q={q}", f"/api/search?q={quote(q)}", SEARCH_TARGET_MS)
        for q in ("a", "s", "lo", "the", top_artist[:4], top_artist)
    ]
    for key in ("all", "12m"):
        found.append(
            (f"top-albums API {key}", f"/api/stats/top-albums?range={key}", PAGE_TARGET_MS)
        )
        for what in ("artists", "tracks", "albums"):
            for sort in ("plays", "time"):
                for page in (1, 20):
                    found.append(
                        (
                            f"list {what} {sort} p{page} {key}",
                            f"/analytics/top/{what}?range={key}&sort={sort}&page={page}",
                            PAGE_TARGET_MS,
                        )
                    )
        found.append((f"analytics page {key}", f"/analytics?range={key}", PAGE_TARGET_MS))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an existing database to measure")
    parser.add_argument("-n", type=int, default=30, help="timed requests per row (≥ 30)")
    args = parser.parse_args(argv)
    path = args.db or database(1_000_000)
    print(f"{path.name}: n={args.n}; {load_average()} at start")
    pages = targets(path)
    p95s = time_pages(path, "Europe/Berlin", pages, args.n)
    misses = sum(p > target for p, (_label, _url, target) in zip(p95s, pages, strict=True))
    print(f"\n{misses} request(s) over target; {load_average()} at the end")
    return 0


if __name__ == "__main__":
    sys.exit(main())

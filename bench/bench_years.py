"""Time the year in review and genre pages (HTML and JSON) for the worst case: the year with
the most plays and the genre with the most plays.

    python bench/bench_years.py                        # the cached 1M-play database
    python bench/bench_years.py --plays 100000 -n 50
    python bench/bench_years.py --db ~/.local/share/mtm/mtm.sqlite

By default the database is ``bench_pages.py``'s heavy listener (at 1M plays about 73,000
tracks by 5,100 artists on Zipf curves, 14 years; cached under bench/out/, built on first
use). ``--db`` measures an existing database instead, as its local user (the user ``mtm
demo`` and local mode use); it is opened for reading and writing, as the app does
(migrations, ANALYZE), so point it at a copy if that matters. Requests go through the Flask
test client (routing, user loading, SQL, JSON or template); p50/p95 of wall-clock time in
milliseconds, with the p95 of CPU time beside them (the load average, printed too, inflates
wall time on a shared machine).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from urllib.parse import quote

from bench_pages import database
from benchlib import load_average, time_pages

from music_time_machine.db import connect
from music_time_machine.db.stats import ListeningStats
from music_time_machine.db.users import ensure_local_user
from music_time_machine.db.years import year_totals

TARGET_P95_MS = 50.0


def worst_cases(path: Path, timezone: str) -> tuple[int, str | None]:
    """The local user's most-played year and most-played genre (None without genres)."""
    conn = connect(path)
    try:
        user = ensure_local_user(conn, timezone)
        years = year_totals(conn, user)
        if not years:
            raise SystemExit(f"{path} has no plays for its local user")
        year = max(years, key=lambda y: y["plays"])["year"]
        stats = ListeningStats(conn, user)
        genres = stats.top_genres(stats.first_day, stats.last_day, 1).items
        return year, genres[0]["genre"] if genres else None
    finally:
        conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an existing database to measure")
    parser.add_argument(
        "--plays", type=int, default=1_000_000, help="size of the generated database (without --db)"
    )
    parser.add_argument(
        "--timezone",
        default="Europe/Berlin",
        help="the local user's zone if the database has none yet",
    )
    parser.add_argument("-n", type=int, default=30, help="timed requests per page (≥ 30)")
    args = parser.parse_args(argv)
    path = args.db if args.db else database(args.plays)
    if not path.exists():
        raise SystemExit(f"no database at {path}")
    year, genre = worst_cases(path, args.timezone)
    targets = {
        "years index": "/years",
        "year page": f"/years/{year}",
        "year JSON": f"/api/years/{year}",
    }
    if genre:
        targets |= {
            "genre page": f"/genres/{quote(genre)}",
            "genre JSON": f"/api/genres/{quote(genre)}",
        }
    print(
        f"{path.name}: worst year {year}, top genre {genre!r}; n={args.n}; target p95 ≤ "
        f"{TARGET_P95_MS:.0f} ms; {load_average()}"
    )
    pages = [(name, url, TARGET_P95_MS) for name, url in targets.items()]
    worst = max(time_pages(path, args.timezone, pages, args.n))
    print(
        f"\nworst p95: {worst:.1f} ms ({'meets' if worst <= TARGET_P95_MS else 'misses'} "
        f"the {TARGET_P95_MS:.0f} ms target); {load_average()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

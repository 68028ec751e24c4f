"""Benchmark: how long an import holds SQLite's write lock at a time (each slice).

    python bench/bench_write_slices.py            # 200k rows, files of 16k rows
    python bench/bench_write_slices.py 200000 --rows-per-file 50000
    python bench/bench_write_slices.py 300000 --rows-per-file 300000 --recount Asia/Tokyo

Generates an extended-history export (``bench_import.generate``), imports it into a fresh
database and prints, for every write transaction the import opened, how long it held the
lock (from ``BEGIN IMMEDIATE`` to ``COMMIT``, seen through SQLite's trace callback). Another
user's write waits at most that long (then ``MTM_BUSY_TIMEOUT_S`` turns the wait into 503).
``--recount ZONE`` then changes the time zone the way Settings does (``db/recount.py``:
staged in slices, one swap) and prints the same for it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from bench_import import generate  # noqa: E402

from music_time_machine.db import connect  # noqa: E402
from music_time_machine.db.migrate import migrate  # noqa: E402
from music_time_machine.db.recount import stage_local_times, swap_in  # noqa: E402
from music_time_machine.db.users import ensure_local_user, get_settings  # noqa: E402
from music_time_machine.importers import run_import  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("rows", nargs="?", type=int, default=200_000)
    parser.add_argument("--rows-per-file", type=int, default=16_000)
    parser.add_argument("--recount", metavar="ZONE", help="then re-count in this time zone")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="mtm-slices-"))
    try:
        export = tmp / "export"
        export.mkdir()
        size = generate(args.rows, export, args.rows_per_file)
        conn = connect(tmp / "bench.sqlite")
        migrate(conn)
        user_id = ensure_local_user(conn, "UTC")
        held: list[float] = []
        opened = [0.0]

        def trace(statement: str) -> None:
            if statement.startswith("BEGIN"):
                opened[0] = time.perf_counter()
            elif statement in ("COMMIT", "ROLLBACK"):
                held.append(time.perf_counter() - opened[0])

        conn.set_trace_callback(trace)
        started = time.perf_counter()
        summary = run_import(conn, user_id, [export])
        wall = time.perf_counter() - started
        print(
            f"{args.rows:,} rows in {len(list(export.iterdir()))} files ({size / 1e6:.0f} MB),"
            f" {summary.plays_added:,} plays added in {wall:.1f} s"
        )
        _report(held)
        if args.recount:
            held.clear()
            started = time.perf_counter()
            rule = get_settings(conn, user_id).play_rule
            attempt, plays = stage_local_times(conn, user_id, args.recount, lambda d, t: None)
            swap_in(conn, user_id, attempt, args.recount, rule)
            print(f"re-count of {plays:,} plays in {time.perf_counter() - started:.1f} s")
            _report(held)
        conn.set_trace_callback(None)
        conn.close()
    finally:
        shutil.rmtree(tmp)


def _report(held: list[float]) -> None:
    big = sorted(held, reverse=True)
    print(
        f"write transactions: {len(held)}; lock held longest {big[0]:.2f} s, "
        f"then {', '.join(f'{s:.2f}' for s in big[1:6])} s; total {sum(held):.1f} s"
    )


if __name__ == "__main__":
    main()

"""Time *Clear all data* (``db.userdata.delete_listening_data``) for a heavy listener.

    python bench/bench_clear.py                    # the cached 1M-play database, 3 rounds
    python bench/bench_clear.py --plays 100000 -n 5
    python bench/bench_clear.py --db PATH          # an existing database (its first user)

Each round deletes the first user's listening data from a fresh copy of the database (bench
/bench_pages.py's heavy listener by default: a million plays, ~7 million rows with the
rollups) three ways, in turn:

- reference: the naive way, measured in the same run: ``DELETE ... WHERE user_id = ?`` on
  every listening table in one transaction, foreign keys enforced row by row (their cascade
  deleting the rows that hang off the catalogue);
- the app, the database's only user (every local-mode install): each table emptied whole,
  foreign keys checked once at the end;
- the app, with another user in the database: only this user's rows, keys checked at the end.

After each, every table's row count is compared with the reference's: the three must leave
the same database.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench_pages import database
from benchlib import load_average

from music_time_machine.db import connect, transaction
from music_time_machine.db.migrate import migrate
from music_time_machine.db.userdata import delete_listening_data, listening_tables


def naive_clear(conn, user_id: int) -> dict[str, int]:
    """The reference: row by row, foreign keys (and their cascades) enforced as it goes."""
    with transaction(conn):
        return {
            t: conn.execute(f"DELETE FROM {t} WHERE user_id = ?", (user_id,)).rowcount
            for t in listening_tables(conn)
        }


def with_another_user(conn, user_id: int) -> dict[str, int]:
    with transaction(conn):
        conn.execute("INSERT INTO users (display_name) VALUES ('someone else')")
    try:
        return delete_listening_data(conn, user_id)
    finally:
        with transaction(conn):
            conn.execute("DELETE FROM users WHERE display_name = 'someone else'")


def clear_ms(
    path: Path, clear: Callable[..., dict[str, int]] = delete_listening_data
) -> tuple[float, int, dict[str, int]]:
    """(ms, plays deleted, every table's rows after) of ``clear`` for the first user of a
    fresh copy of ``path``."""
    with tempfile.TemporaryDirectory(prefix="mtm-clear-") as tmp:
        copy = Path(tmp) / "copy.sqlite"
        shutil.copyfile(path, copy)
        conn = connect(copy)
        try:
            migrate(conn)
            user = conn.execute("SELECT MIN(id) FROM users").fetchone()[0]
            start = time.perf_counter()
            deleted = clear(conn, user)
            ms = (time.perf_counter() - start) * 1000
            tables = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_names_%'"
                )
            ]
            rows = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}
            return ms, deleted.get("plays", 0), rows
        finally:
            conn.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="an existing database (its first user)")
    parser.add_argument("--plays", type=int, default=1_000_000, help="generated size (no --db)")
    parser.add_argument("-n", type=int, default=3, help="rounds")
    args = parser.parse_args(argv)
    path = args.db or database(args.plays)
    cases = {
        "reference: row by row, keys enforced": naive_clear,
        "app, the only user": delete_listening_data,
        "app, another user present": with_another_user,
    }
    times: dict[str, list[float]] = {name: [] for name in cases}
    plays = 0
    for _round in range(args.n):
        expected = None
        for name, clear in cases.items():
            ms, plays, rows = clear_ms(path, clear)
            times[name].append(ms)
            if expected is None:
                expected = rows
            elif rows != expected:
                differ = sorted(t for t in rows if rows[t] != expected.get(t))
                raise SystemExit(f"{name} left other rows than the reference in {differ}")
    print(f"{path.name}: clearing {plays:,} plays, {args.n} rounds; {load_average()}")
    for name, values in times.items():
        print(
            f"  {name:<40} median {statistics.median(values) / 1000:6.2f} s"
            f"  max {max(values) / 1000:6.2f} s"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

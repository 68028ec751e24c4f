"""Benchmark: the least time SQLite takes to store what an import of N rows stores.

    python bench/bench_floor.py                  # generate and import 1M rows first
    python bench/bench_floor.py --db imported.sqlite

An import's wall time is bounded below by its writes: every play and every rollup row it
leaves behind is written by the one process that may write to the database, on one core.
This script imports a generated export with the app (``bench_import.py``'s generator and
importer), then writes exactly the same rows again into a fresh database with the same
schema, in one transaction, two ways:

- ``sql``: ``INSERT ... SELECT`` from the imported database (attached). No Python per row,
  rows already computed and in key order: no importer can store them faster.
- ``python``: the same rows handed over from Python lists (``executemany``; the plays through
  the app's own ``insert_play_rows``), as they are when an importer computes them in Python;
- ``bare``: the same, into in-memory tables without keys or indexes: a lower bound of what
  a helper process would pay to hand its rows over through a staging database, the
  cheapest way out of Python.

Prints, per table, the rows, the B-tree entries written (a row in the table and one in each
of its indexes) and the seconds each way, then the totals.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from music_time_machine.db import connect  # noqa: E402
from music_time_machine.db.migrate import migrate  # noqa: E402
from music_time_machine.db.plays import PLAY_COLUMNS, insert_play_rows  # noqa: E402
from music_time_machine.importers.streams import BATCH_ROWS  # noqa: E402

#: Written before the clock starts: what the rows refer to.
CATALOGUE = ("users", "user_settings", "artists", "albums", "tracks", "track_artists")


def _import(rows: int) -> tuple[Path, Path]:
    """Generate an export of ``rows`` rows and import it; returns (temp dir, database)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_import import generate

    tmp = Path(tempfile.mkdtemp(prefix="mtm-floor-"))
    export, db = tmp / "export", tmp / "imported.sqlite"
    export.mkdir()
    generate(rows, export, max(1, rows // 16_000))
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "bench" / "bench_import.py"), "--child", str(export), str(db)],
        check=True,
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    print(f"imported {rows:,} rows with the app in {time.perf_counter() - began:.1f} s")
    return tmp, db


def _fresh(path: Path, source: Path) -> sqlite3.Connection:
    """A migrated database at ``path`` holding ``source``'s catalogue, ``source`` attached."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    conn = connect(path)
    migrate(conn)
    conn.execute("PRAGMA foreign_keys = OFF")  # the rows are the import's: already valid
    conn.execute("ATTACH ? AS src", (str(source),))
    conn.execute("BEGIN IMMEDIATE")
    for table in CATALOGUE:
        conn.execute(f"DELETE FROM {table}")
        conn.execute(f"INSERT INTO {table} SELECT * FROM src.{table}")
    conn.execute("COMMIT")
    return conn


def _tables(conn: sqlite3.Connection) -> list[tuple[str, int]]:
    """(table, number of indexes holding every row) for plays and every rollup table; a
    partial index (plays_not_music: podcasts and audiobooks only) holds a few and is left
    out of the entry count."""
    found = []
    for (name,) in conn.execute(
        "SELECT name FROM src.sqlite_master WHERE type = 'table' "
        "AND (name = 'plays' OR name LIKE 'rollup%') ORDER BY name"
    ):
        indexes = conn.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = ? AND COALESCE(sql, '') NOT LIKE '% WHERE %'",
            (name,),
        ).fetchone()[0]
        found.append((name, indexes))
    return found


def _write(
    conn: sqlite3.Connection, mode: str, tables: list[tuple[str, int]]
) -> dict[str, tuple[int, float]]:
    """Write every table's rows from ``src`` in one transaction; (rows, seconds) per table."""
    user_id = conn.execute("SELECT id FROM users").fetchone()[0]
    spent = {}
    rows_by_table = {}
    columns = {table: ", ".join(PLAY_COLUMNS) if table == "plays" else "*" for table, _ in tables}
    if mode != "sql":  # read everything first: only the writing is timed
        for table, _ in tables:
            rows_by_table[table] = [
                tuple(r) for r in conn.execute(f"SELECT {columns[table]} FROM src.{table}")
            ]
    began = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    for table, _ in tables:
        start = time.perf_counter()
        if mode == "sql":
            # 'WHERE true' keeps SQLite from copying pages wholesale (the transfer
            # optimisation), which no importer computing its rows could use.
            count = conn.execute(
                f"INSERT INTO {table} SELECT * FROM src.{table} WHERE true"
            ).rowcount
        elif table == "plays" and mode == "python":
            rows = rows_by_table[table]
            count = sum(
                insert_play_rows(conn, user_id, rows[i : i + BATCH_ROWS], rollups=None)
                for i in range(0, len(rows), BATCH_ROWS)
            )
        else:
            rows = rows_by_table[table]
            if mode == "bare":
                conn.execute(f"DROP TABLE IF EXISTS temp.{table}")
                conn.execute(
                    f"CREATE TEMP TABLE {table} AS SELECT {columns[table]} "
                    f"FROM src.{table} WHERE false"
                )
            if rows:
                marks = ", ".join("?" * len(rows[0]))
                target = f"temp.{table}" if mode == "bare" else table
                conn.executemany(f"INSERT INTO {target} VALUES ({marks})", rows)
            count = len(rows)
        spent[table] = (count, time.perf_counter() - start)
    start = time.perf_counter()
    conn.execute("COMMIT")
    spent["COMMIT"] = (0, time.perf_counter() - start)
    spent["total"] = (sum(n for n, _ in spent.values()), time.perf_counter() - began)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rows", type=int, default=1_000_000, help="rows to generate and import (without --db)"
    )
    parser.add_argument("--db", type=Path, help="a database an import already filled")
    args = parser.parse_args()
    tmp = None
    if args.db is None:
        tmp, args.db = _import(args.rows)
    work = Path(tempfile.mkdtemp(prefix="mtm-floor-out-"))
    try:
        results = {}
        for mode in ("sql", "python", "bare"):
            conn = _fresh(work / f"{mode}.sqlite", args.db)
            tables = _tables(conn)
            results[mode] = _write(conn, mode, tables)
            conn.close()
        for table, _ in tables:  # each way wrote every row
            counts = {mode: spent[table][0] for mode, spent in results.items()}
            if len(set(counts.values())) != 1:
                raise SystemExit(f"{table}: rows written differ between the ways: {counts}")
        entries = {table: results["sql"][table][0] * (1 + indexes) for table, indexes in tables}
        entries["total"] = sum(entries.values())
        print(
            f"{'table':<28} {'rows':>10} {'entries':>10} {'sql s':>7} {'python s':>9} {'bare s':>7}"
        )
        for name in [t for t, _ in tables] + ["COMMIT", "total"]:
            rows, entry = results["sql"][name][0], entries.get(name, 0)
            print(
                f"{name:<28} {f'{rows:,}' if rows else '':>10} "
                f"{f'{entry:,}' if entry else '':>10} "
                f"{results['sql'][name][1]:>7.2f} {results['python'][name][1]:>9.2f} "
                f"{results['bare'][name][1]:>7.2f}"
            )
    finally:
        shutil.rmtree(work)
        if tmp is not None:
            shutil.rmtree(tmp)


if __name__ == "__main__":
    main()

"""Numbered SQL migrations (``migrations/NNNN_name.sql``), applied in order, each once.

Each file runs in its own transaction together with its bookkeeping row, so a failed
migration leaves the database at the previous version.

A line ``-- @step NAME`` in a file runs the Python function ``NAME`` of
``migration_steps.STEPS`` at that point, in the same transaction: for data moves that plain
SQL says badly (finding every column that refers to a table, say).

Foreign keys are switched off while a migration runs, as SQLite's own procedure for
rebuilding a table asks (a ``DROP TABLE`` would otherwise cascade into its children), and
``PRAGMA foreign_key_check`` must find nothing before the migration commits.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_STEP = re.compile(r"^--\s*@step\s+([a-z0-9_]+)\s*$")


def available() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every bundled migration, in order."""
    found = []
    for entry in resources.files(__package__).joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if m:
            found.append((int(m.group(1)), m.group(2), entry.read_text(encoding="utf-8")))
    return sorted(found)


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    """Whether the migration that creates this table has run: the steps of earlier
    migrations (and their tests) write plays and rebuild rollups before later tables
    exist; the later migration then fills them."""
    return (
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
        ).fetchone()
        is not None
    )


def current_version(conn: sqlite3.Connection) -> int:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')))"
    )
    row = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
    return row[0] or 0


def applied_version(conn: sqlite3.Connection) -> int:
    """The newest migration applied, without creating anything (``current_version`` makes
    the table first): for a read-only look, such as the health probe."""
    return conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()[0]


def latest_version() -> int:
    migrations = available()
    return migrations[-1][0] if migrations else 0


def migrate(conn: sqlite3.Connection) -> list[int]:
    """Apply pending migrations; returns the versions applied (empty when current)."""
    applied = []
    current_version(conn)  # creates the bookkeeping table on a new database
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    for version, name, sql in available():
        if version in done:  # any missing version runs, even one numbered below the newest
            continue
        _apply(conn, version, name, sql)
        applied.append(version)
    return applied


def _apply(conn: sqlite3.Connection, version: int, name: str, sql: str) -> None:
    """One migration in one transaction, foreign keys checked once at the end."""
    from . import transaction_checking_keys_at_end
    from .migration_steps import STEPS

    with transaction_checking_keys_at_end(conn, f"migration {version}"):
        # executescript would COMMIT our transaction; run statement by statement.
        for statement in _statements(sql):
            step = _STEP.match(statement)
            if step:
                STEPS[step.group(1)](conn)
            else:
                conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", (version, name))


def _statements(sql: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows the grammar)."""
    statements, buf = [], ""
    for line in sql.splitlines(keepends=True):
        if not buf.strip() and _STEP.match(line.strip()):
            statements.append(line.strip())
            buf = ""
            continue
        if not buf.strip() and line.strip().startswith("--"):
            buf = ""  # comments between statements (or above a step line) are dropped
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                statements.append(buf.strip())
            buf = ""
    if buf.strip():
        statements.append(buf.strip())
    return statements


#: Tables SQLite itself may add to any database (autoincrement counters, ANALYZE output).
_SQLITE_INTERNAL = frozenset({"sqlite_sequence", "sqlite_stat1", "sqlite_stat4"})


@dataclass(frozen=True)
class SchemaShape:
    """What a database's schema looks like, for comparing one file against another.

    ``tables`` maps each table to its columns as ``PRAGMA table_xinfo`` describes them
    (name, declared type, not-null, default, primary-key position, hidden); ``indexes``
    maps each index to its table, uniqueness and indexed columns. ``other`` lists every
    view, trigger and virtual table: our schema has none.
    """

    tables: dict[str, tuple[tuple, ...]]
    indexes: dict[str, tuple]
    other: tuple[tuple[str, str], ...]


def schema_shape(conn: sqlite3.Connection) -> SchemaShape:
    """Read the shape of ``conn``'s schema from ``sqlite_master`` and pragmas (no row of a
    table is read, and no view or virtual table is ever queried)."""
    tables: dict[str, tuple[tuple, ...]] = {}
    indexes: dict[str, tuple] = {}
    other: list[tuple[str, str]] = []
    entries = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master").fetchall()
    for kind, name, _table, sql in entries:
        if kind == "table" and (sql or "").lstrip()[:20].upper().startswith("CREATE VIRTUAL"):
            other.append(("virtual table", name))
        elif kind in ("view", "trigger"):
            other.append((kind, name))
    if other:  # pragmas on a virtual table would load its module: stop before any
        return SchemaShape({}, {}, tuple(other))
    for kind, name, table, _sql in entries:
        if kind == "table" and name not in _SQLITE_INTERNAL:
            tables[name] = tuple(
                tuple(r)[1:] for r in conn.execute("SELECT * FROM pragma_table_xinfo(?)", (name,))
            )
        elif kind == "index":
            unique = next(
                (
                    r[2]
                    for r in conn.execute("SELECT * FROM pragma_index_list(?)", (table,))
                    if r[1] == name
                ),
                None,
            )
            columns = tuple(
                tuple(r) for r in conn.execute("SELECT * FROM pragma_index_xinfo(?)", (name,))
            )
            indexes[name] = (table, unique, columns)
    return SchemaShape(tables, indexes, ())


@lru_cache(maxsize=8)
def schema_at(versions: frozenset[int]) -> SchemaShape:
    """The shape our migrations ``versions`` give a per-user backup (in memory, cached):
    a new database's schema without the search index, which backups leave out."""
    from .search import drop_search_index

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        current_version(conn)
        for version, name, sql in available():
            if version in versions:
                _apply(conn, version, name, sql)
        drop_search_index(conn)
        return schema_shape(conn)
    finally:
        conn.close()

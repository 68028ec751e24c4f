"""SQLite access: one connection per request on ``g``, explicit transactions.

Connections run in autocommit mode (``isolation_level=None``) and every write goes through
``transaction()``, so a write is all-or-nothing and the code says where it begins and ends.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app, g

_savepoints = itertools.count()


#: How long a background connection waits for another writer before SQLite gives up.
BACKGROUND_BUSY_TIMEOUT_S = 30.0


def connect(
    path: str | Path, busy_timeout_s: float = BACKGROUND_BUSY_TIMEOUT_S
) -> sqlite3.Connection:
    """Open the database with the pragmas every connection needs.

    ``busy_timeout_s`` bounds the wait for another connection's write transaction; after
    it, the statement fails with ``sqlite3.OperationalError: database is locked`` (web
    requests use a short bound, ``MTM_BUSY_TIMEOUT_S``, and answer 503).
    """
    conn = sqlite3.connect(
        str(path), isolation_level=None, timeout=busy_timeout_s, check_same_thread=False
    )
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -65536")  # 64 MiB
    return conn


def open_existing(path: str | Path, busy_timeout_s: float) -> sqlite3.Connection:
    """Open a database that must already exist (``mode=rw``: a missing file is an error,
    not a new empty database), waiting at most ``busy_timeout_s`` for a writer. Plain
    rows, no pragmas beyond the wait: for a quick look, such as the health probe."""
    uri = Path(path).resolve().as_uri() + "?mode=rw"
    conn = sqlite3.connect(uri, uri=True, timeout=busy_timeout_s)
    conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
    return conn


@contextmanager
def transaction(conn: sqlite3.Connection, immediate: bool = True) -> Iterator[sqlite3.Connection]:
    """Run a block as one transaction; nested blocks become savepoints.

    ``BEGIN IMMEDIATE`` takes the write lock up front so two writers queue instead of
    failing half-way with SQLITE_BUSY on lock upgrade.
    """
    if conn.in_transaction:
        name = f"sp{next(_savepoints)}"
        conn.execute(f"SAVEPOINT {name}")
        try:
            yield conn
        except BaseException:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            raise
        conn.execute(f"RELEASE {name}")
        return
    conn.execute("BEGIN IMMEDIATE" if immediate else "BEGIN")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextmanager
def transaction_checking_keys_at_end(
    conn: sqlite3.Connection, what: str
) -> Iterator[sqlite3.Connection]:
    """One write transaction whose foreign keys are checked once, at the end, instead of
    row by row: for bulk rewrites (a migration rebuilding a table, emptying a user's data).

    SQLite's own procedure for rebuilding a table asks for this (a ``DROP TABLE`` would
    otherwise cascade into its children), and row-by-row checks cost most of a bulk delete
    and keep SQLite from emptying a table whole. ``PRAGMA foreign_key_check`` must find
    nothing before the commit, or everything is rolled back (``what`` names the work in the
    error). The pragma is a no-op inside a transaction, so this must begin one.
    """
    if conn.in_transaction:
        raise RuntimeError(f"{what}: foreign keys can only be switched off between transactions")
    foreign_keys = conn.execute("PRAGMA foreign_keys").fetchone()[0]
    conn.execute("PRAGMA foreign_keys = OFF")
    try:
        with transaction(conn):
            yield conn
            broken = conn.execute("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise sqlite3.IntegrityError(
                    f"{what} would leave {len(broken)} broken references, "
                    f"first in table {broken[0][0]}"
                )
    finally:
        conn.execute(f"PRAGMA foreign_keys = {'ON' if foreign_keys else 'OFF'}")


# A write transaction that outlives one block (the importer's slices, committed between
# batches of a file and between files) cannot be a ``with transaction(...)``: these name
# its steps instead.
def begin_write(conn: sqlite3.Connection) -> None:
    """Begin a write transaction (taking the write lock now, as ``transaction`` does)."""
    conn.execute("BEGIN IMMEDIATE")


def commit(conn: sqlite3.Connection) -> None:
    conn.execute("COMMIT")


def rollback(conn: sqlite3.Connection) -> None:
    conn.execute("ROLLBACK")


def savepoint(conn: sqlite3.Connection, name: str) -> None:
    """Open the savepoint ``name`` (an identifier chosen by the code, never by input)."""
    conn.execute(f"SAVEPOINT {name}")


def release_savepoint(conn: sqlite3.Connection, name: str) -> None:
    """Keep what was written since ``savepoint(name)`` (in the enclosing transaction)."""
    conn.execute(f"RELEASE {name}")


def undo_savepoint(conn: sqlite3.Connection, name: str) -> None:
    """Drop what was written since ``savepoint(name)``, and the savepoint."""
    conn.execute(f"ROLLBACK TO {name}")
    conn.execute(f"RELEASE {name}")


@contextmanager
def bounded_memory(conn: sqlite3.Connection, cache_kib: int) -> Iterator[None]:
    """Inside the block: at most ``cache_kib`` KiB of page cache (never more than the
    connection has), and temporary storage in files rather than memory; then as before.

    For a large import, whose memory must stay bounded (issue #15): it fills any cache it
    is given, and every savepoint keeps the original of each page it changes in a
    sub-journal, which ``temp_store = MEMORY`` holds in memory (about 100 MB at the end of
    a slice of a million-row import). In a file it sits in the OS's cache instead. The
    temp store can only change outside a transaction: inside one it stays as it is."""
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    page = conn.execute("PRAGMA page_size").fetchone()[0]
    kib = -cache if cache < 0 else cache * page // 1024
    conn.execute(f"PRAGMA cache_size = {-min(kib, int(cache_kib))}")
    temp = None
    if not conn.in_transaction:
        temp = conn.execute("PRAGMA temp_store").fetchone()[0]
        conn.execute("PRAGMA temp_store = FILE")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")
        if temp is not None and not conn.in_transaction:
            conn.execute(f"PRAGMA temp_store = {int(temp)}")
        conn.execute("PRAGMA shrink_memory")


@contextmanager
def fewer_checkpoints(conn: sqlite3.Connection, pages: int) -> Iterator[None]:
    """Checkpoint the WAL at most every ``pages`` pages inside the block (never more often
    than the connection already does), then as before. Each checkpoint syncs the database:
    during an import, one after every file's commit cost more than the file's inserts."""
    before = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute(f"PRAGMA wal_autocheckpoint = {max(before, int(pages))}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(before)}")


def database_path(app: Flask | None = None) -> Path:
    app = app or current_app
    return Path(app.config["DATABASE"])


def get_db() -> sqlite3.Connection:
    """The request's connection, opened on first use; it waits ``MTM_BUSY_TIMEOUT_S`` at
    most for a background writer (an import commits in slices of about a second)."""
    if "db" not in g:
        g.db = connect(
            database_path(), current_app.config.get("MTM_BUSY_TIMEOUT_S", BACKGROUND_BUSY_TIMEOUT_S)
        )
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


def init_app(app: Flask) -> None:
    """Apply migrations once at start-up and close connections after each request."""
    from .migrate import migrate

    Path(app.config["DATABASE"]).parent.mkdir(parents=True, exist_ok=True)
    conn = connect(app.config["DATABASE"])
    try:
        migrate(conn)
    finally:
        conn.close()
    app.teardown_appcontext(close_db)

"""Writing plays. Every writer (demo generator, importers, sync, restore) comes through
``insert_plays`` so that the uniqueness rule, local dates and rollups are applied alike.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple, get_args, get_type_hints

from ..rules import PlayRule
from . import transaction
from .rollups import add_new_plays
from .users import UserSettings, get_settings


class PlayDetails(NamedTuple):
    """A stream's details, as the extended export writes them, in ``plays`` column order.

    Each is nullable: account data, the Web API and backups made before the columns existed
    lack them, and a missing detail is unknown, not false. The flags are 0/1, the others
    text. Declared once here: the plays columns (``PLAY_DETAIL_COLUMNS``), the importer's
    ``Stream``, ``NewPlay`` and the restore all take their fields and order from it.
    """

    skipped: int | None = None
    shuffle: int | None = None
    reason_start: str | None = None
    reason_end: str | None = None
    platform: str | None = None
    offline: int | None = None
    incognito: int | None = None


#: A stream without details (every field unknown).
NO_DETAILS = PlayDetails()
#: The ``plays`` columns that hold a stream's details.
PLAY_DETAIL_COLUMNS = PlayDetails._fields
#: The details that are text (held to ``limits.MAX_NAME_CHARS`` like names); the rest are
#: 0/1 flags.
TEXT_DETAILS = tuple(
    name for name, hint in get_type_hints(PlayDetails).items() if str in get_args(hint)
)


@dataclass(slots=True)
class NewPlay:
    track_id: int
    played_at: int  # epoch ms UTC, end of stream
    ms_played: int
    source: str
    kind: str = "music"
    details: PlayDetails = NO_DETAILS
    uri_id: int | None = None  # the URI the stream came with (track_uris), if any


@dataclass
class InsertResult:
    added: int = 0
    duplicates: int = 0


#: Column order of the rows ``insert_play_rows`` takes.
PLAY_COLUMNS = (
    "user_id",
    "track_id",
    "played_at",
    "ms_played",
    "kind",
    "source",
    "local_date",
    "local_hour",
    *PLAY_DETAIL_COLUMNS,
    "uri_id",
)

_COLUMNS = ", ".join(PLAY_COLUMNS)
_MARKS = ", ".join("?" for _ in PLAY_COLUMNS)
_STAGE = f"CREATE TEMP TABLE IF NOT EXISTS play_stage ({_COLUMNS})"
_STAGE_INSERT = f"INSERT INTO temp.play_stage ({_COLUMNS}) VALUES ({_MARKS})"
_INSERT_STAGED = (
    f"INSERT OR IGNORE INTO plays ({_COLUMNS}) "
    f"SELECT {_COLUMNS} FROM temp.play_stage ORDER BY rowid"
)


def insert_plays(
    conn: sqlite3.Connection,
    user_id: int,
    plays: Iterable[NewPlay],
    settings: UserSettings | None = None,
) -> InsertResult:
    """Insert plays (exact duplicates are ignored) and bring the rollups up to date.

    Runs in one transaction (a savepoint when the caller already has one), so either all
    rows and their rollups land or none do. ``settings`` are the user's (time zone, play
    rule), which a writer calling in batches reads once and passes; read here otherwise.
    """
    settings = settings or get_settings(conn, user_id)
    rows = []
    local = settings.clock.local
    for p in plays:
        day, hour = local(p.played_at)
        rows.append(
            (
                user_id,
                p.track_id,
                p.played_at,
                p.ms_played,
                p.kind,
                p.source,
                day,
                hour,
                *p.details,
                p.uri_id,
            )
        )
    added = insert_play_rows(conn, user_id, rows, rollups=settings.play_rule)
    return InsertResult(added, len(rows) - added)


def insert_play_rows(
    conn: sqlite3.Connection, user_id: int, rows: list[tuple], *, rollups: PlayRule | None
) -> int:
    """The bulk writer under ``insert_plays``: ``rows`` are tuples in ``PLAY_COLUMNS`` order
    (``user_id`` first, local date and hour already computed by ``LocalClock.local``).
    Inserts them (exact duplicates ignored), updates every rollup by the user's play rule
    ``rollups`` and returns how many rows were added. For writers that build rows by the
    hundred thousand (the importer).

    ``rollups=None`` leaves the rollups to the caller, which must be inside a transaction
    and call ``rollups.add_new_plays`` for the plays added since it began before it commits
    (one pass over several files' plays costs less than one per file)."""
    with transaction(conn):
        # New rows get ids above the current maximum (no other writer inside this
        # transaction), which is how the rollups find exactly what was added.
        last_id = conn.execute("SELECT COALESCE(MAX(id), 0) FROM plays").fetchone()[0]
        # Rows go through a constraint-free temp table and then into plays with one
        # statement: per-row executions would re-evaluate the table's CHECK (source IN
        # (...)) list setup every time, which costs more than the insert itself.
        conn.execute(_STAGE)
        conn.execute("DELETE FROM temp.play_stage")
        conn.executemany(_STAGE_INSERT, rows)
        before = conn.total_changes
        conn.execute(_INSERT_STAGED)
        added = conn.total_changes - before
        conn.execute("DELETE FROM temp.play_stage")
        if added and rollups is not None:
            add_new_plays(conn, user_id, last_id, rollups)
    return added


def has_plays(conn: sqlite3.Connection, user_id: int) -> bool:
    """Whether the user has any stream at all (music, podcast or audiobook)."""
    return (
        conn.execute("SELECT 1 FROM plays WHERE user_id = ? LIMIT 1", (user_id,)).fetchone()
        is not None
    )


def play_span(conn: sqlite3.Connection, user_id: int) -> tuple[int | None, int | None, int]:
    """(first, last) ``played_at`` of the user's plays (None, None without any) and the
    highest play id of anyone: what the reconciler needs to know which stored plays an
    incoming row could meet."""
    # Three queries, so that each is one index seek (together they would scan).
    lo = conn.execute("SELECT MIN(played_at) FROM plays WHERE user_id = ?", (user_id,)).fetchone()[
        0
    ]
    hi = conn.execute("SELECT MAX(played_at) FROM plays WHERE user_id = ?", (user_id,)).fetchone()[
        0
    ]
    last_id = conn.execute("SELECT MAX(id) FROM plays").fetchone()[0]
    return lo, hi, last_id or 0


def stored_streams(
    conn: sqlite3.Connection, user_id: int, start: int, end: int, last_id: int
) -> sqlite3.Cursor:
    """The user's plays with ``start <= played_at < end`` and ``id <= last_id``, as
    (match_key, played_at, source, ms_played, play id, track id, skipped) rows: the
    candidates the reconciler compares incoming rows with."""
    return conn.execute(
        "SELECT t.match_key, p.played_at, p.source, p.ms_played, p.id, p.track_id, p.skipped "
        "FROM plays p JOIN tracks t ON t.id = p.track_id "
        "WHERE p.user_id = ? AND p.played_at >= ? AND p.played_at < ? AND p.id <= ?",
        (user_id, start, end, last_id),
    )

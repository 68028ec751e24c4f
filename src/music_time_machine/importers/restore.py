"""Restore a SQLite backup made by this app (Settings › Export) into the current account.

A restore is an import whose rows come from another copy of our own schema, so it follows
the import's rules: catalogue rows are found or created through ``Catalogue`` (by Spotify
URI, else by artist + title), its plays go through the importer's own loop
(``streams.write_streams``: the shared ``Reconciler``, so nothing is counted twice whatever
mix of sync, export and earlier restores the account holds; the same play rule and
batches), written with their rollups. Everything happens in ONE transaction: a restore
lands completely or not at all.

Plays keep the ``source`` they had (``api``, ``extended``, ``account``, ...) rather than
becoming ``restore``: the reconciler decides "same stream" by each source's clock (an
``account`` time is truncated to the minute, ``api`` and ``extended`` times differ by a
few seconds), and a later sync or import must still recognise restored plays. Only a
source this app does not know is stored as ``restore``.

The backup file is opened read-only and never trusted: it must be a SQLite file whose
schema is exactly ours at its version, column by column (not newer, no views, triggers or
virtual tables), pass ``PRAGMA integrity_check`` and hold one user's data.
Accounts, Spotify tokens, settings, sync history and playlists are never restored: they
belong to the account the backup is restored into.

Its rows meet the importer's ``limits`` (a time between 2006 and tomorrow, 0 to 24 hours
played, names of sane length). A row that fails them is left out and counted in the
report's ``rejected_reasons``, as the importer does, rather than refusing the backup: a
backup made by an older version may hold such rows (it stored year-1 times), and its
owner must still be able to restore the rest. All-or-nothing still holds for what the
restore takes: the rows it keeps land together in one transaction, or none do.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..db import backup_file, transaction
from ..db.catalogue import (
    ArtistInfo,
    Catalogue,
    TrackInfo,
    fill_missing_features,
    stored_match_key,
)
from ..db.migrate import SchemaShape, latest_version, schema_at, schema_shape
from ..db.plays import PLAY_DETAIL_COLUMNS, TEXT_DETAILS, PlayDetails, insert_play_rows
from ..db.snapshots import add_snapshot_entry, snapshot_lists
from ..db.users import UserSettings, get_settings
from ..genres import FEATURE_NAMES
from ..limits import NAME_TOO_LONG, latest_play_ms, names_ok, play_problem
from ..reconcile import Reconciler
from .rows import Stream, stream_item
from .streams import BATCH_ROWS, StreamItem, write_streams
from .summary import PROGRESS_EVERY_S, FileReport, ImportProgress, ImportSummary, Throttle

SQLITE_MAGIC = b"SQLite format 3\x00"
#: The kind of the one ``FileReport`` a restore produces.
BACKUP_KIND = "backup"
#: Tables (and the columns we read) that every version of our schema has.
REQUIRED_COLUMNS = {
    "schema_migrations": {"version"},
    "plays": {"user_id", "track_id", "played_at", "ms_played", "kind", "source"},
    "tracks": {"id", "spotify_id", "kind", "name", "album_id", "duration_ms"},
    "artists": {"id", "spotify_id", "name", "genres"},
    "track_artists": {"track_id", "artist_id", "position"},
    "albums": {"id", "spotify_id", "name"},
}
#: ``plays.source`` values kept as they are (see the module docstring).
KNOWN_SOURCES = frozenset({"api", "extended", "account", "demo", "restore", "json"})
TRACK_KINDS = frozenset({"music", "podcast", "audiobook", "video"})
SNAPSHOT_RANGES = frozenset({"short_term", "medium_term", "long_term"})


class BackupError(Exception):
    """The file cannot be restored; ``problem`` says why in words a user can act on."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


@dataclass
class RestoreSummary(ImportSummary):
    """An ``ImportSummary`` with one ``backup`` file, plus the top-list snapshots restored."""

    snapshots_added: int = 0

    def headline(self) -> str:
        """One sentence for the page and the log: the problem, or what was added."""
        if self.errors:
            report = self.errors[0]
            return f"{report.name} {report.error} Nothing was changed."
        text = (
            f"Read {self.rows_read:,} streams from the backup: added {self.plays_added:,} "
            f"plays, {self.short_plays:,} short plays and {self.podcasts_audiobooks:,} "
            f"podcast or audiobook streams; {self.duplicates:,} were already here."
        )
        if self.incognito_skipped:
            text += (
                f" {self.incognito_skipped:,} incognito streams were left out "
                "(your settings exclude them)."
            )
        if self.rejected:
            text += f" {self.rejected:,} unusable rows were skipped."
        if self.snapshots_added:
            text += f" {self.snapshots_added:,} top-list entries restored."
        return text

    def to_dict(self) -> dict:
        data = super().to_dict()
        data["kind"] = "restore"
        data["snapshots_added"] = self.snapshots_added
        return data


@dataclass(frozen=True)
class RestoreProgress(ImportProgress):
    """Progress by plays read (``bytes_*`` carry play counts: they are known up front)."""

    def describe(self) -> str:
        return f"Restored {self.bytes_done:,} of {self.bytes_total:,} streams"


def restore_backup(
    conn: sqlite3.Connection,
    user_id: int,
    path: Path | str,
    *,
    name: str | None = None,
    progress: Callable[[ImportProgress], None] | None = None,
) -> RestoreSummary:
    """Merge the plays of the backup at ``path`` into ``user_id``'s history.

    Returns a summary with one ``FileReport`` (kind ``backup``). A file that is not a
    backup of ours, is damaged or comes from a newer version gets ``error`` set and leaves
    the database exactly as it was; so does any failure half-way (one transaction).
    ``name`` is the file name the user knows (defaults to the path's).
    """
    started = time.perf_counter()
    path = Path(path)
    name = name or path.name
    summary = RestoreSummary()
    try:
        with closing(open_backup(path)) as backup:
            user_count = check_backup(backup)
            if user_count > 1:
                raise BackupError(
                    f"holds the listening history of {user_count} people; a backup made in "
                    "Settings › Export holds one person's data."
                )
            with transaction(conn):  # the settings too: a re-count may be swapping them in
                restorer = _Restorer(conn, get_settings(conn, user_id), backup, name, progress)
                report = restorer.restore_plays()
                summary.snapshots_added = restorer.restore_snapshots()
    except BackupError as error:
        report = FileReport(name, BACKUP_KIND, error=error.problem)
    summary.files.append(report)
    summary.seconds = time.perf_counter() - started
    return summary


def open_backup(path: Path) -> sqlite3.Connection:
    """Open ``path`` read-only (``db.backup_file.open_read_only``: never written to)
    after checking that it is a SQLite file at all."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(len(SQLITE_MAGIC))
    except OSError as error:
        raise BackupError(f"could not be read ({error.strerror or error}).") from None
    if magic != SQLITE_MAGIC:
        raise BackupError(
            "is not a SQLite file. A backup made in Settings › Export is a "
            ".sqlite file; a Spotify data export (.zip or .json) goes in Import."
        )
    with _unreadable_is_damaged():
        return backup_file.open_read_only(path)


def check_backup(backup: sqlite3.Connection) -> int:
    """Refuse a damaged, foreign or newer database; returns how many users' plays it holds.

    The schema is checked first, from ``sqlite_master`` and pragmas only: a view, trigger or
    virtual table could run any query when read (a recursive view as ``plays`` never ends),
    so the file must hold exactly our tables, columns and indexes at its own version before
    a single row is read.
    """
    try:
        shape = schema_shape(backup)
        if shape.other:
            kind, name = shape.other[0]
            raise BackupError(
                f"is not a plain backup: it contains a {kind} ({name[:60]}), "
                "and a backup made in Settings › Export has only tables."
            )
        for table, needed in REQUIRED_COLUMNS.items():
            columns = {column[0] for column in shape.tables.get(table, ())}
            if not needed <= columns:
                raise BackupError(
                    "is a SQLite database but not a Music Time Machine backup (it has no "
                    f"{table} table of ours)."
                )
        versions = backup_file.schema_versions(backup)
        if not versions or any(type(v) is not int for v in versions):
            raise BackupError(
                "is a SQLite database but not a Music Time Machine backup "
                "(it has no schema version)."
            )
        version, ours = max(versions), latest_version()
        if version > ours:
            raise BackupError(
                f"was made by a newer version of Music Time Machine (database "
                f"version {version}; this app reads up to {ours}). Update the "
                "app, then restore again."
            )
        _check_shape(shape, schema_at(frozenset(versions)), version)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"is damaged: SQLite cannot read it ({error}).") from None
    try:
        problems = backup_file.integrity_problems(backup)
    except sqlite3.DatabaseError as error:
        raise BackupError(f"is damaged: SQLite's integrity check failed ({error}).") from None
    if problems != ["ok"]:
        raise BackupError(
            f"is damaged: SQLite's integrity check found problems ({'; '.join(problems[:2])})."
        )
    with _unreadable_is_damaged():
        return backup_file.users_with_plays(backup)


@contextmanager
def _unreadable_is_damaged() -> Iterator[None]:
    """A read error in the backup means a damaged file: say so in the user's words."""
    try:
        yield
    except sqlite3.DatabaseError as error:
        raise BackupError(f"is damaged: SQLite cannot read it ({error}).") from None


def _check_shape(found: SchemaShape, expected: SchemaShape, version: int) -> None:
    """Refuse a schema that is not exactly ours at ``version``, table by table and column by
    column, naming the first difference (rows are read only from a schema that passed)."""
    where = f"the schema of version {version} of this app"
    for table in sorted(set(found.tables) - set(expected.tables)):
        raise BackupError(f"has a table {table[:60]!r} that {where} does not have.")
    for table, columns in expected.tables.items():
        have = found.tables.get(table)
        if have is None:
            raise BackupError(f"lacks the table {table!r} that {where} has.")
        if have == columns:
            continue
        by_name = {c[0]: c for c in have}
        for column in columns:
            other = by_name.pop(column[0], None)
            if other is None:
                raise BackupError(f"lacks the column {table}.{column[0]} of {where}.")
            if other != column:
                raise BackupError(
                    f"has the column {table}.{column[0]} as {other[1] or 'untyped'}"
                    f" {'NOT NULL ' if other[2] else ''}where {where} has "
                    f"{column[1]}{' NOT NULL' if column[2] else ''} (or another "
                    "default, key or position)."
                )
        if by_name:
            raise BackupError(
                f"has a column {table}.{next(iter(by_name))[:60]} that {where} does not have."
            )
        raise BackupError(f"has the columns of {table!r} in another order than {where}.")
    for name in sorted(set(found.indexes) ^ set(expected.indexes)):
        raise BackupError(f"has indexes that differ from {where} ({name[:60]}).")
    for name, index in expected.indexes.items():
        if found.indexes[name] != index:
            raise BackupError(f"has the index {name!r} defined differently from {where}.")


class _Restorer:
    """Reads one backup and writes its rows into one user's account (inside a transaction)."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        settings: UserSettings,
        backup: sqlite3.Connection,
        name: str,
        progress: Callable[[ImportProgress], None] | None,
    ) -> None:
        self.conn = conn
        self.settings = settings
        self.user_id = user_id = settings.user_id
        self.backup = backup
        self.name = name
        self.progress = progress
        self.catalogue = Catalogue(conn, user_id)
        self._infos: dict[int, TrackInfo] = {}  # backup track id -> what it describes
        #: backup track id -> (local song id, match key, URI id)
        self._tracks: dict[int, tuple[int, str, int | None] | None] = {}
        self._artists: dict[int, ArtistInfo] = {}  # backup artist id -> info
        self._long_names: set[int] = set()  # backup track ids with a name over the limit
        self._throttle = Throttle(PROGRESS_EVERY_S)

    # -- reading the backup ------------------------------------------------------------
    def _read(self, query: Callable[..., Iterable], *args: object) -> Iterator:
        """The rows of ``query(backup, *args)`` (a ``db.backup_file`` question); a read
        error there means a damaged file, not our problem."""
        with _unreadable_is_damaged():
            yield from query(self.backup, *args)

    def _columns(self, table: str) -> set[str]:
        return set(self._read(backup_file.table_columns, table))

    def _load_catalogue(self) -> None:
        for row in self._read(backup_file.artists):
            try:
                genres = json.loads(row["genres"]) if row["genres"] is not None else None
            except (TypeError, ValueError):
                genres = None
            if not (isinstance(genres, list) and all(type(g) is str for g in genres)):
                genres = None
            self._artists[row["id"]] = ArtistInfo(
                str(row["name"]), row["spotify_id"] or None, genres
            )
        by_track: dict[int, list[ArtistInfo]] = {}
        for row in self._read(backup_file.track_artists):
            artist = self._artists.get(row["artist_id"])
            if artist is not None:
                by_track.setdefault(row["track_id"], []).append(artist)
        features = [f for f in FEATURE_NAMES if f in self._columns("tracks")]
        has_source = "features_source" in self._columns("tracks")
        for row in self._read(backup_file.tracks, features, has_source):
            values = {f: row[f] for f in features if isinstance(row[f], (int, float))}
            source = row["features_source"] if has_source else None
            artists = by_track.get(row["id"], [])
            if not names_ok((str(row["name"]), str(row["album"]), *(a.name for a in artists))):
                self._long_names.add(row["id"])
                continue
            self._infos[row["id"]] = TrackInfo(
                name=str(row["name"]),
                artists=artists,
                album=row["album"],
                album_spotify_id=row["album_sid"],
                spotify_uri=row["spotify_id"] or None,
                kind=row["kind"] if row["kind"] in TRACK_KINDS else "music",
                duration_ms=row["duration_ms"] if type(row["duration_ms"]) is int else None,
                features=values or None,
                features_source=source if values and source in ("spotify", "demo") else None,
            )

    def _track(self, backup_id: int) -> tuple[int, str, int | None] | None:
        """(local song id, stored match key, URI id) for a backup track; None if it has
        none."""
        if backup_id in self._tracks:
            return self._tracks[backup_id]
        info = self._infos.get(backup_id)
        found = None
        if info is not None:
            track_id, uri_id = self.catalogue.track(info)
            if info.features:  # fill features the local copy lacks, never overwrite them
                fill_missing_features(
                    self.conn, self.user_id, track_id, info.features, info.features_source
                )
            found = (track_id, stored_match_key(self.conn, track_id), uri_id)
        self._tracks[backup_id] = found
        return found

    # -- writing -----------------------------------------------------------------------
    def restore_plays(self) -> FileReport:
        self._load_catalogue()
        report = FileReport(self.name, BACKUP_KIND)
        with _unreadable_is_damaged():
            total = backup_file.play_count(self.backup)
        read = [0]
        self._emit(0, total, force=True)
        # The importer's rules from here on (streams.write_streams): restoring again adds
        # nothing, whatever mix of sources the account holds.
        write_streams(
            self._streams(report, total, read),
            Reconciler(self.conn, self.user_id),
            self.settings,
            report,
            self._write,
            BATCH_ROWS,
        )
        report.rows_read = read[0]
        self._emit(read[0], total, force=True)
        return report

    def _streams(self, report: FileReport, total: int, read: list[int]) -> Iterator[StreamItem]:
        """The backup's usable plays linked to local songs, in the importer's item layout
        (rejected and incognito rows counted in ``report``; rows read in ``read[0]``)."""
        optional = [c for c in PLAY_DETAIL_COLUMNS if c in self._columns("plays")]
        keep_incognito = self.settings.include_incognito
        local = self.settings.clock.local
        latest = latest_play_ms()
        reasons = report.rejected_reasons
        for row in self._read(backup_file.plays, optional):
            read[0] += 1
            if not read[0] & 1023:
                self._emit(read[0], total)
            played_at, ms_played = row["played_at"], row["ms_played"]
            extra = {c: _optional(c, row[c]) for c in optional}
            problem = _play_problem(played_at, ms_played, extra, latest)
            if problem is None and row["track_id"] in self._long_names:
                problem = NAME_TOO_LONG
            track = self._track(row["track_id"]) if problem is None else None
            if track is None:
                report.rejected += 1
                reasons[problem or "no track"] += 1
                continue
            if extra.get("incognito") and not keep_incognito:
                report.incognito_skipped += 1
                continue
            source = row["source"] if row["source"] in KNOWN_SOURCES else "restore"
            kind = row["kind"] if row["kind"] in TRACK_KINDS else "music"
            # Linked by track id: the item names no song, only the stream and its details.
            stream = Stream(
                played_at, ms_played, kind, None, None, None, None, PlayDetails(**extra)
            )
            item = stream_item(stream, None, *local(played_at))
            yield track, source, self._infos[row["track_id"]].duration_ms, item

    def _write(self, batch: list[tuple]) -> int:
        """Store a batch of plays with their rollups (all inside the restore's one
        transaction)."""
        return insert_play_rows(self.conn, self.user_id, batch, rollups=self.settings.play_rule)

    def restore_snapshots(self) -> int:
        """Top-list snapshots of the days and lists the account has none of (its own win).

        A list (day, item type, time range) is taken whole or not at all, so two lists of
        one day are never interleaved.
        """
        if not {
            "taken_on",
            "item_type",
            "time_range",
            "rank",
            "track_id",
            "artist_id",
        } <= self._columns("top_snapshots"):
            return 0
        have = snapshot_lists(self.conn, self.user_id)
        added = 0
        for row in self._read(backup_file.snapshots):
            key = (row["taken_on"], row["item_type"], row["time_range"])
            if (
                key in have
                or type(row["taken_on"]) is not str
                or type(row["rank"]) is not int
                or row["time_range"] not in SNAPSHOT_RANGES
            ):
                continue
            track_id = artist_id = None
            if row["item_type"] == "track" and row["track_id"] is not None:
                found = self._track(row["track_id"])
                track_id = found[0] if found else None
            elif (
                row["item_type"] == "artist"
                and row["artist_id"] in self._artists
                and names_ok((self._artists[row["artist_id"]].name,))
            ):
                artist_id = self.catalogue.artist_id(self._artists[row["artist_id"]])
            if track_id is None and artist_id is None:
                continue
            added += add_snapshot_entry(
                self.conn, self.user_id, *key, row["rank"], track_id=track_id, artist_id=artist_id
            )
        return added

    def _emit(self, done: int, total: int, force: bool = False) -> None:
        if self.progress is None or not self._throttle.due(force):
            return
        self.progress(RestoreProgress(0 if done < total else 1, 1, done, total, done, self.name))


def _optional(column: str, value: object) -> object:
    """An optional play column as the importer would store it: text stays text, a flag
    becomes 0/1, anything else (a blob, a number where text belongs) is dropped."""
    if column in TEXT_DETAILS:
        return value if type(value) is str else None
    return None if type(value) is not int else int(bool(value))


def _play_problem(played_at: object, ms_played: object, extra: dict, latest: int) -> str | None:
    """Why a backup's play row is left out (the importer's ``limits``), or None."""
    if type(played_at) is not int or type(ms_played) is not int or ms_played < 0:
        return "invalid time or ms_played"
    problem = play_problem(played_at, ms_played, ("time", "ms_played"), latest)
    if problem is None and not names_ok(extra.values()):
        return NAME_TOO_LONG
    return problem

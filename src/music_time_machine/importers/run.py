"""Import Spotify data-export files: the orchestrator behind ``mtm import`` and the web upload.

Writes are committed in slices of about ``SLICE_SECONDS`` (or ``GROUP_BYTES`` of files),
closed after any insert batch, so other writers (another user's settings, a sync) wait
about a second, not the whole import, even inside one 200 MB file. Each file is still all
or nothing: its rows go in under a savepoint, and when a slice commits in the middle of a
file, the id ranges of what it added so far are recorded (``db/import_slices.py``) so that
a failure, a cancel, the time bound or a crash (undone at the next server start) removes
the whole file, rollups included. Each slice brings the rollups up to date in one pass for
everything it added before it commits.

A file's rows are parsed and mapped (``feed.py``; for a large import in a helper process,
so that parsing and writing use both cores), linked to songs here, then placed, counted and
written in batches by the loop the restore shares (``streams.write_streams``). Any problem
with a file undoes that file alone and is reported with its name; the other files go on.
Extended-history files go first so that account-data rows (minute precision, no URI)
reconcile against them rather than the other way round.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..db import (
    begin_write,
    bounded_memory,
    commit,
    fewer_checkpoints,
    release_savepoint,
    rollback,
    savepoint,
    transaction,
    undo_savepoint,
)
from ..db.catalogue import ArtistInfo, Catalogue, TrackInfo, adopt_play_uris
from ..db.import_slices import IdMarks, finish_file, id_marks, record_slice, undo_file
from ..db.planner import refresh_planner_statistics
from ..db.plays import PLAY_DETAIL_COLUMNS, insert_play_rows
from ..db.rollups import add_new_plays
from ..db.users import UserSettings, get_settings
from ..reconcile import Reconciler
from .errors import ImportFileError
from .feed import WorkerFeed, WorkerLost, local_batches
from .formats import EXTENDED
from .rows import DETAILS_AT, NO_METADATA, Stream
from .sources import BadSource, SkippedFile, SourceFile, expand_sources
from .streams import BATCH_ROWS as STREAMS_BATCH_ROWS
from .streams import StreamItem, write_streams
from .summary import PROGRESS_EVERY_S, FileReport, ImportProgress, ImportSummary, Throttle

#: Rows handed to ``insert_play_rows`` at a time (defined in ``streams.py``; read from here
#: at each file, so that a test can make it small).
BATCH_ROWS = STREAMS_BATCH_ROWS
#: Imports of at least this many bytes parse in a helper process (below it, starting one
#: costs more than it saves). ``None`` never uses one.
WORKER_MIN_BYTES: int | None = 32 * 1024 * 1024
#: WAL size (pages) between automatic checkpoints during an import (SQLite's default: 1000).
IMPORT_CHECKPOINT_PAGES = 16_384
#: Page cache (KiB) of the importing connection during an import, instead of its 64 MiB
#: (and temporary storage in files: ``db.bounded_memory``): a 1M-row import fills whatever
#: it gets, and its peak memory must stay under 300 MB (issue #15).
IMPORT_CACHE_KIB = 24 * 1024
#: An import that stores at least this many rows re-measures the tables for the query
#: planner (db/planner.py): the first import into an account changes their shape most.
ANALYZE_AFTER_ROWS = 10_000

#: Files are committed in slices of at most this many bytes (~160k extended-history rows,
#: ten of Spotify's files) ...
GROUP_BYTES = 128 * 1024 * 1024
#: ... or of the files written in about this many seconds, whichever comes first: one
#: rollup pass per slice costs less than one per file, and the write lock is held for
#: about this long at a time (measured by bench/bench_write_slices.py).
SLICE_SECONDS = 1.0
#: Where a mapped item (``rows.Stream``'s fields first) holds what links it to a song.
_KIND, _NAME, _ARTIST, _URI = (Stream._fields.index(f) for f in ("kind", "name", "artist", "uri"))
_STREAM = slice(len(Stream._fields))
#: Where the item's details say whether it was played in incognito.
_INCOGNITO = PLAY_DETAIL_COLUMNS.index("incognito")


def _song_key(item: tuple) -> object:
    """What names a mapped item's song within an import: its URI, else its kind, artist
    and title."""
    return item[_URI] or (item[_KIND], item[_ARTIST], item[_NAME])


class _DryRun(Exception):
    """Raised to roll back a dry run after everything was computed."""


def run_import(
    conn: sqlite3.Connection,
    user_id: int,
    paths: Sequence[Path | str],
    *,
    dry_run: bool = False,
    max_file_bytes: int | None = None,
    progress: Callable[[ImportProgress], None] | None = None,
    include_incognito: bool | None = None,
) -> ImportSummary:
    """Import every listening-history file found in ``paths`` for ``user_id``.

    ``paths`` may name JSON files, folders and zip archives (``my_spotify_data.zip``).
    Files that are not listening history are listed in ``summary.skipped``; a file that is
    malformed or unsafe gets ``error`` set in its report and leaves no trace in the
    database. ``dry_run`` computes exactly the same report and writes nothing.
    """
    started = time.perf_counter()
    settings = get_settings(conn, user_id)
    keep_incognito = settings.include_incognito if include_incognito is None else include_incognito
    summary = ImportSummary(dry_run=dry_run)
    sources: list[SourceFile] = []
    for found in expand_sources(paths, max_file_bytes):
        if isinstance(found, SkippedFile):
            summary.skipped.append(found)
        elif isinstance(found, BadSource):
            kind = (
                found.format.kind
                if found.format
                else ("archive" if found.name.lower().endswith(".zip") else "unknown")
            )
            summary.files.append(FileReport(found.name, kind, error=found.error))
        else:
            sources.append(found)
    sources.sort(key=lambda s: (s.format.kind != EXTENDED, _natural(s.name)))

    # Slices commit only when this call owns the transactions (not in a dry run, nor inside
    # a caller's transaction, which then gets everything at once).
    importer = _Importer(
        conn,
        settings,
        keep_incognito,
        _Progress(progress, sources),
        slicing=not dry_run and not conn.in_transaction,
    )
    feed = None
    # One large file too: its rows are parsed there while this process writes earlier ones.
    if (
        WORKER_MIN_BYTES is not None
        and sources
        and sum(s.size for s in sources) >= WORKER_MIN_BYTES
    ):
        try:
            feed = WorkerFeed(sources, settings.timezone)
        except Exception:  # no helper process here (sandbox, fd limits): parse in process
            feed = None
    try:
        with (
            fewer_checkpoints(conn, IMPORT_CHECKPOINT_PAGES),
            bounded_memory(conn, IMPORT_CACHE_KIB),
        ):
            if dry_run:
                try:
                    with transaction(conn):
                        summary.files.extend(importer.import_files(sources, feed))
                        raise _DryRun
                except _DryRun:
                    pass
            else:
                summary.files.extend(importer.import_files(sources, feed))
    finally:
        if feed is not None:
            feed.close()
    importer.progress.finish()
    if not dry_run and not conn.in_transaction and summary.stored >= ANALYZE_AFTER_ROWS:
        refresh_planner_statistics(conn)
    summary.seconds = time.perf_counter() - started
    return summary


def _natural(name: str) -> list:
    """Sort 'x_2.json' before 'x_10.json'."""
    return [int(p) if p.isdigit() else p.lower() for p in re.split(r"(\d+)", name)]


class _Progress:
    """Throttled progress reports, by bytes read (known up front, unlike row counts)."""

    def __init__(
        self, callback: Callable[[ImportProgress], None] | None, sources: list[SourceFile]
    ) -> None:
        self.callback = callback
        self.files_total = len(sources)
        self.bytes_total = sum(s.size for s in sources)
        self.files_done = self.bytes_before = self.rows = 0
        self.current: str | None = None
        self._throttle = Throttle(PROGRESS_EVERY_S)

    def start(self, name: str) -> None:
        self.current = name
        self.emit(0, force=True)

    def emit(self, bytes_in_file: int, force: bool = False) -> None:
        if self.callback is None or not self._throttle.due(force):
            return
        self.callback(
            ImportProgress(
                self.files_done,
                self.files_total,
                min(self.bytes_before + bytes_in_file, self.bytes_total),
                self.bytes_total,
                self.rows,
                self.current,
            )
        )

    def file_done(self, size: int) -> None:
        self.files_done += 1
        self.bytes_before += size

    def finish(self) -> None:
        self.current = None
        self.bytes_before = self.bytes_total
        self.emit(0, force=True)


class _Slices:
    """The import's write transaction: opened before the first write, committed (with the
    rollups of everything it added) once it is ``due``, i.e. has been open ``SLICE_SECONDS``
    or holds ``GROUP_BYTES`` of finished files. ``enabled`` is False for a dry run and when
    the caller holds a transaction: then nothing is committed here."""

    def __init__(self, conn: sqlite3.Connection, settings: UserSettings, enabled: bool) -> None:
        self.conn = conn
        self.user_id = settings.user_id
        self.rule = settings.play_rule
        self.enabled = enabled
        self.started = 0.0
        self.after_id = 0  # the highest play id before this slice: rollups add the rest
        self.bytes = 0

    def open(self) -> None:
        if self.conn.in_transaction:
            return
        begin_write(self.conn)
        self.started = time.monotonic()
        self.after_id = id_marks(self.conn).plays
        self.bytes = 0

    @property
    def due(self) -> bool:
        return (
            self.enabled
            and self.conn.in_transaction
            and (self.bytes >= GROUP_BYTES or time.monotonic() - self.started >= SLICE_SECONDS)
        )

    def commit(self) -> None:
        if self.enabled and self.conn.in_transaction:
            add_new_plays(self.conn, self.user_id, self.after_id, self.rule)
            commit(self.conn)

    def rollback(self) -> None:
        if self.enabled and self.conn.in_transaction:
            rollback(self.conn)


#: The savepoint around the part of a file written in the current slice.
_FILE_SAVEPOINT = "import_file"


class _FileWrites:
    """One file's writes across slices: its savepoint in the open slice, and whether a slice
    with some of its rows has committed (then undoing it takes ``undo_file``)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.attempt = secrets.token_hex(8)
        self.marks: IdMarks | None = None  # ids before this file's part of the open slice
        self.committed = False

    @property
    def open(self) -> bool:
        return self.marks is not None


class _Importer:
    def __init__(
        self,
        conn: sqlite3.Connection,
        settings: UserSettings,
        keep_incognito: bool,
        progress: _Progress,
        slicing: bool,
    ) -> None:
        self.conn = conn
        self.user_id = settings.user_id
        self.settings = settings
        self.clock = settings.clock
        self.keep_incognito = keep_incognito
        self.progress = progress
        self.slices = _Slices(conn, settings, slicing)
        self.file: _FileWrites | None = None
        self.recorded: list[str] = []  # files of this run with a slice committed mid-file
        # URI -> (song id, match key, URI id) for tracks committed by earlier files of this run.
        # A URI names one track row for good, so this is safe across transactions (unlike
        # the Catalogue's name-keyed cache); entries are added only after a file succeeds.
        self._uri_tracks: dict[str, tuple[int, str, int | None]] = {}

    def import_files(
        self, sources: Sequence[SourceFile], feed: WorkerFeed | None
    ) -> list[FileReport]:
        """Import the files in order; slices commit between insert batches and files (see
        the module docstring), and the last one when all files are in."""
        reports = []
        try:
            for index, src in enumerate(sources):
                if feed is not None:
                    try:
                        reports.append(self.import_file(src, feed.batches(index)))
                    except WorkerLost:  # undone; go on without the helper
                        feed.close()
                        feed = None
                        reports.append(self.import_file(src))
                else:
                    reports.append(self.import_file(src))
                self.slices.bytes += src.size
                if self.slices.due:
                    self.slices.commit()
        except BaseException:
            # Only a failure between files gets here (a file undoes itself): the open slice
            # may hold the last rows of a file that began in earlier slices, so undo every
            # file this run recorded that is left unfinished (a no-op for finished ones).
            self.slices.rollback()
            with contextlib.suppress(sqlite3.Error):  # else left for the next server start
                for attempt in self.recorded:
                    undo_file(self.conn, attempt)
            raise
        self.slices.commit()
        return reports

    def import_file(self, src: SourceFile, batches=None) -> FileReport:
        """Import one file, all or nothing; on any problem, report it and undo it.

        ``batches`` are the file's mapped items (from the helper process); by default the
        file is parsed here.
        """
        report = FileReport(src.name, src.format.kind)
        rows_before = self.progress.rows
        self.file = _FileWrites(src.name)
        try:
            self.progress.start(src.name)  # (may stop the job: a cancel, the time bound)
            self._import_rows(
                src,
                batches if batches is not None else local_batches(src, self.clock.local),
                report,
            )
            self._writing()
            release_savepoint(self.conn, _FILE_SAVEPOINT)
            if self.file.committed:
                finish_file(self.conn, self.file.attempt)
            self._uri_tracks.update(self._new_uri_tracks)
        except (ImportFileError, OSError) as exc:
            self._undo_file()
            problem = (
                exc.problem if isinstance(exc, ImportFileError) else f"could not be read ({exc})"
            )
            report = FileReport(src.name, src.format.kind, error=problem)
            self.progress.rows = rows_before
        except BaseException:  # a cancel, the time bound, a lost helper, a bug
            self.progress.rows = rows_before
            self._undo_file()
            raise
        finally:
            self.file = None
        self.progress.file_done(src.size)
        return report

    def _writing(self) -> None:
        """Before any write of the current file: have a slice open, and the file's
        savepoint in it (with the ids it starts from, for ``record_slice``)."""
        file = self.file
        if not file.open:
            self.slices.open()
            file.marks = id_marks(self.conn)
            savepoint(self.conn, _FILE_SAVEPOINT)

    def _commit_mid_file(self) -> None:
        """Commit the open slice in the middle of the current file, noting what the file
        has added in it so far (undone with the rest of the file if it does not finish)."""
        file = self.file
        release_savepoint(self.conn, _FILE_SAVEPOINT)
        record_slice(self.conn, file.attempt, self.user_id, file.name, file.marks)
        self.recorded.append(file.attempt)
        file.committed = True
        file.marks = None
        self.slices.commit()

    def _undo_file(self) -> None:
        """Drop the current file's rows: the part in the open slice by its savepoint, then
        commit the slice (its earlier files are finished: they stay, with their rollups),
        then the file's committed parts by ``undo_file``."""
        file, conn = self.file, self.conn
        if file.open and conn.in_transaction:
            undo_savepoint(conn, _FILE_SAVEPOINT)
        file.marks = None
        self.slices.commit()
        if file.committed:
            undo_file(conn, file.attempt)

    def _import_rows(self, src: SourceFile, batches, report: FileReport) -> None:
        source = src.format.kind  # plays.source is 'extended' or 'account'
        catalogue = Catalogue(self.conn, self.user_id)
        tracks: dict[object, tuple[int, str, int | None]] = dict(self._uri_tracks)
        counted = {"rows": 0, "without_metadata": 0, "incognito": 0, "rejected": 0}

        def streams() -> Iterator[StreamItem]:
            """The file's usable rows, linked to their songs (the rest counted)."""
            keep_incognito = self.keep_incognito
            reasons = report.rejected_reasons
            progress = self.progress
            rows = without_metadata = incognito = rejected = 0
            for items, done in batches:
                rows += len(items)
                progress.rows += len(items)
                progress.emit(done)
                self._link_songs(catalogue, items, tracks)
                for item in items:
                    if type(item) is str:
                        if item == NO_METADATA:
                            without_metadata += 1
                        else:
                            rejected += 1
                            reasons[item] += 1
                        continue
                    if item[DETAILS_AT][_INCOGNITO] and not keep_incognito:
                        incognito += 1
                        continue
                    yield tracks[_song_key(item)], source, None, item
            counted.update(
                rows=rows, without_metadata=without_metadata, incognito=incognito, rejected=rejected
            )

        adopted = write_streams(
            streams(),
            Reconciler(self.conn, self.user_id),
            self.settings,
            report,
            self._write,
            BATCH_ROWS,
        )
        adopt_play_uris(self.conn, self.user_id, adopted)
        rows, rejected = counted["rows"], counted["rejected"]
        report.rows_read = rows
        report.without_metadata = counted["without_metadata"]
        report.incognito_skipped = counted["incognito"]
        report.rejected = rejected
        if rows and rejected == rows:
            first = next(iter(report.rejected_reasons))
            raise ImportFileError(
                src.name,
                f"has no usable rows: all {rows:,} have {first} (is this a {source} history file?)",
            )
        self._new_uri_tracks = {k: v for k, v in tracks.items() if type(k) is str}

    def _link_songs(
        self, catalogue: Catalogue, items: list, tracks: dict[object, tuple[int, str, int | None]]
    ) -> None:
        """Add to ``tracks`` the song (id, stored match key, URI id) of every usable item of
        ``items`` not in it yet, found or created in one ``Catalogue.tracks`` call."""
        keep_incognito = self.keep_incognito
        new: dict[object, TrackInfo] = {}
        for item in items:
            if type(item) is str or (item[DETAILS_AT][_INCOGNITO] and not keep_incognito):
                continue
            key = _song_key(item)
            if key not in tracks and key not in new:
                s = Stream._make(item[_STREAM])
                artists = [ArtistInfo(s.artist)] if s.artist else []
                if s.author:
                    artists.append(ArtistInfo(s.author))
                new[key] = TrackInfo(
                    name=s.name, artists=artists, album=s.album, spotify_uri=s.uri, kind=s.kind
                )
        if new:
            self._writing()
            for key, (track_id, uri_id, match_key) in zip(
                new, catalogue.tracks(list(new.values())), strict=True
            ):
                tracks[key] = (track_id, match_key, uri_id)

    def _write(self, batch: list[tuple]) -> int:
        """Store a batch of the current file's rows (their rollups come with the slice's
        commit) and commit the slice when it is due."""
        self._writing()
        added = insert_play_rows(self.conn, self.user_id, batch, rollups=None)
        if self.slices.due:
            self._commit_mid_file()
        return added

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
so that parsing and writing use both cores), linked to tracks, checked against what is
already stored and written in batches through ``insert_play_rows``. Any problem with a file
undoes that file alone and is reported with its name; the other files go on. Extended-history
files go first so that account-data rows (minute precision, no URI) reconcile against them
rather than the other way round.
"""

from __future__ import annotations

import contextlib
import re
import secrets
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..db import transaction
from ..db.catalogue import ArtistInfo, Catalogue, TrackInfo, adopt_play_uris
from ..db.import_slices import IdMarks, finish_file, id_marks, record_slice, undo_file
from ..db.planner import refresh_planner_statistics
from ..db.plays import insert_play_rows
from ..db.rollups import add_new_plays
from ..db.users import get_settings
from ..rules import PlayRule
from ..timezones import LocalClock
from .errors import ImportFileError
from .feed import WorkerFeed, WorkerLost, local_batches
from .formats import EXTENDED
from .reconcile import Reconciler
from .rows import NO_METADATA, Stream
from .sources import BadSource, SkippedFile, SourceFile, expand_sources
from .summary import FileReport, ImportProgress, ImportSummary

#: Rows handed to ``insert_play_rows`` at a time (bounds memory on very large files).
BATCH_ROWS = 20_000
#: Imports of at least this many bytes parse in a helper process (below it, starting one
#: costs more than it saves). ``None`` never uses one.
WORKER_MIN_BYTES: int | None = 32 * 1024 * 1024
#: WAL size (pages) between automatic checkpoints during an import (SQLite's default: 1000).
IMPORT_CHECKPOINT_PAGES = 16_384
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
#: Progress is reported at most this often (seconds).
PROGRESS_EVERY_S = 0.2

_NON_MUSIC = frozenset({"podcast", "audiobook"})


class _DryRun(Exception):
    """Raised to roll back a dry run after everything was computed."""


def run_import(conn: sqlite3.Connection, user_id: int, paths: Sequence[Path | str], *,
               dry_run: bool = False, max_file_bytes: int | None = None,
               progress: Callable[[ImportProgress], None] | None = None,
               include_incognito: bool | None = None) -> ImportSummary:
    """Import every listening-history file found in ``paths`` for ``user_id``.

    ``paths`` may name JSON files, folders and zip archives (``my_spotify_data.zip``).
    Files that are not listening history are listed in ``summary.skipped``; a file that is
    malformed or unsafe gets ``error`` set in its report and leaves no trace in the
    database. ``dry_run`` computes exactly the same report and writes nothing.
    """
    started = time.perf_counter()
    settings = get_settings(conn, user_id)
    keep_incognito = settings.include_incognito if include_incognito is None \
        else include_incognito
    summary = ImportSummary(dry_run=dry_run)
    sources: list[SourceFile] = []
    for found in expand_sources(paths, max_file_bytes):
        if isinstance(found, SkippedFile):
            summary.skipped.append(found)
        elif isinstance(found, BadSource):
            kind = found.format.kind if found.format else (
                "archive" if found.name.lower().endswith(".zip") else "unknown")
            summary.files.append(FileReport(found.name, kind, error=found.error))
        else:
            sources.append(found)
    sources.sort(key=lambda s: (s.format.kind != EXTENDED, _natural(s.name)))

    # Slices commit only when this call owns the transactions (not in a dry run, nor inside
    # a caller's transaction, which then gets everything at once).
    importer = _Importer(conn, user_id, settings.play_rule, settings.timezone,
                         keep_incognito, _Progress(progress, sources),
                         slicing=not dry_run and not conn.in_transaction)
    feed = None
    if (WORKER_MIN_BYTES is not None and len(sources) > 1
            and sum(s.size for s in sources) >= WORKER_MIN_BYTES):
        try:
            feed = WorkerFeed(sources, settings.timezone)
        except Exception:  # no helper process here (sandbox, fd limits): parse in process
            feed = None
    # Checkpoint the WAL less often while importing: each checkpoint syncs the database,
    # and a checkpoint after every file's commit cost more than the file's inserts.
    checkpoint_pages = conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0]
    conn.execute(f"PRAGMA wal_autocheckpoint = {max(checkpoint_pages, IMPORT_CHECKPOINT_PAGES)}")
    try:
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
        conn.execute(f"PRAGMA wal_autocheckpoint = {int(checkpoint_pages)}")
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

    def __init__(self, callback: Callable[[ImportProgress], None] | None,
                 sources: list[SourceFile]) -> None:
        self.callback = callback
        self.files_total = len(sources)
        self.bytes_total = sum(s.size for s in sources)
        self.files_done = self.bytes_before = self.rows = 0
        self.current: str | None = None
        self._last = 0.0

    def start(self, name: str) -> None:
        self.current = name
        self.emit(0, force=True)

    def emit(self, bytes_in_file: int, force: bool = False) -> None:
        if self.callback is None:
            return
        now = time.monotonic()
        if not force and now - self._last < PROGRESS_EVERY_S:
            return
        self._last = now
        self.callback(ImportProgress(self.files_done, self.files_total,
                                     min(self.bytes_before + bytes_in_file, self.bytes_total),
                                     self.bytes_total, self.rows, self.current))

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

    def __init__(self, conn: sqlite3.Connection, user_id: int, enabled: bool) -> None:
        self.conn = conn
        self.user_id = user_id
        self.enabled = enabled
        self.started = 0.0
        self.after_id = 0  # the highest play id before this slice: rollups add the rest
        self.bytes = 0

    def open(self) -> None:
        if self.conn.in_transaction:
            return
        self.conn.execute("BEGIN IMMEDIATE")
        self.started = time.monotonic()
        self.after_id = id_marks(self.conn).plays
        self.bytes = 0

    @property
    def due(self) -> bool:
        return (self.enabled and self.conn.in_transaction
                and (self.bytes >= GROUP_BYTES
                     or time.monotonic() - self.started >= SLICE_SECONDS))

    def commit(self) -> None:
        if self.enabled and self.conn.in_transaction:
            add_new_plays(self.conn, self.user_id, self.after_id)
            self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if self.enabled and self.conn.in_transaction:
            self.conn.execute("ROLLBACK")


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
    def __init__(self, conn: sqlite3.Connection, user_id: int, rule: PlayRule,
                 tz_name: str, keep_incognito: bool, progress: _Progress,
                 slicing: bool) -> None:
        self.conn = conn
        self.user_id = user_id
        self.rule = rule
        self.clock = LocalClock(tz_name)
        self.keep_incognito = keep_incognito
        self.progress = progress
        self.slices = _Slices(conn, user_id, slicing)
        self.file: _FileWrites | None = None
        self.recorded: list[str] = []  # files of this run with a slice committed mid-file
        # URI -> (song id, match key, URI id) for tracks committed by earlier files of this run.
        # A URI names one track row for good, so this is safe across transactions (unlike
        # the Catalogue's name-keyed cache); entries are added only after a file succeeds.
        self._uri_tracks: dict[str, tuple[int, str, int | None]] = {}

    def import_files(self, sources: Sequence[SourceFile],
                     feed: WorkerFeed | None) -> list[FileReport]:
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
            self._import_rows(src, batches if batches is not None
                              else local_batches(src, self.clock.local), report)
            self._writing()
            self.conn.execute(f"RELEASE {_FILE_SAVEPOINT}")
            if self.file.committed:
                finish_file(self.conn, self.file.attempt)
            self._uri_tracks.update(self._new_uri_tracks)
        except (ImportFileError, OSError) as exc:
            self._undo_file()
            problem = exc.problem if isinstance(exc, ImportFileError) \
                else f"could not be read ({exc})"
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
            self.conn.execute(f"SAVEPOINT {_FILE_SAVEPOINT}")

    def _commit_mid_file(self) -> None:
        """Commit the open slice in the middle of the current file, noting what the file
        has added in it so far (undone with the rest of the file if it does not finish)."""
        file = self.file
        self.conn.execute(f"RELEASE {_FILE_SAVEPOINT}")
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
            conn.execute(f"ROLLBACK TO {_FILE_SAVEPOINT}")
            conn.execute(f"RELEASE {_FILE_SAVEPOINT}")
        file.marks = None
        self.slices.commit()
        if file.committed:
            undo_file(conn, file.attempt)

    def _import_rows(self, src: SourceFile, batches, report: FileReport) -> None:
        conn, user_id, rule = self.conn, self.user_id, self.rule
        source = src.format.kind  # plays.source is 'extended' or 'account'
        catalogue = Catalogue(conn, user_id)
        reconciler = Reconciler(conn, user_id)
        place = reconciler.place
        # Outside this span no stored play can be the same stream or hold the same slot.
        near_lo, near_hi = reconciler.reach
        keep_incognito = self.keep_incognito
        min_ms = rule.min_ms if rule.kind == "min_ms" else None
        counts = rule.counts
        local = self.clock.local
        tracks: dict[object, tuple[int, str, int | None]] = dict(self._uri_tracks)
        adopted: list[tuple[int, int]] = []  # (stored play, URI id): see adopt_play_uris
        identities: dict[int, object] = {}  # row's own (time, track) -> signature(s)
        used: set[int] = set()  # (time, track) slots this file has stored
        batch: list[tuple] = []
        pending = [0, 0, 0]  # plays, short plays, podcasts/audiobooks in ``batch``
        reasons = report.rejected_reasons
        progress = self.progress
        rows = without_metadata = incognito = duplicates = rejected = 0

        for items, done in batches:
            rows += len(items)
            progress.rows += len(items)
            progress.emit(done)
            for item in items:
                if type(item) is str:
                    if item == NO_METADATA:
                        without_metadata += 1
                    else:
                        rejected += 1
                        reasons[item] += 1
                    continue
                (played_at, ms_played, kind, name, artist, _album, uri, skipped, shuffle,
                 reason_start, reason_end, platform, offline, incog, _author, signature,
                 day, hour) = item
                if incog and not keep_incognito:
                    incognito += 1
                    continue
                key = uri or (kind, artist, name)
                track = tracks.get(key)
                if track is None:
                    track = tracks[key] = self._track(catalogue, Stream._make(item[:15]))
                track_id, match_key, uri_id = track

                # Rows of one file are distinct streams unless exactly identical. Distinct
                # streams that share a (time, track) slot with another row or a stored play
                # of another stream (several skips within one minute or second) are stored
                # 1 ms later (Reconciler.place), so the UNIQUE rule keeps them all.
                slot = (played_at << 23) ^ track_id
                previous = identities.get(slot)
                if previous is None:
                    identities[slot] = signature
                elif previous == signature or (type(previous) is list
                                               and signature in previous):
                    duplicates += 1
                    continue
                else:
                    identities[slot] = (previous if type(previous) is list else [previous]) \
                        + [signature]
                if slot in used or near_lo <= played_at <= near_hi:
                    placed = place(match_key, track_id, played_at, source, ms_played, used)
                    if placed is None:  # the same stream as a stored play
                        duplicates += 1
                        if uri_id is not None:
                            adopted.append((reconciler.last_match, uri_id))
                        continue
                    if placed != played_at:
                        played_at = placed
                        day, hour = local(played_at)
                else:
                    used.add(slot)
                batch.append((user_id, track_id, played_at, ms_played, kind, source, day, hour,
                              skipped, shuffle, reason_start, reason_end, platform, offline,
                              incog, uri_id))
                if kind in _NON_MUSIC:
                    pending[2] += 1
                elif (ms_played >= min_ms if min_ms is not None
                      else counts(ms_played, reason_end)):
                    pending[0] += 1
                else:
                    pending[1] += 1
                if len(batch) >= BATCH_ROWS:
                    self._flush(batch, pending, report)
                    batch, pending = [], [0, 0, 0]
        self._flush(batch, pending, report)
        adopt_play_uris(conn, user_id, adopted)
        report.rows_read = rows
        report.without_metadata = without_metadata
        report.incognito_skipped = incognito
        report.duplicates += duplicates
        report.rejected = rejected
        if rows and rejected == rows:
            first = next(iter(reasons))
            raise ImportFileError(src.name, f"has no usable rows: all {rows:,} have {first} "
                                            f"(is this a {source} history file?)")
        self._new_uri_tracks = {k: v for k, v in tracks.items() if type(k) is str}

    def _track(self, catalogue: Catalogue, s: Stream) -> tuple[int, str, int | None]:
        """Song id, its stored match key (what the reconciler compares) and URI id."""
        self._writing()
        artists = [ArtistInfo(s.artist)] if s.artist else []
        if s.author:
            artists.append(ArtistInfo(s.author))
        track_id, uri_id = catalogue.track(TrackInfo(name=s.name, artists=artists,
                                                     album=s.album, spotify_uri=s.uri,
                                                     kind=s.kind))
        match_key = self.conn.execute("SELECT match_key FROM tracks WHERE id = ?",
                                      (track_id,)).fetchone()[0]
        return track_id, match_key, uri_id

    def _flush(self, batch: list[tuple], pending: list[int], report: FileReport) -> None:
        if not batch:
            return
        self._writing()
        added = insert_play_rows(self.conn, self.user_id, batch, rollups=False)
        report.plays_added += pending[0]
        report.short_plays += pending[1]
        report.podcasts_audiobooks += pending[2]
        # The reconciler already caught every stored row this batch could collide with,
        # so this stays 0; if not, the ignored rows are duplicates, not additions.
        report.count_as_duplicates(len(batch) - added)
        if self.slices.due:
            self._commit_mid_file()

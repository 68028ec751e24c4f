"""Import Spotify data-export files: the orchestrator behind ``mtm import`` and the web upload.

Files are imported a slice at a time (``SLICE_SECONDS``, ``GROUP_BYTES``): each slice is
one transaction, each file in it a savepoint with a fresh ``Catalogue`` and ``Reconciler``.
A file's rows are parsed and mapped (``feed.py``; for a large import in a helper process,
so that parsing and writing use both cores), linked to tracks, checked against what is
already stored and written in batches through ``insert_play_rows``; once the slice's files
are in, the rollups are brought up to date in one pass for everything they added, and the
slice commits. Any problem with a file rolls back that file alone and is reported with its name;
the other files go on (a crash, a cancel or the time bound loses at most the slice
being written: whole files, never part of one). Extended-history
files go first so that account-data rows (minute precision, no URI) reconcile against them
rather than the other way round.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from ..db import transaction
from ..db.catalogue import ArtistInfo, Catalogue, TrackInfo, adopt_play_uris
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

    importer = _Importer(conn, user_id, settings.play_rule, settings.timezone,
                         keep_incognito, _Progress(progress, sources))
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


class _Importer:
    def __init__(self, conn: sqlite3.Connection, user_id: int, rule: PlayRule,
                 tz_name: str, keep_incognito: bool, progress: _Progress) -> None:
        self.conn = conn
        self.user_id = user_id
        self.rule = rule
        self.clock = LocalClock(tz_name)
        self.keep_incognito = keep_incognito
        self.progress = progress
        # URI -> (song id, match key, URI id) for tracks committed by earlier files of this run.
        # A URI names one track row for good, so this is safe across transactions (unlike
        # the Catalogue's name-keyed cache); entries are added only after a file succeeds.
        self._uri_tracks: dict[str, tuple[int, str, int | None]] = {}

    def import_files(self, sources: Sequence[SourceFile],
                     feed: WorkerFeed | None) -> list[FileReport]:
        """Import the files a slice at a time: each slice is one transaction in which each
        file is a savepoint (all or nothing, as ever) and the rollups are brought up to date
        once, for everything the slice's files added. A slice closes after the file that
        takes it past ``SLICE_SECONDS`` or ``GROUP_BYTES``, so other writers (another
        user's settings, a sync) wait about a second, not the whole import."""
        reports = []
        items = list(enumerate(sources))
        position = 0
        while position < len(items):
            with transaction(self.conn):
                started, size = time.monotonic(), 0
                after_id = self.conn.execute(
                    "SELECT COALESCE(MAX(id), 0) FROM plays").fetchone()[0]
                while position < len(items):
                    index, src = items[position]
                    position += 1
                    size += src.size
                    if feed is not None:
                        try:
                            reports.append(self.import_file(src, feed.batches(index)))
                        except WorkerLost:  # rolled back; go on without the helper
                            feed.close()
                            feed = None
                            reports.append(self.import_file(src))
                    else:
                        reports.append(self.import_file(src))
                    if size >= GROUP_BYTES or time.monotonic() - started >= SLICE_SECONDS:
                        break
                add_new_plays(self.conn, self.user_id, after_id)
        return reports

    def import_file(self, src: SourceFile, batches=None) -> FileReport:
        """Import one file in a savepoint; on any problem, report it and roll it back.

        ``batches`` are the file's mapped items (from the helper process); by default the
        file is parsed here.
        """
        report = FileReport(src.name, src.format.kind)
        self.progress.start(src.name)
        rows_before = self.progress.rows
        try:
            with transaction(self.conn):
                self._import_rows(src, batches if batches is not None
                                  else local_batches(src, self.clock.local), report)
            self._uri_tracks.update(self._new_uri_tracks)
        except ImportFileError as exc:
            report = FileReport(src.name, src.format.kind, error=exc.problem)
            self.progress.rows = rows_before
        except OSError as exc:
            report = FileReport(src.name, src.format.kind, error=f"could not be read ({exc})")
            self.progress.rows = rows_before
        except WorkerLost:
            self.progress.rows = rows_before
            raise
        self.progress.file_done(src.size)
        return report

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
        added = insert_play_rows(self.conn, self.user_id, batch, rollups=False)
        report.plays_added += pending[0]
        report.short_plays += pending[1]
        report.podcasts_audiobooks += pending[2]
        # The reconciler already caught every stored row this batch could collide with,
        # so this stays 0; if not, the ignored rows are duplicates, not additions.
        report.count_as_duplicates(len(batch) - added)

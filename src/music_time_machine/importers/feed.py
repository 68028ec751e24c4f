"""Parse and map history files into batches of *items*, here or in a helper process.

An item is what the importer needs of one row: a string when the row is unusable
(``NO_METADATA`` or a rejection reason), else ``rows.stream_item``: the ``Stream`` fields
followed by the row's signature (a hash of all its values: rows of one file are the same
stream only when exactly identical) and its local date and hour in the user's time zone.

Parsing and mapping are pure Python and need no database, so a large import runs them in
one helper process (``WorkerFeed``) while the main process links tracks, reconciles and
writes: the two halves then use both cores. The helper reads the files in import order and
streams items back through a pipe; a thread of the main process drains the pipe into a
bounded queue (``AHEAD_MESSAGES``), so the helper keeps parsing while the main process is
busy inside SQLite instead of stalling on a full pipe. Errors come back as the same
``ImportFileError`` / ``OSError`` the main process would have raised. If the helper cannot
start or dies, the importer falls back to ``local_batches`` (the same code, in process).
"""

from __future__ import annotations

import marshal
import multiprocessing
import queue
import threading
from collections.abc import Iterator, Sequence

from ..timezones import LocalClock
from .errors import ImportFileError
from .formats import ACCOUNT
from .parse import read_objects
from .rows import NO_METADATA, account_stream, extended_stream, stream_item
from .sources import SourceFile

#: Items per batch (one pipe message of a few hundred kB).
ITEM_BATCH = 2000
#: Messages the helper may be ahead of the importer (about 10 MB, 64,000 rows: more than
#: the importer writes while it brings the rollups up to date at a slice's end).
AHEAD_MESSAGES = 32

Batch = tuple[list, int]  # (items, bytes of the file done so far)


def mapped_batches(src: SourceFile, stream, local) -> Iterator[Batch]:
    """Items of every row of ``src`` (open as ``stream``), ``ITEM_BATCH`` at a time."""
    if src.format.kind == ACCOUNT:
        mapper = account_stream
    elif src.format.media == "video":

        def mapper(row: dict):
            return extended_stream(row, True)
    else:
        mapper = extended_stream
    counted = getattr(stream, "raw", None)
    rows = read_objects(stream, src.name, src.size)
    total = len(rows) if type(rows) is list else 0
    batch: list = []
    append = batch.append
    done = 0
    for raw in rows:
        s = mapper(raw)
        if type(s) is str:
            append(s)
        else:
            try:
                signature = hash(tuple(raw.values()))
            except TypeError:
                signature = hash(repr(raw))
            append(stream_item(s, signature, *local(s.played_at)))
        if len(batch) >= ITEM_BATCH:
            done += len(batch)
            yield batch, (src.size * done // total if total else getattr(counted, "bytes_read", 0))
            batch = []
            append = batch.append
    yield batch, src.size


def local_batches(src: SourceFile, local) -> Iterator[Batch]:
    """``mapped_batches`` of ``src`` in this process."""
    with src.open() as stream:
        yield from mapped_batches(src, stream, local)


# -- the helper process ------------------------------------------------------------------
_ROWS, _END, _FILE_ERROR, _OS_ERROR, _CRASH = range(5)


class WorkerLost(Exception):
    """The helper process is gone: the caller redoes the file in process."""


class WorkerFeed:
    """One helper process that maps ``sources`` in order; ``batches(i)`` reads file i's."""

    def __init__(self, sources: Sequence[SourceFile], tz_name: str) -> None:
        ctx = multiprocessing.get_context("spawn")  # safe from threaded servers
        self._recv, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(
            target=_work, args=(list(sources), tz_name, send), name="mtm-import-parser", daemon=True
        )
        try:
            self._process.start()
        finally:
            send.close()
        self._sources = sources
        self._ahead: queue.Queue[bytes | None] = queue.Queue(AHEAD_MESSAGES)
        self._closed = threading.Event()
        self._reader = threading.Thread(target=self._drain, name="mtm-import-reader", daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        """Move messages from the pipe to the queue; ``None`` marks the end of the pipe."""
        try:
            while True:
                if not self._offer(self._recv.recv_bytes()):
                    return
        except Exception:  # EOF, or the pipe was closed under us: the end either way
            pass
        self._offer(None)

    def _offer(self, message: bytes | None) -> bool:
        """Queue ``message`` (waiting for room) unless the feed is closed; False if it is."""
        while not self._closed.is_set():
            try:
                self._ahead.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _next(self) -> bytes:
        message = self._ahead.get()
        if message is None:
            self._ahead.put(None)  # for any later reader
            raise WorkerLost("the import helper process closed its pipe")
        return message

    def batches(self, index: int) -> Iterator[Batch]:
        name = self._sources[index].name
        while True:
            try:
                position, kind, payload, done = marshal.loads(self._next())
            except (EOFError, ValueError) as exc:
                raise WorkerLost(str(exc)) from exc
            if position < index:
                continue  # the rest of a file the importer gave up on
            if kind == _ROWS:
                yield payload, done
            elif kind == _END:
                return
            elif kind == _FILE_ERROR:
                raise ImportFileError(name, payload)
            elif kind == _OS_ERROR:
                raise OSError(payload)
            else:
                raise RuntimeError(f"the import helper process failed: {payload}")

    def close(self) -> None:
        self._closed.set()
        self._recv.close()  # unblocks the helper's send and, after it exits, the reader
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()
        self._reader.join(timeout=5)


def _work(sources: list[SourceFile], tz_name: str, send) -> None:
    """The helper's main: map every file and send its items, then an end or error mark."""
    local = LocalClock(tz_name).local

    def put(*message) -> None:
        send.send_bytes(marshal.dumps(message))

    try:
        for index, src in enumerate(sources):
            try:
                with src.open() as stream:
                    for items, done in mapped_batches(src, stream, local):
                        put(index, _ROWS, items, done)
                put(index, _END, None, 0)
            except ImportFileError as exc:
                put(index, _FILE_ERROR, exc.problem, 0)
            except OSError as exc:
                if isinstance(exc, BrokenPipeError):
                    raise
                put(index, _OS_ERROR, str(exc), 0)
            except Exception as exc:  # a bug: report it rather than die silently
                put(index, _CRASH, f"{type(exc).__name__}: {exc}", 0)
                return
    except (BrokenPipeError, EOFError):
        pass  # the importer stopped listening (it finished early or failed)
    finally:
        send.close()


__all__ = [
    "ITEM_BATCH",
    "NO_METADATA",
    "WorkerFeed",
    "WorkerLost",
    "local_batches",
    "mapped_batches",
]

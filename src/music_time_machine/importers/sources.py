"""Turn what the user gave us (JSON files, folders, ``my_spotify_data.zip``) into a list of
history files to import, plus a list of what was skipped and why.

Archives are read in place: members are streamed out of the zip (never extracted to disk),
and every archive is checked before any of it is imported, because an upload is untrusted:

- member names must be relative and stay inside the archive (no ``/abs``, ``C:``, ``..``);
- declared sizes are checked against the per-file limit and a maximum compression ratio
  (a Spotify export compresses about 10:1; a zip bomb compresses thousands to one);
- while a member is decompressed its bytes are counted again (a header can lie), and the
  read stops with an error as soon as it passes the declared size, the limit or the ratio.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .errors import ImportFileError
from .formats import Format, format_from_name, format_from_row

#: Largest single history file accepted (Spotify's own files are ~10-15 MB each).
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
#: Largest total of uncompressed bytes one archive may declare.
MAX_ARCHIVE_BYTES = 8 * 1024 * 1024 * 1024
#: Largest uncompressed:compressed ratio of one archive member (real exports: ~9-12).
MAX_COMPRESSION_RATIO = 100
#: Members smaller than this are exempt from the ratio check (tiny files compress oddly).
_RATIO_EXEMPT_BYTES = 1024 * 1024
#: How much of an unrecognised JSON file is read to decide whether it is history.
_PEEK_BYTES = 64 * 1024

_DRIVE = re.compile(r"^[A-Za-z]:")


@dataclass(frozen=True)
class SourceFile:
    """One history file to import: where it came from, its size and how to open it."""

    name: str  # shown to the user: "file.json" or "export.zip/folder/file.json"
    size: int  # bytes (declared uncompressed size for archive members)
    format: Format
    open: Callable[[], AbstractContextManager[BinaryIO]]


@dataclass(frozen=True)
class SkippedFile:
    """A file that is not listening history (or not importable), listed in the summary."""

    name: str
    reason: str


@dataclass(frozen=True)
class BadSource:
    """A file or archive rejected before import (unsafe, too large, unreadable)."""

    name: str
    format: Format | None
    error: str


Found = SourceFile | SkippedFile | BadSource


class CountingReader(io.RawIOBase):
    """A read-only stream that counts bytes and stops past a limit.

    ``limit`` guards the per-file size (and an archive member's declared size);
    ``max_ratio``/``compressed`` guard against members that inflate far beyond their
    compressed size. ``bytes_read`` doubles as the progress counter.
    """

    def __init__(
        self,
        raw: BinaryIO,
        name: str,
        limit: int | None,
        compressed: int | None = None,
        max_ratio: int | None = None,
    ) -> None:
        super().__init__()
        self._raw = raw
        self.name = name
        self.limit = limit
        self.bytes_read = 0
        self._ratio_limit = None
        if compressed is not None and max_ratio is not None:
            self._ratio_limit = max(compressed * max_ratio, _RATIO_EXEMPT_BYTES)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        try:
            data = self._raw.read(size)
        except zipfile.BadZipFile as exc:
            raise ImportFileError(self.name, f"is damaged inside the archive ({exc})") from exc
        except (OSError, EOFError) as exc:
            raise ImportFileError(self.name, f"could not be read ({exc})") from exc
        self.bytes_read += len(data)
        if self.limit is not None and self.bytes_read > self.limit:
            raise ImportFileError(
                self.name, f"is larger than the {_mb(self.limit)} limit for one file"
            )
        if self._ratio_limit is not None and self.bytes_read > self._ratio_limit:
            raise ImportFileError(
                self.name, "expands far beyond its compressed size (a zip bomb?); refused"
            )
        return data

    def readinto(self, buffer) -> int:  # pragma: no cover - ijson calls read()
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def expand_sources(
    paths: Sequence[Path | str],
    max_file_bytes: int | None = None,
) -> Iterator[Found]:
    """Yield every history file in ``paths`` (files, folders, zips), and what was skipped."""
    limit = max_file_bytes or DEFAULT_MAX_FILE_BYTES
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                yield from _expand_file(child, limit, display=str(child.relative_to(path.parent)))
        elif path.is_file():
            yield from _expand_file(path, limit, display=path.name)
        else:
            yield BadSource(str(raw), None, "does not exist")


def _expand_file(path: Path, limit: int, display: str) -> Iterator[Found]:
    if path.suffix.lower() == ".zip":
        yield from _expand_zip(path, limit, display)
        return
    fmt = format_from_name(path.name)
    size = path.stat().st_size
    if fmt is None:
        if path.suffix.lower() != ".json":
            yield SkippedFile(display, "not a listening-history file")
            return
        if size > limit:
            yield SkippedFile(display, f"not recognised, and larger than {_mb(limit)}")
            return
        with open(path, "rb") as f:
            fmt = _sniff(f)
        if fmt is None:
            yield SkippedFile(display, "not a listening-history file")
            return
    if size > limit:
        yield BadSource(
            display, fmt, f"is {_mb(size)}, larger than the {_mb(limit)} limit for one file"
        )
        return
    yield SourceFile(display, size, fmt, _FileOpener(path, display, limit))


@dataclass(frozen=True)
class _FileOpener:
    """Opens a history file (a picklable callable, so a helper process can open it too)."""

    path: Path
    display: str
    limit: int

    @contextmanager
    def __call__(self) -> Iterator[BinaryIO]:
        with open(self.path, "rb") as f:
            yield io.BufferedReader(CountingReader(f, self.display, self.limit), 256 * 1024)


def _expand_zip(path: Path, limit: int, display: str) -> Iterator[Found]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        yield BadSource(display, None, f"is not a readable zip archive ({exc})")
        return
    with archive:
        try:
            members = _checked_members(archive, display, limit)
        except ImportFileError as exc:
            yield BadSource(display, None, exc.problem)
            return
        found: list[Found] = []
        for info in members:
            member_display = f"{display}/{info.filename}"
            base = info.filename.rsplit("/", 1)[-1]
            if info.filename.startswith("__MACOSX/") or base.startswith("._"):
                continue  # macOS resource forks, never data
            fmt = format_from_name(base)
            if fmt is None:
                if base.lower().endswith(".zip"):
                    found.append(SkippedFile(member_display, "archive inside an archive"))
                    continue
                if not base.lower().endswith(".json") or info.file_size > limit:
                    found.append(SkippedFile(member_display, "not a listening-history file"))
                    continue
                with archive.open(info) as f:
                    fmt = _sniff(f)
                if fmt is None:
                    found.append(SkippedFile(member_display, "not a listening-history file"))
                    continue
            found.append(
                SourceFile(
                    member_display,
                    info.file_size,
                    fmt,
                    _MemberOpener(path, info.filename, member_display, limit),
                )
            )
    yield from found


def _checked_members(archive: zipfile.ZipFile, display: str, limit: int) -> list[zipfile.ZipInfo]:
    """The archive's file members, or ImportFileError if anything in it is unsafe."""
    members, total = [], 0
    for info in archive.infolist():
        name = info.filename.replace("\\", "/")
        if name.startswith("/") or _DRIVE.match(name) or ".." in name.split("/"):
            raise ImportFileError(
                display,
                f"contains an unsafe path {info.filename!r} "
                "(absolute or with '..'); the archive was refused",
            )
        if info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise ImportFileError(display, f"{info.filename} is encrypted; unzip it first")
        total += info.file_size
        if info.file_size > _RATIO_EXEMPT_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(
            info.compress_size, 1
        ):
            ratio = info.file_size // max(info.compress_size, 1)
            raise ImportFileError(
                display,
                f"{info.filename} would expand {ratio:,} times its compressed size "
                "(a zip bomb?); the archive was refused",
            )
        if total > MAX_ARCHIVE_BYTES:
            raise ImportFileError(
                display,
                f"would expand to more than {_mb(MAX_ARCHIVE_BYTES)}; the archive was refused",
            )
        if info.file_size > limit and format_from_name(name.rsplit("/", 1)[-1]) is not None:
            raise ImportFileError(
                display,
                f"{info.filename} is {_mb(info.file_size)}, larger "
                f"than the {_mb(limit)} limit for one file",
            )
        members.append(info)
    return members


@dataclass(frozen=True)
class _MemberOpener:
    """Opens one member of a zip archive (picklable, like ``_FileOpener``)."""

    zip_path: Path
    member: str
    display: str
    limit: int

    @contextmanager
    def __call__(self) -> Iterator[BinaryIO]:
        with zipfile.ZipFile(self.zip_path) as archive:
            info = archive.getinfo(self.member)
            with archive.open(info) as raw:
                counted = CountingReader(
                    raw, self.display, self.limit, info.compress_size, MAX_COMPRESSION_RATIO
                )
                yield io.BufferedReader(counted, 256 * 1024)


def _sniff(stream: BinaryIO) -> Format | None:
    """Decide from the first row whether an oddly named JSON file is history."""
    from .parse import first_item

    return format_from_row(first_item(stream.read(_PEEK_BYTES)))


def _mb(n: int) -> str:
    return f"{n / (1024 * 1024):,.0f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"

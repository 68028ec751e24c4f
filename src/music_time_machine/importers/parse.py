"""Read the objects of a JSON history file, with a clear error for every way it can be bad.

Large files are read incrementally with ijson (its C backend when installed), so a file's
size never decides the memory used. Files up to ``LOAD_WHOLE_MAX_BYTES`` (Spotify's own are
~10-15 MB) are parsed in one go with the standard library's ``json``, about twice as fast;
whenever that fast path meets anything unusual (invalid JSON, a wrong shape, a value that
ijson would refuse or read differently) the same bytes go through the ijson path, so the
rows, and the error message, are exactly the streaming parser's.

A history file must be a UTF-8 JSON array of objects; any other shape, encoding or a
truncated file raises ``ImportFileError`` naming the file and the problem, which makes the
caller roll that file back. So does a file no export can be, refused before it costs much:

- nesting deeper than ``limits.MAX_JSON_DEPTH``: rows are built here from ijson's flat
  events (ijson's own item builder slows down with the square of the depth, and Python's
  ``json`` recurses), so depth is counted and bounded;
- a row longer than ``limits.MAX_ROW_BYTES``: yajl re-reads a token that spans its read
  buffer from the start each time, so one 200 MB string took minutes of CPU; the parser's
  reads are counted and the file refused once that many bytes pass without a complete row.
  (The fast path meets such a row only in files up to 48 MB, parses it in a moment, and
  the row-level limits in ``rows.py`` reject it.)
- text that is not valid UTF-8 inside a string (yajl passes some of it on to Python's
  decoder, which raised ``UnicodeDecodeError`` through the whole import).
"""

from __future__ import annotations

import io
import json
import math
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

import ijson

from ..limits import MAX_JSON_DEPTH, MAX_ROW_BYTES
from .errors import ImportFileError


def _fastest_backend():
    for name in ("yajl2_c", "yajl2_cffi", "yajl2", "python"):
        try:
            return ijson.get_backend(name)
        except ImportError:
            continue
    return ijson  # pragma: no cover - ijson always has the python backend


BACKEND = _fastest_backend()

_WHITESPACE = b" \t\r\n"
_UTF8_BOM = b"\xef\xbb\xbf"


def iter_objects(stream: BinaryIO, name: str) -> Iterator[dict]:
    """Yield each object of the top-level JSON array in ``stream``.

    ``stream`` should support ``peek`` (``io.BufferedReader`` does); the first bytes are
    inspected to explain encoding and shape problems better than a parser error would.
    """
    head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    if head.startswith(_UTF8_BOM):
        stream.read(len(_UTF8_BOM))
        head = head[len(_UTF8_BOM) :]
    _check_head(head, name)
    yield from _Rows(stream, name)


_SCALAR_EVENTS = frozenset({"null", "boolean", "integer", "double", "number", "string"})


class _Rows:
    """The rows of a JSON array, built from ijson's events with the bounds of ``limits``.

    Also the file-like object ijson reads from: every read is counted, and ``read`` refuses
    the file once ``MAX_ROW_BYTES`` pass without a complete row (see the module docstring).
    """

    def __init__(self, stream: BinaryIO, name: str) -> None:
        self._stream = stream
        self.name = name
        self.rows = 0
        self._since_row = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._since_row += len(data)
        if self._since_row > MAX_ROW_BYTES + _READ_SLACK:
            raise ImportFileError(
                self.name,
                f"has a row longer than {MAX_ROW_BYTES // (1024 * 1024)} MB "
                f"(row {self.rows + 1}); a Spotify export's rows are a few hundred "
                "bytes - is this an export?",
            )
        return data

    def __iter__(self) -> Iterator[dict]:
        try:
            yield from self._build()
        except ijson.JSONError as exc:
            raise ImportFileError(self.name, _explain(exc, self.rows)) from None
        except UnicodeDecodeError:
            raise ImportFileError(self.name, _not_utf8(self.rows)) from None

    def _build(self) -> Iterator[dict]:
        stack: list = []  # the open containers of the current row, outermost first
        key = None
        opened = closed = False  # the top-level array
        for event, value in BACKEND.basic_parse(self, use_float=True):
            if stack:
                if event == "map_key":
                    key = value
                    continue
                top = stack[-1]
                if event in _SCALAR_EVENTS:
                    if type(top) is dict:
                        top[key] = value
                    else:
                        top.append(value)
                elif event == "start_map" or event == "start_array":
                    if len(stack) + 1 >= MAX_JSON_DEPTH:
                        raise ImportFileError(
                            self.name,
                            f"nests JSON more than {MAX_JSON_DEPTH} levels deep "
                            f"(row {self.rows + 1}); a Spotify export is a flat "
                            "list of objects",
                        )
                    child: dict | list = {} if event == "start_map" else []
                    if type(top) is dict:
                        top[key] = child
                    else:
                        top.append(child)
                    stack.append(child)
                else:  # end_map / end_array
                    row = stack.pop()
                    if not stack:
                        self.rows += 1
                        self._since_row = 0
                        yield row
            elif not opened:
                if event != "start_array":
                    raise ImportFileError(
                        self.name, "is not a list of streams (expected a JSON array of objects)"
                    )
                opened = True
            elif closed:  # pragma: no cover - yajl reports trailing data itself
                raise ImportFileError(self.name, _explain(Exception("trailing garbage"), self.rows))
            elif event == "start_map":
                stack.append({})
            elif event == "end_array":
                closed = True
            else:
                what = "a list" if event == "start_array" else _describe(value)
                raise ImportFileError(
                    self.name,
                    f"row {self.rows + 1} is {what}; expected a list of objects (one per stream)",
                )


#: ijson asks for 64 kB at a time and the stream below buffers as much again: a row is
#: refused this far beyond ``MAX_ROW_BYTES`` at most.
_READ_SLACK = 512 * 1024


#: Files up to this size are parsed whole with ``json.loads`` (peak memory about 4x this).
LOAD_WHOLE_MAX_BYTES = 48 * 1024 * 1024

#: An escaped UTF-16 surrogate: ijson replaces a lone one with '?', json keeps it.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
_INT64 = (-(1 << 63) + 1, 1 << 63)  # yajl refuses -2**63 too


_NESTED = frozenset({dict, list})


class _Unusual(Exception):
    """A value ijson would treat differently: use the streaming parser after all."""


def _parse_int(text: str) -> int:
    value = int(text)
    if not _INT64[0] <= value < _INT64[1]:
        raise _Unusual  # ijson (yajl) refuses integers beyond 64 bits
    return value


def _parse_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _Unusual  # ijson refuses overflowing numbers
    return value


def _parse_constant(text: str) -> float:
    raise _Unusual  # NaN / Infinity are not JSON; ijson refuses them


def read_objects(stream: BinaryIO, name: str, size: int | None = None) -> Iterable[dict]:
    """Every object of the top-level JSON array in ``stream``: a list for files of known
    ``size`` up to ``LOAD_WHOLE_MAX_BYTES``, else a stream (``iter_objects``). Either way
    the rows and any ``ImportFileError`` are exactly those of ``iter_objects``."""
    if size is None or size > LOAD_WHOLE_MAX_BYTES:
        return iter_objects(stream, name)
    head = stream.peek(64)[:64] if hasattr(stream, "peek") else b""
    data = stream.read(LOAD_WHOLE_MAX_BYTES + 1)
    if len(data) > LOAD_WHOLE_MAX_BYTES:  # larger than announced: stream the rest
        rest = io.BufferedReader(_Chain(data, stream), 256 * 1024)
        return iter_objects(rest, name)
    if not head:
        head = data[:64]
    if head.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
        head = head[len(_UTF8_BOM) :]
    _check_head(head, name)
    rows = None
    if not _SURROGATE_ESCAPE.search(data):
        try:  # decoded strictly here: json.loads(bytes) would let encoded surrogates in
            rows = json.loads(
                data.decode("utf-8"),
                parse_int=_parse_int,
                parse_float=_parse_float,
                parse_constant=_parse_constant,
            )
        except (ValueError, _Unusual, RecursionError):  # JSONDecodeError, UnicodeDecodeError
            rows = None
        if type(rows) is not list or not all(type(row) is dict for row in rows):
            rows = None
        elif not _NESTED.isdisjoint(map(type, chain.from_iterable(map(dict.values, rows)))):
            rows = None  # nested values: the streaming parser checks their depth
    if rows is None:  # let the streaming parser find and explain the problem
        return iter_objects(io.BufferedReader(io.BytesIO(data)), name)
    return rows


class _Chain(io.RawIOBase):
    """``first`` bytes, then the rest of ``stream``."""

    def __init__(self, first: bytes, stream: BinaryIO) -> None:
        super().__init__()
        self._first = memoryview(first)
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._first:
            n = min(len(buffer), len(self._first))
            buffer[:n] = self._first[:n]
            self._first = self._first[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def first_item(data: bytes) -> object | None:
    """The first element of a JSON array held (possibly cut short) in ``data``, else None."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.lstrip(_WHITESPACE).startswith(b"["):
        return None
    try:
        for item in _Rows(io.BytesIO(data), ""):
            return item
    except ImportFileError:
        return None
    return None


def _check_head(head: bytes, name: str) -> None:
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise ImportFileError(name, "is UTF-32 encoded; expected UTF-8 (as Spotify sends it)")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head[:4]:
        raise ImportFileError(name, "is UTF-16 encoded; expected UTF-8 (as Spotify sends it)")
    stripped = head.lstrip(_WHITESPACE)
    if not stripped:
        if not head:
            raise ImportFileError(name, "is empty")
        return  # only whitespace so far: let the parser decide
    if stripped[:1] == b"{":
        raise ImportFileError(
            name, "is a JSON object; expected a list of streams (a JSON array of objects)"
        )
    if stripped[:1] != b"[":
        raise ImportFileError(name, "is not JSON (it should start with '[')")


def _explain(exc: Exception, rows: int) -> str:
    raw = exc.args[0] if exc.args else str(exc)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    after = f"after {rows:,} complete rows" if rows else "before the first complete row"
    if "invalid bytes in UTF8" in first:
        return _not_utf8(rows)
    if "premature EOF" in first or "Incomplete" in first:
        return f"is truncated: the JSON ends {after}, before the list is closed"
    if "trailing garbage" in first:
        return f"has unexpected data after the end of the list ({after})"
    return f"is not valid JSON ({first}; {after})"


def _not_utf8(rows: int) -> str:
    after = f"after {rows:,} complete rows" if rows else "before the first complete row"
    return (
        f"is not valid UTF-8 text ({after}); Spotify exports are UTF-8 - was the file "
        "re-saved in another encoding?"
    )


def _describe(obj: object) -> str:
    if isinstance(obj, bool):
        return "a boolean"
    if isinstance(obj, int | float):
        return "a number"
    if isinstance(obj, str):
        return "a string"
    if isinstance(obj, list):
        return "a list"
    if obj is None:
        return "null"
    return type(obj).__name__

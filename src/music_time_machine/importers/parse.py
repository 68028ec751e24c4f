"""Stream the objects of a JSON history file, with a clear error for every way it can be bad.

Files are read incrementally with ijson (its C backend when installed), so a file's size
never decides the memory used. A history file must be a UTF-8 JSON array of objects; any
other shape, encoding or a truncated file raises ``ImportFileError`` naming the file and the
problem, which makes the caller roll that file back.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import BinaryIO

import ijson

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
        head = head[len(_UTF8_BOM):]
    _check_head(head, name)
    rows = 0
    try:
        for obj in BACKEND.items(stream, "item", use_float=True):
            if type(obj) is not dict:
                raise ImportFileError(
                    name, f"row {rows + 1} is {_describe(obj)}; expected a list of objects "
                          "(one per stream)")
            rows += 1
            yield obj
    except ijson.JSONError as exc:
        raise ImportFileError(name, _explain(exc, rows)) from None


def first_item(data: bytes) -> object | None:
    """The first element of a JSON array held (possibly cut short) in ``data``, else None."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM):]
    if not data.lstrip(_WHITESPACE).startswith(b"["):
        return None
    try:
        for item in BACKEND.items(io.BytesIO(data), "item", use_float=True):
            return item
    except ijson.JSONError:
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
        raise ImportFileError(name, "is a JSON object; expected a list of streams "
                                    "(a JSON array of objects)")
    if stripped[:1] != b"[":
        raise ImportFileError(name, "is not JSON (it should start with '[')")


def _explain(exc: Exception, rows: int) -> str:
    raw = exc.args[0] if exc.args else str(exc)
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    after = f"after {rows:,} complete rows" if rows else "before the first complete row"
    if "invalid bytes in UTF8" in first:
        return (f"is not valid UTF-8 text ({after}); Spotify exports are UTF-8 - was the file "
                "re-saved in another encoding?")
    if "premature EOF" in first or "Incomplete" in first:
        return f"is truncated: the JSON ends {after}, before the list is closed"
    if "trailing garbage" in first:
        return f"has unexpected data after the end of the list ({after})"
    return f"is not valid JSON ({first}; {after})"


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

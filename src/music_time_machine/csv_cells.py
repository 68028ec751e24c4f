"""CSV cells that a spreadsheet will not run as formulas (OWASP "CSV injection").

Excel, LibreOffice and Google Sheets treat a cell that starts with ``=``, ``+``, ``-``,
``@``, a tab or a carriage return as a formula, so a track named ``=HYPERLINK(...)`` in an
export would become a live link (or worse) when the file is opened. Such *text* cells get a
leading single quote, as OWASP recommends; numbers (``int``/``float``) stay numbers, so a
genuinely numeric column keeps its negative values.
"""

from __future__ import annotations

from collections.abc import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(cell: object) -> object:
    if isinstance(cell, str) and cell.startswith(FORMULA_STARTS):
        return "'" + cell
    return cell


def spreadsheet_safe_row(cells: Iterable[object]) -> list[object]:
    return [spreadsheet_safe(cell) for cell in cells]

"""Importers for Spotify's data exports ("Extended streaming history" and "Account data").

Entry point: ``run_import(conn, user_id, paths)`` returns an ``ImportSummary``; the CLI prints
it with ``format_summary_table`` and the web page shows ``summary.to_dict()``. The rule that
decides whether two rows are one stream lives in ``music_time_machine/reconcile.py``, beside
``rules.py``, and is shared with the restore and the live sync (``Reconciler``).
"""

from ..reconcile import Reconciler, same_stream
from .errors import ImportFileError
from .run import run_import
from .sources import DEFAULT_MAX_FILE_BYTES, SkippedFile
from .summary import FileReport, ImportProgress, ImportSummary, format_summary_table

__all__ = [
    "DEFAULT_MAX_FILE_BYTES",
    "FileReport",
    "ImportFileError",
    "ImportProgress",
    "ImportSummary",
    "Reconciler",
    "SkippedFile",
    "format_summary_table",
    "run_import",
    "same_stream",
]

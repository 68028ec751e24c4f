"""Statistics for SQLite's query planner.

Without ``sqlite_stat1`` the planner guesses how selective each index is, and at a million
plays some guesses walk a whole index where another would read a few pages. ``ANALYZE``
fills the table; ``analysis_limit`` makes it sample each index instead of reading all of
it (well under a second at a million plays; the planner needs proportions, not exact
counts). Run after the data changes shape: migration 0012 and large imports.
"""

from __future__ import annotations

import sqlite3

#: Rows ANALYZE samples per index (SQLite's recommended range is 100 to 1000).
ANALYSIS_ROWS = 1000


def refresh_planner_statistics(conn: sqlite3.Connection) -> None:
    """Re-measure every table and index for the planner (a write: takes the write lock)."""
    conn.execute(f"PRAGMA analysis_limit = {ANALYSIS_ROWS}")
    conn.execute("ANALYZE")

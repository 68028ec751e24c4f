"""An import's peak memory has a bound (issue #15: ≤ 300 MB for a 1M-row file): the
importing connection's page cache is held to ``IMPORT_CACHE_KIB`` while it writes, and
given back afterwards."""

from __future__ import annotations

from import_fixtures import EXTENDED_DIR

from music_time_machine.importers import run as run_module
from music_time_machine.importers import run_import


def test_the_import_writes_with_a_smaller_page_cache_and_restores_it(fresh_db):
    conn, user = fresh_db()
    before = conn.execute("PRAGMA cache_size").fetchone()[0]
    assert before == -64 * 1024
    seen = []

    def progress(report) -> None:
        if report.current_file:  # (the last report comes when the import is over)
            seen.append(conn.execute("PRAGMA cache_size").fetchone()[0])

    summary = run_import(
        conn, user, [EXTENDED_DIR / "Streaming_History_Audio_2022.json"], progress=progress
    )
    assert summary.ok and summary.stored > 0
    assert seen and set(seen) == {-run_module.IMPORT_CACHE_KIB}
    assert run_module.IMPORT_CACHE_KIB < 64 * 1024
    assert conn.execute("PRAGMA cache_size").fetchone()[0] == before

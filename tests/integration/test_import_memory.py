"""An import's peak memory has a bound (issue #15: ≤ 300 MB for a 1M-row file): while it
writes, the importing connection's page cache is held to ``IMPORT_CACHE_KIB`` and its
temporary storage (savepoint sub-journals included) is in files; both come back after."""

from __future__ import annotations

from import_fixtures import EXTENDED_DIR

from music_time_machine.importers import run as run_module
from music_time_machine.importers import run_import


def _memory_pragmas(conn) -> tuple[int, int]:
    return tuple(conn.execute(f"PRAGMA {p}").fetchone()[0] for p in ("cache_size", "temp_store"))


def test_the_import_writes_with_bounded_memory_and_restores_the_connection(fresh_db):
    conn, user = fresh_db()
    before = _memory_pragmas(conn)
    assert before == (-64 * 1024, 2)  # 64 MiB, MEMORY (db.connect)
    seen = []

    def progress(report) -> None:
        if report.current_file:  # (the last report comes when the import is over)
            seen.append(_memory_pragmas(conn))

    summary = run_import(
        conn, user, [EXTENDED_DIR / "Streaming_History_Audio_2022.json"], progress=progress
    )
    assert summary.ok and summary.stored > 0
    assert seen and set(seen) == {(-run_module.IMPORT_CACHE_KIB, 1)}  # 1: FILE
    assert run_module.IMPORT_CACHE_KIB < 64 * 1024
    assert _memory_pragmas(conn) == before

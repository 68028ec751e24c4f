"""The helper-process path of a large import (parsing in a second process) gives exactly
what the in-process path gives: same summary, same database, same error for a bad file."""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
from import_fixtures import (  # noqa: E402
    ACCOUNT_DIR,
    EXTENDED_DIR,
    SAMPLE_ACCOUNT_DIR,
    SAMPLE_EXTENDED_DIR,
    content,
    need_samples,
)

from music_time_machine.importers import feed, run, run_import  # noqa: E402


def _export(tmp_path: Path, extended: Path = EXTENDED_DIR, account: Path = ACCOUNT_DIR) -> Path:
    """Every file of an export, and one cut short."""
    folder = tmp_path / "export"
    folder.mkdir()
    for src in [*extended.glob("*.json"), *account.glob("*.json")]:
        (folder / src.name).write_bytes(src.read_bytes())
    rows = json.loads((extended / "Streaming_History_Audio_2023.json").read_text())
    (folder / "Streaming_History_Audio_2019.json").write_text(json.dumps(rows[:50])[:-40])
    return folder


def _summary(summary):
    return [
        (
            f.name,
            f.kind,
            f.error,
            f.rows_read,
            f.plays_added,
            f.short_plays,
            f.podcasts_audiobooks,
            f.duplicates,
            f.without_metadata,
            f.rejected,
            dict(f.rejected_reasons),
            f.incognito_skipped,
        )
        for f in summary.files
    ]


def _watch_helper_processes(monkeypatch, note) -> list:
    """Lets the import start its helper processes as usual, noting ``note(files)`` for each."""
    started = []
    real = feed.WorkerFeed

    def spy(*args, **kwargs):
        started.append(note(args[0]))
        return real(*args, **kwargs)

    monkeypatch.setattr(run, "WorkerFeed", spy)
    return started


def _both_ways(fresh_db, monkeypatch, work) -> dict:
    """``work(conn, user)`` on a fresh database parsed in process ("local"), then on another
    with every file sent to a helper process ("worker"): the two must agree."""
    results = {}
    for mode, threshold in (("local", None), ("worker", 0)):
        monkeypatch.setattr(run, "WORKER_MIN_BYTES", threshold)
        conn, user = fresh_db(f"{mode}.sqlite", timezone="Europe/Berlin")
        results[mode] = work(conn, user)
        conn.close()
    return results


@pytest.mark.parametrize("root", ["data", "shared"])
def test_helper_process_equals_in_process(tmp_path, fresh_db, monkeypatch, root):
    if root == "shared":
        need_samples()
        folder = _export(tmp_path, SAMPLE_EXTENDED_DIR, SAMPLE_ACCOUNT_DIR)
    else:
        folder = _export(tmp_path)
    started = _watch_helper_processes(monkeypatch, lambda files: True)

    def import_twice(conn, user):
        first = run_import(conn, user, [folder])
        again = run_import(conn, user, [folder])  # re-import adds nothing
        return _summary(first), _summary(again), content(conn)

    results = _both_ways(fresh_db, monkeypatch, import_twice)
    assert started == [True, True]
    assert results["worker"] == results["local"]
    errors = [f for f in results["worker"][0] if f[2]]
    assert [(e[0], "truncated" in e[2]) for e in errors] == [
        ("export/Streaming_History_Audio_2019.json", True)
    ]
    assert sum(f[4] for f in results["worker"][0]) > 0
    assert sum(f[4] for f in results["worker"][1]) == 0


def test_one_large_file_is_parsed_by_the_helper_too(tmp_path, fresh_db, monkeypatch):
    folder = tmp_path / "one"
    folder.mkdir()
    name = "Streaming_History_Audio_2023.json"
    (folder / name).write_bytes((EXTENDED_DIR / name).read_bytes())
    started = _watch_helper_processes(monkeypatch, lambda files: files[0].name)
    results = _both_ways(
        fresh_db,
        monkeypatch,
        lambda conn, user: (_summary(run_import(conn, user, [folder])), content(conn)),
    )
    assert started == [f"one/{name}"]
    assert results["worker"] == results["local"]
    assert results["worker"][0][0][4] > 0  # plays added


def test_a_lost_helper_falls_back_to_parsing_in_process(tmp_path, fresh_db, monkeypatch):
    folder = _export(tmp_path)
    conn, user = fresh_db("local.sqlite")
    monkeypatch.setattr(run, "WORKER_MIN_BYTES", None)
    expected = _summary(run_import(conn, user, [folder]))

    class Dying:
        def __init__(self, *args):
            self.closed = False

        def batches(self, index):
            yield from ()
            raise feed.WorkerLost("gone")

        def close(self):
            self.closed = True

    monkeypatch.setattr(run, "WORKER_MIN_BYTES", 0)
    monkeypatch.setattr(run, "WorkerFeed", Dying)
    conn2, user2 = fresh_db("fallback.sqlite")
    assert _summary(run_import(conn2, user2, [folder])) == expected
    assert content(conn2) == content(conn)


def test_a_helper_that_dies_while_the_importer_is_behind_ends_the_feed(tmp_path, monkeypatch):
    """The reader thread holds the helper's messages in a bounded queue. When the helper dies
    while that queue is full, the end mark still reaches the importer (``batches`` then
    raises WorkerLost and the file is redone in process) instead of being dropped and
    leaving the importer waiting for ever."""
    import queue
    import time

    from music_time_machine.importers.sources import expand_sources

    folder = tmp_path / "many"
    folder.mkdir()
    data = (EXTENDED_DIR / "Streaming_History_Audio_2023.json").read_bytes()
    for n in range(100):
        (folder / f"Streaming_History_Audio_2023_{n}.json").write_bytes(data)
    sources = sorted(expand_sources([folder], None), key=lambda s: s.name)
    monkeypatch.setattr(feed, "AHEAD_MESSAGES", 2)
    worker = feed.WorkerFeed(sources, "UTC")
    try:
        deadline = time.monotonic() + 30
        while not worker._ahead.full() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert worker._ahead.full()
        worker._process.kill()
        worker._process.join()
        seen = []
        for _ in range(50):  # a slow importer: the queue is full again each time we look
            try:
                seen.append(worker._ahead.get(timeout=3))
            except queue.Empty:
                break
            if seen[-1] is None:
                break
            time.sleep(0.2)
        assert seen and seen[-1] is None, "the end of the helper's pipe was never signalled"
    finally:
        worker.close()

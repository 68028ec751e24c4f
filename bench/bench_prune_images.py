"""Time the image store's pruning, which *Clear all data* runs in its request.

    python bench/bench_prune_images.py               # 5,000 keys (10,000 files), 5 rounds
    python bench/bench_prune_images.py --keys 20000 -n 3
    python bench/bench_prune_images.py --clear bench/out/pages-1000000-g2.sqlite

A fresh database with one user's 5,000 albums, each shown with its own key, and a store
holding every key's renditions (small files: the walk and the deletions cost the same
whatever the bytes), last written two hours ago. Timed, per round, on a fresh copy of the
files: ``prune_unshown_images`` (the keys read from the database, the store walked under its
lock) when every key is still shown (nothing to delete: every prune after a clear that
shared all its pictures), when half are and when none are (the clear of the only user who
showed them). The reference, measured in the same run: listing the same folders without
looking at a file (``os.scandir``), the floor any walk of the store pays; and with
``--clear DB``, what the clear itself costs before the pruning: ``delete_listening_data``
for the first user of a copy of ``DB`` (bench_pages.py's 1M-play listener, say).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bench_clear import clear_ms
from benchlib import load_average

from music_time_machine.db import connect, transaction
from music_time_machine.db.artwork import save_album_art
from music_time_machine.db.migrate import migrate
from music_time_machine.db.users import ensure_local_user
from music_time_machine.metadata.image_pruning import prune_unshown_images
from music_time_machine.metadata.image_store import ImageStore
from music_time_machine.metadata.imaging import SIZES

TWO_HOURS_S = 7200


def fill(store: ImageStore, keys: list[str]) -> None:
    """Every rendition of ``keys``, written two hours ago."""
    old = time.time() - TWO_HOURS_S
    for key in keys:
        for size in SIZES:
            path = store.path(key, size)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"RIFF....WEBP")
            os.utime(path, (old, old))


def listing_ms(root: Path) -> float:
    start = time.perf_counter()
    for folder in os.scandir(root):
        if folder.is_dir(follow_symlinks=False):
            with os.scandir(folder.path) as entries:
                for _entry in entries:
                    pass
    return (time.perf_counter() - start) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keys", type=int, default=5000)
    parser.add_argument("-n", type=int, default=5, help="rounds")
    parser.add_argument("--clear", type=Path, help="also time the clear of this database's user")
    args = parser.parse_args()
    keys = [f"{n:032x}"[::-1] for n in range(args.keys)]  # spread over the 256 folders

    with tempfile.TemporaryDirectory(prefix="mtm-prune-") as tmp:
        conn = connect(Path(tmp) / "bench.sqlite")
        migrate(conn)
        user = ensure_local_user(conn, timezone="UTC")
        with transaction(conn):
            for n, key in enumerate(keys):
                album = conn.execute(
                    "INSERT INTO albums (user_id, name, name_key) VALUES (?, ?, ?) RETURNING id",
                    (user, f"Album {n}", f"album {n}"),
                ).fetchone()[0]
                save_album_art(conn, user, album, key, "coverartarchive")
        store = ImageStore(Path(tmp) / "images")
        shown = {"all": len(keys), "half": len(keys) // 2, "none": 0}
        times: dict[str, list[float]] = {case: [] for case in shown}
        reference: list[float] = []
        for _round in range(args.n):
            for case, count in shown.items():
                shutil.rmtree(store.root, ignore_errors=True)
                fill(store, keys)
                with transaction(conn):
                    conn.execute("UPDATE album_art SET image_key = NULL, source = NULL")
                    conn.executemany(
                        "UPDATE album_art SET image_key = ?, source = 'coverartarchive' "
                        "WHERE album = (SELECT id FROM albums WHERE name = ?)",
                        [(key, f"Album {n}") for n, key in enumerate(keys[:count])],
                    )
                reference.append(listing_ms(store.root))
                start = time.perf_counter()
                removed = prune_unshown_images(conn, store)
                times[case].append((time.perf_counter() - start) * 1000)
                expected = (len(keys) - count) * len(SIZES)
                assert removed == expected, (case, removed, expected)
        conn.close()

    files = len(keys) * len(SIZES)
    print(f"{len(keys):,} keys, {files:,} files, {args.n} rounds; {load_average()}")
    print(
        f"  reference: listing the store's folders   median {statistics.median(reference):7.1f} ms"
    )
    for case, count in shown.items():
        deleted = (len(keys) - count) * len(SIZES)
        print(
            f"  prune, {case:>4} still shown ({deleted:>6,} files deleted)"
            f"  median {statistics.median(times[case]):7.1f} ms  max {max(times[case]):7.1f} ms"
        )
    if args.clear:
        ms, plays, _rows = clear_ms(args.clear)
        print(f"  reference: the clear's own deletion of {plays:,} plays  {ms:9.1f} ms")


if __name__ == "__main__":
    main()

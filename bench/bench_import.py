"""Benchmark: import a generated Spotify extended-history export of N rows, beside its floor.

    python bench/bench_import.py                       # 100k and 1M rows, as 1 and 63 files
    python bench/bench_import.py 200000 --files 1
    python bench/bench_import.py 1000000 --files 63 --keep

The export is shaped like a heavy listener's (issue #15): a catalogue of ~85,000 tracks by
6,000 artists, artist popularity and each artist's tracks both on Zipf curves (so a 1M-row
history plays ~60,000+ distinct tracks by every artist), 14 years, ~20% short plays
(skips under 30 s), 5% podcasts, a few rows without metadata and in incognito. The same rows
are written as one file or split into ``--files`` files (63 is Spotify-sized for 1M rows).

Each (size, files) pair is then measured twice, each in a child process of its own:

- the **floor** (as the issue defines it): the standard library's ``json`` parses every file
  and the raw rows go into one SQLite table with one index (on time and track URI, like the
  plays' key), in one transaction, with the app's pragmas;
- the **import** (``run_import``) into a fresh database.

Printed: rows, files, MB, the distinct tracks and artists the import created, the floor's
and the import's wall seconds and their ratio, the import's peak RSS (its own and its
parser process's: ``RUSAGE_CHILDREN``), its CPU, the time in ``insert_play_rows`` and in
the rollups (``add_new_plays``), and the load average (other load stretches wall time).
"""

from __future__ import annotations

import argparse
import bisect
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PLATFORMS = ["android", "ios", "windows", "osx", "web_player", "cast"]
REASONS_START = ["trackdone", "clickrow", "fwdbtn", "backbtn", "playbtn", "appload"]
REASONS_END = ["trackdone", "endplay", "fwdbtn", "backbtn", "logout", "unexpected-exit"]
WORDS = [
    "love",
    "night",
    "fire",
    "river",
    "city",
    "dream",
    "blue",
    "heart",
    "light",
    "shadow",
    "gold",
    "summer",
    "rain",
    "echo",
    "wild",
    "ghost",
    "neon",
    "paper",
    "silver",
    "ocean",
    "moon",
    "star",
    "road",
    "home",
    "café",
    "noël",
    "señor",
    "über",
]
#: The fields of an extended-history row, in Spotify's order (the floor stores them all).
FIELDS = (
    "ts",
    "platform",
    "ms_played",
    "conn_country",
    "ip_addr",
    "master_metadata_track_name",
    "master_metadata_album_artist_name",
    "master_metadata_album_album_name",
    "spotify_track_uri",
    "episode_name",
    "episode_show_name",
    "spotify_episode_uri",
    "audiobook_title",
    "audiobook_uri",
    "audiobook_chapter_uri",
    "audiobook_chapter_title",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "offline_timestamp",
    "incognito_mode",
)
ARTISTS = 6000
SHORT_SHARE = 0.20
YEARS = (2011, 2025)  # 14 years


class _Catalogue:
    """Artists on a Zipf curve, each with tracks on a Zipf curve of their own."""

    def __init__(self, rng: random.Random) -> None:
        self.artists = [f"{rng.choice(WORDS).title()} Artist {a}" for a in range(ARTISTS)]
        self.artist_cum = list(itertools.accumulate(1.0 / (a + 1) for a in range(ARTISTS)))
        self.tracks: list[list[tuple[str, str, str, int]]] = []
        self.track_cum: list[list[float]] = []
        number = 0
        for a in range(ARTISTS):
            count = 8 + int(240 / (a + 1) ** 0.5)  # popular artists have more songs
            songs = []
            for t in range(count):
                title = " ".join(rng.sample(WORDS, rng.randint(1, 3))).title() + f" {t}"
                songs.append(
                    (
                        title,
                        f"Album {a}-{t // 12}",
                        f"spotify:track:{number:022d}",
                        rng.randint(120_000, 330_000),
                    )
                )
                number += 1
            self.tracks.append(songs)
            self.track_cum.append(
                list(itertools.accumulate(1.0 / (t + 1) ** 0.8 for t in range(count)))
            )
        self.episodes = [
            (f"Episode {i}", f"Show {i % 40}", f"spotify:episode:{i:022d}") for i in range(600)
        ]

    def pick(self, rng: random.Random) -> tuple[str, str, str, str, int]:
        """(title, artist, album, URI, length) of one play."""
        a = bisect.bisect(self.artist_cum, rng.random() * self.artist_cum[-1])
        cum = self.track_cum[a]
        title, album, uri, length = self.tracks[a][bisect.bisect(cum, rng.random() * cum[-1])]
        return title, self.artists[a], album, uri, length


def generate(n: int, folder: Path, files: int = 1, seed: int = 7) -> int:
    """Write ``n`` rows of extended history into ``folder`` as ``files`` files of about the
    same size (the same rows whatever ``files``); returns the total bytes written."""
    rng = random.Random(seed)
    catalogue = _Catalogue(rng)
    start = datetime(YEARS[0], 1, 1, tzinfo=UTC).timestamp()
    step = (datetime(YEARS[1], 1, 1, tzinfo=UTC).timestamp() - start) / n
    t = start
    total = 0
    per_file = -(-n // files)
    for file_no, first in enumerate(range(0, n, per_file)):
        rows = []
        for _ in range(first, min(n, first + per_file)):
            t += rng.uniform(0.2, 1.8) * step
            roll = rng.random()
            row = dict.fromkeys(FIELDS)
            row.update(
                ts=datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                platform=rng.choice(PLATFORMS),
                ms_played=0,
                conn_country="SE",
                ip_addr="192.0.2.1",
                reason_start=rng.choice(REASONS_START),
                reason_end="trackdone",
                shuffle=rng.random() < 0.4,
                skipped=False,
                offline=False,
                offline_timestamp=int(t) - 200,
                incognito_mode=rng.random() < 0.005,
            )
            if roll < 0.05:
                name, show, uri = rng.choice(catalogue.episodes)
                row.update(
                    episode_name=name,
                    episode_show_name=show,
                    spotify_episode_uri=uri,
                    ms_played=rng.randint(1000, 3_600_000),
                )
            elif roll < 0.053:
                row["ms_played"] = rng.randint(0, 200_000)  # no metadata at all
            else:
                title, artist, album, uri, length = catalogue.pick(rng)
                row.update(
                    master_metadata_track_name=title,
                    master_metadata_album_artist_name=artist,
                    master_metadata_album_album_name=album,
                    spotify_track_uri=uri,
                )
                if rng.random() < SHORT_SHARE:  # a skip
                    row.update(
                        ms_played=rng.randint(0, 29_999),
                        skipped=True,
                        reason_end=rng.choice(REASONS_END[1:]),
                    )
                else:
                    row["ms_played"] = rng.randint(30_000, length)
            rows.append(row)
        path = folder / f"Streaming_History_Audio_{rows[0]['ts'][:4]}_{file_no}.json"
        with path.open("wb") as out:  # written in chunks: a 1M-row file is 680 MB
            out.write(b"[\n")
            for chunk in range(0, len(rows), 10_000):
                text = json.dumps(rows[chunk : chunk + 10_000], indent=2, ensure_ascii=False)
                out.write((("," if chunk else "") + text[1:-2]).encode("utf-8"))
            out.write(b"\n]")
            total += out.tell()
    return total


def _peak_rss_mb(ru_maxrss_kb: int) -> float:
    """This process's own peak RSS. Linux keeps ``ru_maxrss`` across ``exec``, so a child
    started by a parent holding a generated export would report the parent's size: the
    kernel's high-water mark of this process's memory (``VmHWM``) is read instead."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return ru_maxrss_kb / 1024


def _usage() -> dict:
    import resource

    me, helper = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return {
        "cpu_s": me.ru_utime + me.ru_stime,
        "helper_cpu_s": helper.ru_utime + helper.ru_stime,
        "peak_rss_mb": _peak_rss_mb(me.ru_maxrss),
        "helper_rss_mb": helper.ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }


def floor_child(folder: str, db: str) -> None:
    """The naive floor: stdlib ``json`` + raw rows into one table with one index."""
    from music_time_machine.db import connect

    conn = connect(db)
    marks = ", ".join("?" * len(FIELDS))
    conn.execute(f"CREATE TABLE raw ({', '.join(FIELDS)})")
    conn.execute("CREATE INDEX raw_key ON raw (ts, spotify_track_uri)")
    values = itemgetter(*FIELDS)
    began = time.perf_counter()
    rows = 0
    conn.execute("BEGIN IMMEDIATE")
    for path in sorted(Path(folder).iterdir()):
        data = json.loads(path.read_bytes())
        conn.executemany(f"INSERT INTO raw VALUES ({marks})", map(values, data))
        rows += len(data)
        del data
    conn.execute("COMMIT")
    print(json.dumps({"wall_s": time.perf_counter() - began, "rows": rows, **_usage()}))


def import_child(folder: str, db: str) -> None:
    """Import ``folder`` into a fresh database ``db`` and print one JSON line of figures."""
    import music_time_machine.importers.run as run_module
    from music_time_machine.db import connect
    from music_time_machine.db.migrate import migrate
    from music_time_machine.db.users import ensure_local_user

    spent = {"insert_plays": 0.0, "rollups": 0.0}

    def timed(name, real):
        def call(*args, **kwargs):
            began = time.perf_counter()
            try:
                return real(*args, **kwargs)
            finally:
                spent[name] += time.perf_counter() - began

        return call

    # Measure only; behaviour unchanged.
    run_module.insert_play_rows = timed("insert_plays", run_module.insert_play_rows)
    run_module.add_new_plays = timed("rollups", run_module.add_new_plays)
    conn = connect(db)
    migrate(conn)
    user_id = ensure_local_user(conn, timezone="Europe/Stockholm")
    began = time.perf_counter()
    # A one-file export of 1M rows is over the default per-file limit (a setting): lift it.
    largest = max(p.stat().st_size for p in Path(folder).iterdir())
    summary = run_module.run_import(conn, user_id, [folder], max_file_bytes=largest)
    wall = time.perf_counter() - began
    usage = _usage()  # before the counts below, which read the whole database
    stored, tracks, artists = conn.execute(
        "SELECT (SELECT COUNT(*) FROM plays), (SELECT COUNT(*) FROM tracks WHERE kind = "
        "'music'), (SELECT COUNT(DISTINCT artist_id) FROM track_artists ta JOIN tracks t "
        "ON t.id = ta.track_id WHERE t.kind = 'music')"
    ).fetchone()
    print(
        json.dumps(
            {
                "rows": summary.rows_read,
                "stored": stored,
                "ok": summary.ok,
                "wall_s": wall,
                "tracks": tracks,
                "artists": artists,
                "insert_plays_s": spent["insert_plays"],
                "rollups_s": spent["rollups"],
                **usage,
            }
        )
    )


def _child(kind: str, export: Path, db: Path) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, f"--{kind}", str(export), str(db)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


HEADER = (
    f"{'rows':>10} {'files':>5} {'MB':>5} {'tracks':>7} {'artists':>7} "
    f"{'floor s':>8} {'import s':>9} {'ratio':>6} {'RSS MB':>7} {'+parser':>8} "
    f"{'CPU s':>6} {'parser':>7} {'insert s':>9} {'rollups s':>10} {'load':>5}"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[100_000, 1_000_000])
    parser.add_argument(
        "--files",
        nargs="+",
        type=int,
        default=[1, 63],
        help="split each size into this many files (several: one run each)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--floor", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import_child(*args.child)
        return
    if args.floor:
        floor_child(*args.floor)
        return
    print(HEADER)
    for n, files in itertools.product(args.sizes, args.files):
        tmp = Path(tempfile.mkdtemp(prefix="mtm-bench-"))
        export = tmp / "export"
        export.mkdir()
        size = generate(n, export, files)
        floor = _child("floor", export, tmp / "floor.sqlite")
        r = _child("child", export, tmp / "bench.sqlite")
        if r["rows"] != floor["rows"] or not r["ok"]:
            raise SystemExit(f"the import read {r['rows']:,} rows of {floor['rows']:,}")
        print(
            f"{r['rows']:>10,} {len(list(export.iterdir())):>5} {size / 1e6:>5.0f} "
            f"{r['tracks']:>7,} {r['artists']:>7,} {floor['wall_s']:>8.2f} "
            f"{r['wall_s']:>9.2f} {r['wall_s'] / floor['wall_s']:>6.2f} "
            f"{r['peak_rss_mb']:>7.0f} {r['helper_rss_mb']:>8.0f} {r['cpu_s']:>6.1f} "
            f"{r['helper_cpu_s']:>7.1f} {r['insert_plays_s']:>9.2f} {r['rollups_s']:>10.2f} "
            f"{r['load']:>5.2f}",
            flush=True,
        )
        if not args.keep:
            shutil.rmtree(tmp)
        else:
            print(f"  kept in {tmp}")


if __name__ == "__main__":
    main()

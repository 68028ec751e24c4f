"""Benchmark: import a generated Spotify extended-history export of N rows.

    python bench/bench_import.py                 # 10k, 100k and 1M rows
    python bench/bench_import.py 200000 --rows-per-file 50000

Each size is generated into a temporary folder (files of ``--rows-per-file`` rows, named and
shaped like Spotify's ``Streaming_History_Audio_*.json``), then imported into a fresh SQLite
database in a child process, so the peak RSS printed is the import's alone (large imports
parse in a helper process of their own: its peak is printed too, and the load average).
Prints rows/s, wall time, peak RSS, how much of the time was spent storing plays
(``insert_play_rows``) and bringing the rollups up to date (``add_new_plays``, once per
group of files), and the CPU time of the importing process and of the parser process (on a
shared machine, other load stretches wall time more than CPU time).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

PLATFORMS = ["android", "ios", "windows", "osx", "web_player", "cast"]
REASONS_START = ["trackdone", "clickrow", "fwdbtn", "backbtn", "playbtn", "appload"]
REASONS_END = ["trackdone", "endplay", "fwdbtn", "backbtn", "logout", "unexpected-exit"]


def _catalogue(rng: random.Random, tracks: int = 4000, artists: int = 700,
               shows: int = 40) -> tuple[list[dict], list[dict]]:
    words = ["love", "night", "fire", "river", "city", "dream", "blue", "heart", "light",
             "shadow", "gold", "summer", "rain", "echo", "wild", "ghost", "neon", "paper",
             "silver", "ocean", "moon", "star", "road", "home"]
    names = [f"Artist {a} " + rng.choice(words).title() for a in range(artists)]
    music = []
    for i in range(tracks):
        a = i % artists
        music.append({
            "name": " ".join(rng.sample(words, rng.randint(1, 3))).title() + f" {i}",
            "artist": names[a],
            "album": f"Album {a}-{i % 7}",
            "uri": f"spotify:track:{i:022d}",
            "length": rng.randint(120_000, 330_000),
            "weight": 1.0 / (1 + i % 500),
        })
    episodes = [{"name": f"Episode {i}", "show": f"Show {i % shows}",
                 "uri": f"spotify:episode:{i:022d}"} for i in range(600)]
    return music, episodes


def generate(n: int, folder: Path, rows_per_file: int, seed: int = 7) -> int:
    """Write ``n`` rows of extended history into ``folder``; returns total bytes."""
    rng = random.Random(seed)
    music, episodes = _catalogue(rng)
    weights = [t["weight"] for t in music]
    start = datetime(2010, 1, 1, tzinfo=UTC).timestamp()
    span = datetime(2025, 1, 1, tzinfo=UTC).timestamp() - start
    step = span / n
    t = start
    total = 0
    picks = rng.choices(range(len(music)), weights=weights, k=n)
    for file_no, first in enumerate(range(0, n, rows_per_file)):
        rows = []
        for i in range(first, min(n, first + rows_per_file)):
            t += rng.uniform(0.2, 1.8) * step
            ts = datetime.fromtimestamp(int(t), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            roll = rng.random()
            row = {"ts": ts, "platform": rng.choice(PLATFORMS), "ms_played": 0,
                   "conn_country": "SE", "ip_addr": "192.0.2.1",
                   "master_metadata_track_name": None,
                   "master_metadata_album_artist_name": None,
                   "master_metadata_album_album_name": None, "spotify_track_uri": None,
                   "episode_name": None, "episode_show_name": None, "spotify_episode_uri": None,
                   "audiobook_title": None, "audiobook_uri": None,
                   "audiobook_chapter_uri": None, "audiobook_chapter_title": None,
                   "reason_start": rng.choice(REASONS_START), "reason_end": "trackdone",
                   "shuffle": rng.random() < 0.4, "skipped": False, "offline": False,
                   "offline_timestamp": int(t) - 200, "incognito_mode": rng.random() < 0.005}
            if roll < 0.05:
                ep = rng.choice(episodes)
                row.update(episode_name=ep["name"], episode_show_name=ep["show"],
                           spotify_episode_uri=ep["uri"], ms_played=rng.randint(1000, 3_600_000))
            elif roll < 0.053:
                row["ms_played"] = rng.randint(0, 200_000)  # no metadata at all
            else:
                tr = music[picks[i]]
                row.update(master_metadata_track_name=tr["name"],
                           master_metadata_album_artist_name=tr["artist"],
                           master_metadata_album_album_name=tr["album"],
                           spotify_track_uri=tr["uri"])
                if rng.random() < 0.15:  # a skip
                    row.update(ms_played=rng.randint(0, 29_999), skipped=True,
                               reason_end=rng.choice(REASONS_END[1:]))
                else:
                    row["ms_played"] = rng.randint(30_000, tr["length"])
            rows.append(row)
        year = rows[0]["ts"][:4]
        path = folder / f"Streaming_History_Audio_{year}_{file_no}.json"
        data = json.dumps(rows, indent=2, ensure_ascii=False).encode("utf-8")
        path.write_bytes(data)
        total += len(data)
    return total


def child(folder: str, db: str) -> None:
    """Import ``folder`` into a fresh database ``db`` and print one JSON line of figures."""
    import resource

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
    summary = run_module.run_import(conn, user_id, [folder])
    wall = time.perf_counter() - began
    stored = conn.execute("SELECT COUNT(*) FROM plays").fetchone()[0]
    me, helper = (resource.getrusage(who) for who in (resource.RUSAGE_SELF,
                                                     resource.RUSAGE_CHILDREN))
    print(json.dumps({
        "cpu_s": me.ru_utime + me.ru_stime, "helper_cpu_s": helper.ru_utime + helper.ru_stime,
        "rows": summary.rows_read, "stored": stored, "ok": summary.ok, "wall_s": wall,
        "insert_plays_s": spent["insert_plays"], "rollups_s": spent["rollups"],
        "peak_rss_mb": me.ru_maxrss / 1024, "helper_rss_mb": helper.ru_maxrss / 1024,
        "load": os.getloadavg()[0],
    }))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--rows-per-file", type=int, default=16_000)
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    print(f"{'rows':>10} {'files':>6} {'MB json':>8} {'wall s':>8} {'rows/s':>10} "
          f"{'peak RSS MB':>12} {'helper MB':>10} {'insert s':>9} {'rollups s':>10} {'CPU s':>6} "
          f"{'helper CPU s':>13} {'load':>5}")
    for n in args.sizes:
        tmp = Path(tempfile.mkdtemp(prefix="mtm-bench-"))
        export, db = tmp / "export", tmp / "bench.sqlite"
        export.mkdir()
        size = generate(n, export, args.rows_per_file)
        files = len(list(export.iterdir()))
        out = subprocess.run([sys.executable, __file__, "--child", str(export), str(db)],
                             check=True, capture_output=True, text=True,
                             env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{r['rows']:>10,} {files:>6} {size / 1e6:>8.0f} {r['wall_s']:>8.2f} "
              f"{r['rows'] / r['wall_s']:>10,.0f} {r['peak_rss_mb']:>12.0f} "
              f"{r['helper_rss_mb']:>10.0f} {r['insert_plays_s']:>9.2f} {r['rollups_s']:>10.2f} "
              f"{r['cpu_s']:>6.1f} "
              f"{r['helper_cpu_s']:>13.1f} {r['load']:>5.2f}",
              flush=True)
        if not args.keep:
            shutil.rmtree(tmp)
        else:
            print(f"  kept in {tmp}")


if __name__ == "__main__":
    main()

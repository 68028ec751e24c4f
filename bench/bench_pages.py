"""Time every page and every stats API endpoint at a heavy listener's scale, and weigh the
Analytics page's first visit.

    python bench/bench_pages.py                       # 1,000,000 plays, 20 timed requests each
    python bench/bench_pages.py --plays 100000 -n 30

The database is generated once per size and cached under bench/out/ (gitignored; delete the
file to rebuild it): a listener of 14 years ending this hour, Europe/Berlin, whose catalogue
is the issue's realistic one (at 1M plays about 73,000 tracks played by 5,100 artists, drawn
from 75,000 and 5,263 on Zipf curves), artists with genres from genres.py (15% without),
a daily rhythm, and 20% short plays (skips). Plays are written with ``insert_play_rows``
and the rollups built in one ``rebuild_rollups`` pass, as an import into an empty account
leaves them; the cached file never gets ``ANALYZE`` from this script, so what the app's own
migrations and imports do about statistics is measured too.

Each run copies the cached file (an upgrade's migrations run on the copy, once, before
timing) and requests every URL through the Flask test client in-process (the whole request
path: routing, user loading, SQL, JSON or template). The first request of each URL after
start is printed on its own; then p50/p95 of wall time over ``-n`` requests and the p95 of
the process's CPU time (on a shared machine the load average, printed at start and end,
inflates wall time, not CPU time). Beside them, a naive reference on the same database:
what Analytics at "all time" would cost asked straight of the plays table without rollups.
Last, the Analytics first visit: the compressed bytes of
the page and of every file it loads (stylesheets, scripts, the modules they import and the
Chart.js they fetch), as a browser asking for ``br, gzip`` would receive them.
"""

from __future__ import annotations

import argparse
import bisect
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from benchlib import OUT, bench_app, build_cached, p95, timed_get  # noqa: E402

from music_time_machine.db import connect, transaction  # noqa: E402
from music_time_machine.db.catalogue import (  # noqa: E402
    ArtistInfo,
    Catalogue,
    TrackInfo,
    count_uri_plays,
)
from music_time_machine.db.plays import insert_play_rows  # noqa: E402
from music_time_machine.db.rollups import rebuild_rollups  # noqa: E402
from music_time_machine.genres import GENRE_TABLE  # noqa: E402
from music_time_machine.timezones import LocalClock  # noqa: E402

TIMEZONE = "Europe/Berlin"
YEARS = 14
SHORT_SHARE = 0.20
PAGE_TARGET_MS, API_TARGET_MS, FIRST_VISIT_TARGET_KB = 50.0, 40.0, 120.0
#: Bump when the generator changes, so that an old cached file is not reused.
GENERATOR = 2
#: Relative hour weights of a day's listening (commute, work, evening peak).
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 4, 8, 9, 7, 6, 6, 7, 6, 6, 7, 8, 10, 11, 12, 12, 10, 7, 4)
API = ("summary", "volume", "top-artists", "top-tracks", "top-genres", "heatmap", "discoveries")
#: What a browser sends (Chromium, 2026); the compressor picks the first it supports.
BROWSER_ENCODINGS = "gzip, deflate, br, zstd"


# -- the listener -------------------------------------------------------------------------


def _zipf_cumulative(n: int, exponent: float) -> list[float]:
    return list(accumulate(1.0 / (rank**exponent) for rank in range(1, n + 1)))


def generate(conn, user_id: int, plays: int, seed: int = 15) -> tuple[int, int]:
    """Write the catalogue and ``plays`` streams; returns (tracks, artists) stored."""
    rng = random.Random(seed)
    n_artists, n_tracks = max(20, plays // 190), max(100, plays * 3 // 40)
    genres = [k for g in GENRE_TABLE for k in g.keywords]
    artists = [
        ArtistInfo(
            f"Bench Artist {a} {rng.choice(genres).title()}",
            f"bench{a:018d}",
            None if rng.random() < 0.15 else rng.sample(genres, rng.randint(1, 3)),
        )
        for a in range(n_artists)
    ]
    # Popular artists have more tracks: each track's artist is drawn on the artists' curve.
    artist_curve = _zipf_cumulative(n_artists, 0.9)
    owners = rng.choices(range(n_artists), cum_weights=artist_curve, k=n_tracks)
    track_curve = _zipf_cumulative(n_tracks, 0.85)
    picks = rng.choices(range(n_tracks), cum_weights=track_curve, k=plays)
    used = sorted(set(picks))
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    end_ms = int(end.timestamp() * 1000)
    span_days = int(YEARS * 365.25)
    first_day = end.date() - timedelta(days=span_days)
    # More listening in later years (a growing habit), every day possible.
    day_curve = list(accumulate(0.4 + d / span_days for d in range(span_days)))
    hour_curve = list(accumulate(HOUR_WEIGHTS))
    clock = LocalClock(TIMEZONE)
    with transaction(conn):
        catalogue, ids, lengths = Catalogue(conn, user_id), {}, {}
        for index in used:
            owner = artists[owners[index]]
            length = rng.randint(120_000, 330_000)
            ids[index] = catalogue.track(
                TrackInfo(
                    name=f"Bench Song {index}",
                    artists=[owner],
                    album=f"Bench Album {owners[index]}-{index % 9}",
                    spotify_uri=f"spotify:track:{index:022d}",
                    duration_ms=length,
                )
            )
            lengths[index] = length
        rows = []
        for track in picks:
            day = bisect.bisect_left(day_curve, rng.random() * day_curve[-1])
            hour = bisect.bisect_left(hour_curve, rng.random() * hour_curve[-1])
            moment = datetime.combine(
                first_day + timedelta(days=day), datetime.min.time(), UTC
            ) + timedelta(hours=hour, seconds=rng.randrange(3600))
            played_at = min(int(moment.timestamp() * 1000) + rng.randrange(1000), end_ms)
            short = rng.random() < SHORT_SHARE
            ms = rng.randint(0, 29_999) if short else rng.randint(30_000, lengths[track])
            song, uri_id = ids[track]
            local_day, local_hour = clock.local(played_at)
            rows.append(
                (
                    user_id,
                    song,
                    played_at,
                    ms,
                    "music",
                    "extended",
                    local_day,
                    local_hour,
                    int(short),
                    int(rng.random() < 0.4),
                    "clickrow",
                    "fwdbtn" if short else "trackdone",
                    "android",
                    0,
                    0,
                    uri_id,
                )
            )
            if len(rows) == 100_000:
                insert_play_rows(conn, user_id, rows, rollups=None)
                rows = []
        insert_play_rows(conn, user_id, rows, rollups=None)
        count_uri_plays(conn, user_id, 0)
    rebuild_rollups(conn, user_id)
    return len(used), len({owners[i] for i in used})


def database(plays: int) -> Path:
    """The cached database of ``plays`` generated plays, built on first use."""
    path = OUT / f"pages-{plays}-g{GENERATOR}.sqlite"

    def fill(conn, user: int) -> str:
        tracks, artists = generate(conn, user, plays)
        return f"{plays:,} plays, {tracks:,} tracks, {artists:,} artists"

    build_cached(path, TIMEZONE, fill)
    return path


# -- timing --------------------------------------------------------------------------------


def urls(today: date) -> list[tuple[str, str, float]]:
    """(label, URL, target ms) of every page and stats endpoint, for every kind of range."""
    custom = f"start={(today - timedelta(days=400)).isoformat()}&end={today.isoformat()}"
    ranges = ["range=7d", "range=30d", "range=12m", "range=all", f"range={today.year - 3}", custom]
    found = [
        ("home", "/", PAGE_TARGET_MS),
        ("playlists", "/playlists", PAGE_TARGET_MS),
        ("settings", "/settings", PAGE_TARGET_MS),
    ]
    found += [("analytics", f"/analytics?{r}", PAGE_TARGET_MS) for r in ranges]
    found += [
        (f"api {name}", f"/api/stats/{name}?{r}", API_TARGET_MS) for name in API for r in ranges
    ]
    return found


def first_visit(client, page: str) -> list[tuple[str, int, int]]:
    """(path, bytes sent, uncompressed bytes) of ``page`` and everything it loads."""
    headers = {"Accept-Encoding": BROWSER_ENCODINGS}
    seen: dict[str, tuple[int, int]] = {}
    queue = [page]
    while queue:
        url = queue.pop(0)
        path = urlsplit(url).path if url != page else url
        if path in seen:
            continue
        sent = client.get(url, headers=headers)
        if sent.status_code != 200:
            raise SystemExit(f"{url} answered {sent.status_code}")
        plain = client.get(url)
        text = plain.get_data(as_text=True)
        seen[path] = (len(sent.get_data()), len(plain.get_data()))
        if plain.mimetype == "text/html":
            found = re.findall(r'(?:src|href)="(/static/[^"]+)"', text)
        elif plain.mimetype in ("text/javascript", "application/javascript"):
            found = [
                urljoin(url, m)
                for m in re.findall(
                    r"""(?:from\s+|import\(\s*|new URL\(\s*)['"](\.{1,2}/[^'"]+)['"]""", text
                )
            ]
        else:
            found = []
        queue += found
    return [(path, sent, plain) for path, (sent, plain) in seen.items()]


#: What an app without rollups would ask for Analytics at "all time": the top 10 artists
#: (a play counted from 30 s) and plays per month, each a pass over every play.
NAIVE_QUERIES = (
    "SELECT ta.artist_id, COUNT(*) AS n FROM plays p JOIN track_artists ta "
    "ON ta.track_id = p.track_id WHERE p.user_id = ? AND p.kind = 'music' "
    "AND p.ms_played >= 30000 GROUP BY ta.artist_id ORDER BY n DESC LIMIT 10",
    "SELECT substr(p.local_date, 1, 7) AS month, COUNT(*), SUM(p.ms_played) FROM plays p "
    "WHERE p.user_id = ? AND p.kind = 'music' AND p.ms_played >= 30000 GROUP BY month",
)


def naive_reference(path: Path, n: int) -> list[float]:
    """Wall ms of the naive queries, ``n`` times, on the same database as the pages."""
    conn = connect(path)
    try:
        (user_id,) = conn.execute("SELECT id FROM users ORDER BY id LIMIT 1").fetchone()
        times = []
        for _ in range(n):
            began = time.perf_counter()
            for sql in NAIVE_QUERIES:
                conn.execute(sql, (user_id,)).fetchall()
            times.append((time.perf_counter() - began) * 1000)
        return times
    finally:
        conn.close()


def bench(plays: int, n: int) -> int:
    cached = database(plays)
    misses = 0
    with tempfile.TemporaryDirectory() as data_dir:
        copy = Path(data_dir) / "bench.sqlite"
        shutil.copyfile(cached, copy)
        began = time.perf_counter()
        app = bench_app(copy, data_dir, TIMEZONE)
        print(
            f"\n{plays:,} plays: app started (migrations included) in "
            f"{time.perf_counter() - began:.1f} s; load average {os.getloadavg()[0]:.2f} "
            f"on {os.cpu_count()} CPUs"
        )
        client = app.test_client()
        today = datetime.now(UTC).date()
        targets = urls(today)
        first = {url: timed_get(client, url)[0] for _, url, _ in targets}
        print("| plays | page | URL | first ms | p50 ms | p95 ms | p95 CPU ms | target |")
        print("|---:|---|---|---:|---:|---:|---:|---:|")
        for label, url, target in targets:
            wall, cpu = zip(*(timed_get(client, url) for _ in range(n)), strict=True)
            over = p95(list(wall)) > target
            misses += over
            print(
                f"| {plays:,} | {label} | `{url}` | {first[url]:.1f} | "
                f"{statistics.median(wall):.1f} | {p95(list(wall)):.1f}{' ✗' if over else ''}"
                f" | {p95(list(cpu)):.1f} | {target:.0f} |",
                flush=True,
            )
        wall = naive_reference(copy, n)
        print(
            f"\nnaive reference, the same run (Analytics' all-time top artists and monthly "
            f"volume straight from the plays table, no rollups): p50 "
            f"{statistics.median(wall):.1f} ms, p95 {p95(wall):.1f} ms"
        )
        files = first_visit(client, "/analytics?range=all")
        total = sum(sent for _, sent, _ in files)
        print(
            f"\nAnalytics first visit ({BROWSER_ENCODINGS}): {total / 1000:.1f} KB sent, "
            f"{sum(p for _, _, p in files) / 1000:.1f} KB uncompressed "
            f"(target ≤ {FIRST_VISIT_TARGET_KB:.0f} KB)"
        )
        for path, sent, plain in files:
            print(f"  {sent / 1000:8.1f} KB  ({plain / 1000:.1f} KB)  {path}")
        misses += total / 1000 > FIRST_VISIT_TARGET_KB
    print(f"load average {os.getloadavg()[0]:.2f} at the end; {misses} over target")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--plays", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("-n", type=int, default=20, help="timed requests per URL")
    args = parser.parse_args(argv)
    for plays in args.plays:
        bench(plays, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
